"""What the tests share; no test module imports from another test module.

- ``chat``: a user talking to the coach in memory (``Chat``), a hand-moved ``Clock``,
  ``check_reply`` (what Telegram would accept);
- ``walk``: the scripted answers (``TYPED``) and the one flow walker (``walk``);
- ``html``: the Telegram HTML checker (``parse_html``);
- ``fake_bot_api``: a fake Telegram Bot API server;
- ``telegram``: the real bot on the fake server (fixtures ``fake_api`` and ``bot``,
  ``TgUser``, ``BotProcess`` for ``python bot.py`` as a subprocess);
- ``sim_users``: simulated users who walk the seven steps over Telegram.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository
