"""Logs: one structured line per record (logfmt: time, level, logger, msg), never the
token, never what users typed (at the default INFO level)."""

from __future__ import annotations

import json
import logging
import re

from coach.adapters.telegram.logs import LogfmtFormatter, TokenFilter
from tests.support.fake_bot_api import TOKEN, FakeBotApi, Fault
from tests.support.sim_users import HttpConversation, SimUser, Team
from tests.support.telegram import BotProcess

PAIR = re.compile(r'([a-z_]+)=("(?:[^"\\]|\\.)*"|[^\s"=]+)(?: |$)')
MARK = "Kwispelstaart"  # in everything the user types below
ANSWERS = {
    "goals.offline": f"{MARK} leesclub voor pubers; {MARK}-taalcafé op dinsdag",
    "goals.online": f"Meer {MARK}-aanmeldingen via de site",
    "goals.focus": f"{MARK} leesclub voor pubers",
    "audience.words": f"Ouders uit de {MARK}wijk die nog geen lid zijn",
}


def parse_logfmt(line: str) -> dict[str, str] | None:
    """The fields of a logfmt line, or None when the line is not (entirely) logfmt."""
    fields, end = {}, 0
    for m in PAIR.finditer(line):
        if m.start() != end:
            return None
        value = m.group(2)
        fields[m.group(1)] = json.loads(value) if value.startswith('"') else value
        end = m.end()
    return fields if end == len(line) and fields else None


def test_formatter_writes_one_logfmt_line_with_exceptions_inside():
    formatter = LogfmtFormatter()
    try:
        raise ValueError(f'bad "value"\nat {TOKEN}')
    except ValueError:
        record = logging.LogRecord("coach.x", logging.ERROR, __file__, 1, "failed %s", ("x=1",),
                                   exc_info=__import__("sys").exc_info())
    TokenFilter([TOKEN]).filter(record)
    line = formatter.format(record)
    assert "\n" not in line
    fields = parse_logfmt(line)
    assert fields is not None, line
    assert fields["level"] == "ERROR" and fields["logger"] == "coach.x"
    assert fields["msg"] == "failed x=1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", fields["time"])
    assert "Traceback" in fields["exc"] and 'bad "value"' in fields["exc"]
    assert TOKEN not in line and TOKEN.split(":")[1] not in line
    assert parse_logfmt("time=1 level=INFO logger=a msg=ok") == {
        "time": "1", "level": "INFO", "logger": "a", "msg": "ok"}
    assert parse_logfmt("2026-01-01 INFO coach: free text") is None


async def test_bot_logs_are_structured_without_token_or_answers(fake_api: FakeBotApi, tmp_path):
    api = fake_api
    proc = BotProcess(api, tmp_path)
    proc.env["COACH_LOG_LEVEL"] = "INFO"
    # some trouble, so that warnings are logged too
    api.faults += [
        Fault(methods={"sendMessage"}, status=500, limit=1),
        Fault(methods={"sendMessage"}, status=429, retry_after=1, limit=1),
        Fault(methods={"getUpdates"}, drop=True, limit=1),
    ]
    await proc.start()
    try:
        user = SimUser(77, f"{MARK}-Ria", Team(MARK), coordinator=True)
        user.invited = True
        conv = HttpConversation(api)
        while user.i < 5:  # create the library, answer step 1 and two questions of step 2
            action = user.next_action()
            assert action is not None
            if action.answer is not None and action.answer.qid in ANSWERS:
                action.value = action.answer_text = ANSWERS[action.answer.qid]
            await conv.step(user, action)
        assert len(user.acked) == 5
        api.blocked_users.add(user.tg_id)  # logged: the chat cannot be reached
        api.push_message(user.tg_id, f"{MARK} na blokkeren")
        await api.wait_for(lambda: api.confirmed_offset == api.next_update_id, 10, "handled")
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()

    output = proc.output()
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines
    records = [parse_logfmt(line) for line in lines]
    assert [line for line, r in zip(lines, records, strict=True) if r is None] == []
    for r in records:
        assert {"time", "level", "logger", "msg"} <= r.keys(), r
    levels = {r["level"] for r in records}
    assert "INFO" in levels and "WARNING" in levels and "DEBUG" not in levels
    assert any("Biebcoach is running" in r["msg"] for r in records)
    assert any("cannot be reached" in r["msg"] for r in records)
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert MARK not in output and MARK.lower() not in output.lower()
    for text in ANSWERS.values():
        for part in re.split(r"[;\s]+", text):
            if len(part) > 6:
                assert part not in output, part
