"""The console adapter, run as a new user runs it: ``python bot.py console``. One session
starts a new Python as a user does; the others fork from one started bot.py, which has
done its imports and compiled its templates (tests/support/forked_bot.py), and are
otherwise the same: bot.py's ``main`` in a process of its own, with its arguments,
environment, working directory, input and output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT


@pytest.fixture
def console(fork_server, tmp_path):
    """``console(db, user, lines)``: run ``python bot.py console [--as user]`` on ``db``
    with ``lines`` as its input; returns its output. ``cold=True`` starts a new Python
    for it, as a user does; the others fork from one started bot.py."""

    def run(db: Path, user: str | None, lines: list[str], *, cwd: Path = ROOT,
            args: tuple[str, ...] = (), cold: bool = False) -> str:
        env = {**os.environ, "COACH_DB": str(db)}
        argv = ["console", *(["--as", user] if user else []), *args]
        text = "\n".join(lines) + "\n"
        if cold:
            result = subprocess.run([sys.executable, str(ROOT / "bot.py"), *argv], input=text,
                                    capture_output=True, text=True, cwd=cwd, env=env,
                                    timeout=60)
        else:
            streams = tmp_path / f"streams{len(list(tmp_path.glob('streams*')))}"
            streams.mkdir()
            result = fork_server.run(argv, input=text, env=env, cwd=cwd, streams=streams)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return result.stdout

    return run


def test_a_team_tries_the_coach_on_one_machine(console, tmp_path):
    db = tmp_path / "coach.db"
    out = console(db, "anna", ["a", "Bibliotheek Rivierenland", "Meer leden; Taalcafé",
                               "/uitnodigen", ":quit"], cold=True)  # as a user starts it
    assert "Biebcoach" in out
    assert "Bibliotheek Rivierenland is aangemaakt" in out  # HTML tags are gone
    assert "<b>" not in out
    assert "Wat wil je online bereiken?" in out
    code = next(line.split("Code: ")[1].strip() for line in out.splitlines() if "Code: " in line)

    out = console(db, "bram", [f"/start {code}", "Meer jongeren", ":quit"])
    assert "Welkom bij Bibliotheek Rivierenland" in out
    assert "anna is de coördinator" in out  # Anna answered the first question already:
    assert "[a] Meer leden   [b] Taalcafé" in out  # Bram chooses from the library's goals

    out = console(db, "anna", ["/verder"])  # ends with end of input, as Ctrl-D
    assert "Welkom terug bij Bibliotheek Rivierenland" in out
    # Bram's online goal stands for now (Anna decides in /beslissen): Anna goes on
    assert "Wat wil je online bereiken?" not in out and "[c] Meer jongeren" in out


def test_buttons_have_letters_and_are_pressed_by_letter(console, tmp_path):
    out = console(tmp_path / "c.db", "nina", ["b", "onzin-code", ":q"])
    assert "[a] Nieuwe bibliotheek aanmaken" in out
    assert "Typ de uitnodigingscode" in out
    assert "Die code ken ik niet" in out


def test_a_number_is_an_answer_not_a_button(tmp_path):
    """At a number question with two buttons, typing 2 stores 2 (it pressed button 2)."""
    from coach.adapters.console import to_event
    from coach.core.events import Choice

    buttons = [Choice("⏭ Overslaan", "ci:skip:1"), Choice("⏹ Stop", "ci:stop")]
    assert to_event("2", "console:a", "A", buttons).text == "2"
    assert to_event("B", "console:a", "A", buttons).choice == "ci:stop"


def test_one_welcome_even_when_the_user_types_start(console, tmp_path):
    out = console(tmp_path / "c.db", "nina", ["/start", ":q"])
    assert out.count("Ik ben Biebcoach") == 1
    assert out.count("Begin je een nieuwe bibliotheek") == 2  # the question, shown again
    out = console(tmp_path / "c.db", "nina", ["/start", ":q"])  # a later session
    assert "Ik ben Biebcoach" in out  # no library yet: the welcome once more, once
    assert out.count("Ik ben Biebcoach") == 1


def test_without_as_the_name_is_asked_once_and_never_the_login(console, tmp_path):
    db = tmp_path / "c.db"
    out = console(db, None, ["Fatima", "a", "Bieb Oost", ":q"])
    assert "Hoe heet je?" in out and "Hallo Fatima!" in out
    import getpass
    assert f"Hallo {getpass.getuser()}!" not in out
    out = console(db, None, ["/verder", ":q"])  # the one console user carries on
    assert "Hoe heet je?" not in out
    assert "Je gaat verder als Fatima" in out and "Welkom terug bij Bieb Oost" in out
    console(db, "gert", [":q"])
    out = console(db, None, ["Gert", ":q"])  # two users now: asked again
    assert "Hoe heet je?" in out and "Hallo Gert!" in out


def test_an_end_of_input_at_the_name_question_leaves_quietly(console, tmp_path):
    out = console(tmp_path / "c.db", None, [])
    assert "Hoe heet je?" in out


def test_a_scripted_session_writes_the_export_and_the_chart(console, tmp_path):
    """Anna's library has KPIs and one week's values (made through the core); in the
    console /voortgang saves the chart and /export the strategy, in the working
    directory, and says where."""
    from datetime import date

    from coach.wiring import open_coach
    from tests.support.chat import Chat
    from tests.support.walk import with_kpis

    db = tmp_path / "coach.db"
    coach = open_coach(str(db))
    anna = with_kpis(Chat(coach, "console:anna", "anna"))
    anna.cmd("checkin")
    for value in ("40", "1.000", "10%"):
        anna.say(value)
    coach.db.conn.close()

    work = tmp_path / "work"
    work.mkdir()
    out = console(db, "anna", ["/voortgang", "/export md", ":q"], cwd=work)
    chart = work / f"voortgang-{date.today().isoformat()}.png"
    exported = sorted(work.glob("strategie-*.md"))
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert f"[grafiek opgeslagen: {chart}]" in out
    assert len(exported) == 1 and f"[bestand opgeslagen: {exported[0]}]" in out
    assert "Aanmeldingen" in exported[0].read_text(encoding="utf-8")
    assert "Voortgang per KPI" in out


def test_db_option_starts_afresh_in_another_file(console, tmp_path):
    console(tmp_path / "old.db", "anna", ["a", "Bieb Oud", ":q"])
    out = console(tmp_path / "old.db", "anna", [":q"], args=("--db", str(tmp_path / "new.db")))
    assert "Hallo anna!" in out and "Welkom terug" not in out
    assert (tmp_path / "new.db").exists()


def test_a_file_that_cannot_be_written_is_said_not_thrown(tmp_path):
    from coach.adapters.console import Files, render_reply
    from coach.core.events import Document, Reply

    files = Files(tmp_path / "missing-dir", lambda: "nl")
    text = render_reply(Reply("x", document=Document("a.md", b"hi")), [], files)
    assert "kan" in text and "niet opslaan" in text


def test_readline_is_used_on_a_terminal_only(monkeypatch):
    import io

    from coach.adapters.console import line_reader

    piped = line_reader(io.StringIO("hallo\n"), io.StringIO(), None)
    assert piped("> ") == "hallo" and piped("> ") is None
    monkeypatch.setattr("builtins.input", lambda prompt: "via input")
    edited = line_reader(io.StringIO(), io.StringIO(), True)
    assert edited("> ") == "via input"


def test_a_mini_app_button_shows_its_address_and_takes_no_letter():
    from coach.adapters.console import render_reply
    from coach.core.events import Choice, Reply

    buttons: list = []
    text = render_reply(Reply("x", choices=[[Choice("Open", "", web_app="https://b.nl/")],
                                            [Choice("Verder", "n:continue")]]), buttons)
    assert "[Open: https://b.nl/]" in text and "[a] Verder" in text
    assert [b.data for b in buttons] == ["n:continue"]


@pytest.mark.parametrize("word", [":quit", ":q", "/quit", "/exit"])
def test_the_console_leaves_on_the_words_people_type(console, tmp_path, word):
    out = console(tmp_path / "coach.db", "anna", [word, "/help"])
    assert "/help — " not in out  # it left before the next line
