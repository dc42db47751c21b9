"""The commands every bot has: /help, /settings and the language."""
