"""Transports over the core: the console and Telegram. Only here is Telegram imported."""
