"""Tests of coach/adapters/telegram: the real Application over HTTP to the fake Bot API
(tests/support/fake_bot_api.py), polling and webhook, faults, pacing, logs, check-ins."""
