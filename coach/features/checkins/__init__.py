"""Weekly check-ins: KPI values, schedules, preferences and the progress chart."""
