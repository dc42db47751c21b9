"""Tests of coach/features/checkins: weekly check-ins, KPIs and their measurements."""
