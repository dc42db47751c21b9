"""The web adapter: the library's strategy, KPIs and team as server-rendered pages
(aiohttp), in the bot's event loop or alone (``python bot.py web``), signed in with a
Telegram Mini App's ``initData`` or a one-time link from ``/web``."""
