"""A long paste that Telegram split into messages: its tail is not an answer of its own.

A Telegram app sends a text longer than ``MessageLimit.MAX_TEXT_LENGTH`` (4,096
characters) as several messages, each cut at a line or word boundary in the second half
of the limit. The first part gets the coach's reply about a long text (at a choice
question ``long_for_options``, elsewhere ``too_long``: no answer is that long), but the
rest, often a few hundred characters, would be read as an answer of its own: a fuzzy
match to an option, or a stored text made of the end of a paste.

So a text of at least :data:`PART_MIN` characters is recorded in the chat state
(``chats.record_long_text``: its message id and when it was sent, in SQLite), and a
text message that the user sent after it within :data:`TAIL_SECONDS` is its tail
(:func:`is_tail`): the adapter leaves it out, with no reply, as part of the paste the
coach answered already. Nobody types an answer to that reply within seconds of a
paste. The times are Telegram's (``Message.date``), so an update that comes again after
a restart is judged the same way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Message
from telegram.constants import MessageLimit

from coach.adapters.telegram.split import tg_len
from coach.storage import chats
from coach.storage.db import transaction

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.telegram")

PART_MIN = MessageLimit.MAX_TEXT_LENGTH // 2  # a part of a split paste is at least this
TAIL_SECONDS = 5  # what the user sends this soon after such a part is its tail


def is_tail(coach: Coach, user_id: str, message: Message) -> bool:
    """True if ``message`` (a text) continues the user's long paste before it. A text
    near the length limit is recorded as the paste's newest part first."""
    db = coach.db
    last = chats.long_text(db, user_id)
    tail = (last is not None and message.message_id > last[0]
            and 0 <= (message.date - last[1]).total_seconds() <= TAIL_SECONDS)
    if tg_len(message.text or "") >= PART_MIN and (last is None
                                                  or last[0] != message.message_id):
        with transaction(db):
            chats.record_long_text(db, user_id, message.message_id, message.date)
    if tail:
        log.info("message %s of chat %s continues a long paste: left out",
                 message.message_id, message.chat_id)
    return tail
