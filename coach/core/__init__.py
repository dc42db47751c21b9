"""The core: events in, replies out (the engine, Turn, the feature protocol, texts).

No Telegram and no SQL here."""
