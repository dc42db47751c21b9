"""Storage faults as the user meets them: a full disk, a read-only or locked database,
a corrupt file. Each gives one clear sentence (no traceback), stores nothing half, and
keeps every answer that was acknowledged before."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys

import pytest

from coach.adapters.console import run_console
from coach.config import DURABILITIES, Config, ConfigError
from coach.storage import db as storage
from coach.storage.db import StorageError, open_db
from coach.wiring import open_coach
from tests.support import ROOT
from tests.support.chat import Chat
from tests.support.faults import answers_of, disk_full_for, locked, read_only

GOAL = "Meer kinderen lid maken; Taalcafé elke week vol"


def table_counts(db) -> dict[str, int]:
    names = [r[0] for r in db.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        " and name != 'fault_filler'")]
    return {n: db.execute(f"select count(*) from [{n}]").fetchone()[0] for n in names}


def anna_at_first_question(tmp_path, clock) -> tuple[Chat, str]:
    path = str(tmp_path / "coach.db")
    anna = Chat(open_coach(path, clock=clock), "test:anna", "Anna")
    anna.create_library()
    return anna, path


@pytest.mark.parametrize("fault,kind,sentence", [
    ("full", "full", "de schijf is vol"),
    ("readonly", "readonly", "de database staat op alleen-lezen"),
    ("locked", "locked", "de database is bezet door een ander programma"),
])
def test_a_fault_mid_answer_stores_nothing_of_it_and_says_so(tmp_path, clock, fault, kind,
                                                           sentence):
    anna, path = anna_at_first_question(tmp_path, clock)
    db = anna.coach.db
    before = table_counts(db)
    fault_of = {"full": lambda: disk_full_for(db, "test:anna"), "readonly": lambda: read_only(db),
                "locked": lambda: locked(db, path)}[fault]
    with fault_of(), pytest.raises(StorageError) as info:
        anna.say(GOAL)
    assert info.value.kind == kind
    assert table_counts(db) == before  # the whole event was rolled back
    reply = anna.coach.fault_reply(info.value, "test:anna")
    assert sentence in reply.text and "niets van opgeslagen" in reply.text
    assert answers_of(path, "test:anna") == []
    anna.say(GOAL)  # the fault is gone: the same answer goes through
    assert [q for q, _ in answers_of(path, "test:anna")] == ["goals.offline"]


class ScriptedInput(io.StringIO):
    """stdin for the console whose lines may be preceded by actions (callables)."""

    def __init__(self, script: list) -> None:
        super().__init__()
        self.script = list(script)

    def readline(self, *args) -> str:  # type: ignore[override]
        while self.script and callable(self.script[0]):
            self.script.pop(0)()
        return self.script.pop(0) + "\n" if self.script else ""


@pytest.mark.parametrize("fault", ["full", "readonly", "locked"])
def test_the_console_says_it_in_one_sentence_and_goes_on(tmp_path, clock, fault):
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    db = coach.db
    active = []

    def start() -> None:
        cm = {"full": lambda: disk_full_for(db, "console:anna"),
              "readonly": lambda: read_only(db), "locked": lambda: locked(db, path)}[fault]()
        cm.__enter__()
        active.append(cm)

    def end() -> None:
        active.pop().__exit__(None, None, None)

    out = io.StringIO()
    code = run_console(coach, "anna", stdout=out, stdin=ScriptedInput([
        "a", "Bibliotheek Rivierenland", GOAL, start, "Meer online aanmeldingen", end,
        "Meer online aanmeldingen", ":quit"]))
    text = out.getvalue()
    assert code == 0 and "Traceback" not in text
    assert text.count("niets van opgeslagen") == 1
    assert "Typ het nog eens als dat is opgelost" in text
    assert [q for q, _ in answers_of(path, "console:anna")] == ["goals.offline",
                                                                 "goals.online"]


def namespaces() -> bool:
    """Whether this user may make a user and mount namespace (to mount a small tmpfs)."""
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


def test_the_console_on_a_real_disk_that_runs_full(tmp_path):
    """A 1 MiB tmpfs that fills up mid-session (tests/support/full_disk.py)."""
    if not namespaces():
        pytest.skip("no user namespaces to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    result = subprocess.run(
        ["unshare", "-rm", sys.executable, str(ROOT / "tests/support/full_disk.py"),
         "console", str(disk)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr, out + result.stderr
    before, full = out.split("[DISK FULL]")
    full, free = full.split("[DISK FREE]")
    assert full.strip().splitlines()[0] == (
        "Sorry, ik kan je bericht nu niet bewaren, want de schijf is vol; er is niets van "
        "opgeslagen. Typ het nog eens als dat is opgelost.")
    assert free.strip().startswith("✔️ Bewaard.")
    assert "STDERR:\n" in out and "EXIT:0" in out
    assert out.strip().splitlines()[-1] == "ANSWERS:goals.offline,goals.online"


def test_a_full_disk_for_everyone_keeps_every_acknowledged_answer(tmp_path, clock):
    anna, path = anna_at_first_question(tmp_path, clock)
    anna.say(GOAL)
    acknowledged = answers_of(path, "test:anna")
    with disk_full_for(anna.coach.db):
        for _ in range(3):
            with pytest.raises(StorageError):
                anna.say("Meer online aanmeldingen")
        anna.cmd("help")  # what writes nothing still works
    assert answers_of(path, "test:anna") == acknowledged
    anna.say("Meer online aanmeldingen")
    assert len(answers_of(path, "test:anna")) == 2


# --------------------------------------------------------------------------- start-up


def bot_py(tmp_path, *args: str, db: str | None = None, **env: str):
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("COACH_", "TELEGRAM_", "WEBHOOK_"))}
    base.update(COACH_DB=db or str(tmp_path / "coach.db"), LANG="en_US.UTF-8",
                TELEGRAM_BOT_TOKEN="123:abcdefghijklmnop", TELEGRAM_API_URL="http://127.0.0.1:9",
                **env)
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=tmp_path, env=base,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def one_line(result) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


COMMANDS = [["console"], ["run"], ["export", "--library", "x"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_corrupt_database_at_start_up_is_one_line(tmp_path, command):
    (tmp_path / "coach.db").write_bytes(b"this is not a database\n" * 400)
    line = one_line(bot_py(tmp_path, *command))
    assert line.startswith(f"The database {tmp_path / 'coach.db'} is damaged")


def test_backing_up_a_corrupt_database_is_one_line(tmp_path):
    (tmp_path / "coach.db").write_bytes(b"this is not a database\n" * 400)
    line = one_line(bot_py(tmp_path, "backup", str(tmp_path / "copy.db")))
    assert line.startswith(f"Cannot back up {tmp_path / 'coach.db'}:") and "not a database" in line


@pytest.mark.parametrize("command", COMMANDS[:2])
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path, command):
    line = one_line(bot_py(tmp_path, *command, db=str(tmp_path / "missing" / "coach.db")))
    assert line.startswith("Cannot open the database") and "missing" in line


def test_a_locked_database_at_start_up_is_one_line(tmp_path):
    path = tmp_path / "coach.db"
    open_db(str(path)).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin exclusive")
    try:
        line = one_line(bot_py(tmp_path, "console"))
    finally:
        holder.close()
    assert "is locked by another process" in line


def test_a_read_only_database_at_start_up_is_one_line(tmp_path):
    path = tmp_path / "data" / "coach.db"
    path.parent.mkdir()
    open_db(str(path)).close()
    if os.geteuid() == 0:  # root writes anyway: make the folder a read-only mount
        if not namespaces():
            pytest.skip("running as root without user namespaces")
        script = (f"mount --bind {path.parent} {path.parent} && "
                  f"mount -o remount,bind,ro {path.parent} && exec \"$@\"")
        result = subprocess.run(
            ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, str(ROOT / "bot.py"),
             "console"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
            env={**os.environ, "COACH_DB": str(path), "LANG": "en_US.UTF-8"},
            stdin=subprocess.DEVNULL)
    else:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        try:
            result = bot_py(tmp_path, "console", db=str(path))
        finally:
            path.parent.chmod(0o755)
    line = one_line(result)
    assert line.startswith(("Cannot write the database", "Cannot open the database"))
    assert str(path) in line


def test_a_full_disk_at_start_up_is_one_line(tmp_path):
    """A real full file system: a 64 KiB tmpfs in a user namespace, where that works."""
    if not namespaces():
        pytest.skip("no user namespaces to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o size=64k tmpfs {disk} && "
              f"(head -c 1000000 /dev/zero > {disk}/filler 2>/dev/null; true) && exec \"$@\"")
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, str(ROOT / "bot.py"),
         "console"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "COACH_DB": str(disk / "coach.db"), "LANG": "en_US.UTF-8"},
        stdin=subprocess.DEVNULL)
    line = one_line(result)
    assert line.startswith(f"Cannot write the database {disk / 'coach.db'}: the disk is full")


# --------------------------------------------------------------------------- durability


def test_durability_is_a_setting_with_a_one_line_error():
    assert set(DURABILITIES) == set(storage.DURABILITY)
    assert Config.from_env({}).durability is None
    assert Config.from_env({"COACH_DURABILITY": " Normal "}).durability == "normal"
    with pytest.raises(ConfigError) as info:
        Config.from_env({"COACH_DURABILITY": "paranoid"})
    assert info.value.ctx["name"] == "COACH_DURABILITY"


@pytest.mark.parametrize("setting,expected", [(None, storage.DEFAULT_DURABILITY),
                                              ("full", "full"), ("normal", "normal")])
def test_the_durability_setting_reaches_sqlite(tmp_path, setting, expected):
    db = open_db(str(tmp_path / "c.db"), setting)
    level = db.execute("pragma synchronous").fetchone()[0]
    assert level == {"normal": 1, "full": 2}[expected]


def test_a_bad_durability_value_is_one_line(tmp_path):
    line = one_line(bot_py(tmp_path, "console", COACH_DURABILITY="paranoid"))
    assert line.startswith("COACH_DURABILITY=paranoid is not a valid value: full")
