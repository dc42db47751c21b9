"""Biebcoach: a coach for library staff writing a social-media strategy (see README.md)."""

import os

# python-telegram-bot 22 announces that RetryAfter.retry_after becomes a timedelta and
# warns on every flood limit until one opts in; we opt in (adapters/telegram/retry.py reads both).
os.environ.setdefault("PTB_TIMEDELTA", "1")
