"""Tests of coach/adapters: the console, and Telegram against a fake Bot API server."""
