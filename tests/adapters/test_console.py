"""The console adapter, run as a new user runs it: ``python bot.py console``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def run_console(db: Path, user: str, lines: list[str]) -> str:
    env = {**os.environ, "COACH_DB": str(db)}
    result = subprocess.run(
        [sys.executable, "bot.py", "console", "--as", user],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_a_team_tries_the_coach_on_one_machine(tmp_path):
    db = tmp_path / "coach.db"
    out = run_console(db, "anna", ["a", "Bibliotheek Rivierenland", "Meer leden; Taalcafé",
                                   "/uitnodigen", ":quit"])
    assert "Biebcoach" in out
    assert "Bibliotheek Rivierenland is aangemaakt" in out  # HTML tags are gone
    assert "<b>" not in out
    assert "Wat wil je online bereiken?" in out
    code = next(line.split("Code: ")[1].strip() for line in out.splitlines() if "Code: " in line)

    out = run_console(db, "bram", [f"/start {code}", "Meer jongeren", ":quit"])
    assert "Welkom bij Bibliotheek Rivierenland" in out
    assert "anna: Meer leden; Taalcafé" in out  # Bram sees his colleague's answer

    out = run_console(db, "anna", ["/verder"])  # ends with end of input, as Ctrl-D
    assert "Welkom terug bij Bibliotheek Rivierenland" in out
    assert "Wat wil je online bereiken?" in out


def test_buttons_have_letters_and_are_pressed_by_letter(tmp_path):
    out = run_console(tmp_path / "c.db", "nina", ["b", "onzin-code", ":q"])
    assert "[a] 🏛 Nieuwe bibliotheek aanmaken" in out
    assert "Typ de uitnodigingscode" in out
    assert "Die code ken ik niet" in out


def test_a_number_is_an_answer_not_a_button(tmp_path):
    """At a number question with two buttons, typing 2 stores 2 (it pressed button 2)."""
    from coach.adapters.console import to_event
    from coach.core.events import Choice

    buttons = [Choice("⏭ Overslaan", "ci:skip:1"), Choice("⏹ Stop", "ci:stop")]
    assert to_event("2", "console:a", "A", buttons).text == "2"
    assert to_event("B", "console:a", "A", buttons).choice == "ci:stop"


def test_a_mini_app_button_shows_its_address_and_takes_no_letter():
    from coach.adapters.console import render_reply
    from coach.core.events import Choice, Reply

    buttons: list = []
    text = render_reply(Reply("x", choices=[[Choice("Open", "", web_app="https://b.nl/")],
                                            [Choice("Verder", "n:continue")]]), buttons)
    assert "[Open: https://b.nl/]" in text and "[a] Verder" in text
    assert [b.data for b in buttons] == ["n:continue"]
