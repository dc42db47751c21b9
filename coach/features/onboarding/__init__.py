"""Onboarding: /start, creating a library or joining one with an invite code."""
