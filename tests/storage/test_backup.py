"""`python bot.py backup FILE`: a consistent copy of the live database that restores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from coach.wiring import open_coach
from tests.support import ROOT
from tests.support.chat import Chat
from tests.support.walk import TYPED


def run_backup(db: Path, target: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COACH_DB": str(db), "LANG": "C.UTF-8", "LC_ALL": ""}
    return subprocess.run([sys.executable, "bot.py", "backup", str(target)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def test_backup_of_a_live_database_restores_with_every_answer(tmp_path, clock):
    db = tmp_path / "live.db"
    live = open_coach(str(db), clock=clock)
    anna = Chat(live, "test:anna", "Anna")
    anna.create_library()
    anna.say(TYPED["goals.offline"])
    anna.say(TYPED["goals.online"])
    # the bot is still running (connection open, WAL not checkpointed) while we back up
    result = run_backup(db, tmp_path / "copy.db")
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    anna.say(TYPED["goals.focus"])  # written after the backup: not in the copy

    restored = open_coach(str(tmp_path / "copy.db"), clock=clock)
    assert restored.db["answers"].count == 2
    anna_again = Chat(restored, "test:anna", "Anna")
    anna_again.cmd("verder")
    assert anna_again.user()["question_id"] == "goals.focus"
    assert live.db["answers"].count == 3


def test_backup_of_a_missing_database_is_a_one_line_error(tmp_path):
    result = run_backup(tmp_path / "nope.db", tmp_path / "copy.db")
    assert result.returncode == 2
    assert "Cannot back up" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "copy.db").exists()
