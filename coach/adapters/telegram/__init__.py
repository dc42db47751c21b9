"""The Telegram adapter: app assembly, update conversion, sending, polling, webhook, pacing."""
