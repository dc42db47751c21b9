"""/export and ``bot.py export``: the formats as buttons, the files, who may export, and
hostile text in every format."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from coach.features.export.feature import FORMATS, find_library, html_body, render_document
from coach.features.export.markdown import _lines, cell, md
from coach.wiring import open_coach
from tests.features.export.conftest import FORMATS as ALL
from tests.features.export.readers import (
    fields_of,
    headings,
    html_tags,
    read,
    section,
    tables_of,
    texts_of,
)
from tests.support import ROOT
from tests.support.answers import give
from tests.support.chat import Chat
from tests.support.walk import walk

PARSER = MarkdownIt("commonmark").enable("table")
MIME = {"md": "text/markdown", "html": "text/html",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def press_format(user: Chat, fmt: str):
    user.cmd("export")
    assert user.buttons() == ["ex:docx", "ex:html", "ex:md"]
    replies = user.press_data(f"ex:{fmt}")
    assert len(replies) == 1 and replies[0].document is not None
    return replies[0].document


@pytest.mark.parametrize("fmt", ALL)
def test_export_offers_the_formats_and_sends_the_chosen_one(strategy, fmt):
    anna, _, _ = strategy
    document = press_format(anna, fmt)
    assert document.filename == f"strategie-bibliotheek-rivierenland-2026-11-25.{fmt}"
    assert document.mime_type == MIME[fmt] == FORMATS[fmt].mime_type
    assert "Bibliotheek Rivierenland" in document.caption
    outline = read(fmt, document.content)
    assert headings(outline, 1) == ["Socialemediastrategie van Bibliotheek Rivierenland"]
    assert "teksteditor" not in anna.last


def test_a_format_can_be_named_with_the_command_and_the_english_file_is_english(strategy):
    anna, _, _ = strategy
    replies = anna.cmd("export", "docx")
    assert replies[0].document.filename.endswith(".docx")
    anna.cmd("taal", "en")
    replies = anna.cmd("export", ".HTML")
    document = replies[0].document
    assert document.filename == "strategy-bibliotheek-rivierenland-2026-11-25.html"
    assert "<html lang=\"en\">" in document.content.decode()


def test_a_docx_is_a_real_word_file(strategy, render):
    content = render(strategy[2], "docx")
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        names = set(z.namelist())
        assert {"word/document.xml", "[Content_Types].xml", "docProps/core.xml"} <= names
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)
        assert b"<dc:title>Socialemediastrategie van Bibliotheek Rivierenland</dc:title>" in (
            z.read("docProps/core.xml"))
        assert b'w:lang w:val="nl-NL"' in z.read("word/styles.xml")  # spell-checked in Dutch


def test_the_html_prints_well_and_its_body_can_be_embedded(strategy, db, clock):
    page = render_document(db, strategy[2], "nl", clock(), "html").decode()
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page and "@page" in page
    assert "<link" not in page and "src=\"http" not in page  # self-contained
    body = html_body(db, strategy[2], "nl", clock())
    assert body.startswith("<article class=\"strategy\" lang=\"nl\">")
    assert not re.search(r"<(html|head|body)[\s>]", body)
    assert body in page
    assert read("html", body.encode()) == read("html", page.encode())


@pytest.mark.parametrize("fmt", ALL)
def test_the_file_is_written_from_what_was_read_without_the_database(strategy, db, fmt):
    """An adapter writes the file in a worker thread (Telegram does): the export reads
    everything in the update's transaction, so writing needs no database at all."""
    anna, _, library_id = strategy
    document = press_format(anna, fmt)
    expected = render_document(db, library_id, "nl", anna.coach.clock(), fmt)
    anna.coach.db.conn.close()  # nothing may be read from here on
    assert read(fmt, document.content) == read(fmt, expected)
    assert document.content is document.content  # written once


@pytest.mark.parametrize("data", ["ex:pdf", "ex:", "ex:md:extra", "ex:DOCX"])
def test_a_stale_or_forged_format_button_gets_the_choice_again(strategy, data):
    anna, _, _ = strategy
    replies = anna.press_data(data)
    assert all(r.document is None for r in replies)
    assert "formaat ken ik niet" in replies[0].text
    assert anna.buttons() == ["ex:docx", "ex:html", "ex:md"]


@pytest.mark.parametrize("how", ["command", "button"])
def test_a_member_gets_a_clear_refusal_and_no_document(strategy, how):
    anna, bram, _ = strategy
    replies = bram.cmd("export") if how == "command" else bram.press_data("ex:docx")
    assert [r.document for r in replies] == [None]
    assert "alleen de coördinator" in replies[0].text and "Anna" in replies[0].text


def test_without_a_library_there_is_nothing_to_export(chat):
    dirk = chat("Dirk")
    for replies in (dirk.cmd("export"), dirk.press_data("ex:md")):
        assert all(r.document is None for r in replies)
        assert "nog niet bij een bibliotheek" in replies[0].text


def test_a_coordinator_only_ever_exports_their_own_library(strategy, chat):
    carla = chat("Carla")
    carla.create_library("Bibliotheek Zuidrand")
    carla.say("Zuidrand-doel")
    for fmt in ALL:
        for args in ("", "1", "Bibliotheek Rivierenland"):
            carla.cmd("export", args)
        replies = carla.press_data(f"ex:{fmt}")
        outline = read(fmt, replies[0].document.content)
        text = repr(outline)
        assert "Zuidrand-doel" in text
        assert "Rivierenland" not in text and "Anna" not in text and "Bram" not in text


# -- user text can never break a document ---------------------------------------------------

NASTY = [
    "a | b | c", "# Kop", "## Tweede kop\n### derde", "* ster", "- streep", "+ plus",
    "> citaat", "1. genummerd", "2) ook genummerd", "<script>alert(1)</script>",
    "<b>vet</b> en <i>schuin</i>", "<!-- commentaar -->", "<div>\nblok\n</div>",
    "`code` en ``meer``", "```\nfence\n```", "~~~\nfence\n~~~",
    "[link](http://example.org) en ![beeld](x.png)",
    "<http://autolink.example> en <mail@example.org>", "&lt;b&gt; &amp; &#60;script&#62;",
    "**vet** _schuin_ ~~door~~ __init__", "backslash \\ aan het eind \\",
    "| --- | --- |\n|---|---|", "Setext\n===\nnog een\n---", "    ingesprongen code",
    "regel een\r# regel twee\u2028> drie", "lange regel " + "x" * 5000,
    "[ ] taak en [x] klaar", "\x00nul\x1fen\x7fdel\x0bverticaal\x0cff",
    "emoji 📚🎉👩🏽‍💻 en vlag 🇳🇱", "עברית ومرحبا بالعالم \u202eomgekeerd\u202c",
    "\ufeffbom en \ufffe niet-teken",  # (a lone surrogate is never stored: not UTF-8)
    "]]> </w:t> <w:p/> \"quote\" 'apos'",
]


def fill(db, library_id: int, author: dict, text: str, now) -> None:
    """Answers for the whole flow with ``text`` in every place user text can go."""
    goal, kpi, tactic = f"doel {text}", f"kpi {text}", f"elke vrijdag {text}"
    answers = [
        ("goals.offline", "", [text, "tweede doel"]), ("goals.online", "", [text]),
        ("goals.focus", "", "g1"), ("goals.hours", "", {"value": 4, "percent": False}),
        ("audience.groups", "", ["parents_young"]), ("audience.ages", "", ["age_30_39"]),
        ("audience.words", "", text), ("audience.media", "", ["instagram"]),
        ("mission.why", "", text), ("mission.statement", "", text),
        ("sm_goals.list", "", [goal]), ("sm_goals.link", goal, "g1"),
        ("kpis.per_goal", goal, [kpi]),
        ("kpis.baseline", kpi, {"value": 1, "percent": False, "unit": None}),
        ("kpis.target", kpi, {"value": 10, "percent": False, "unit": None}),
        ("kpis.period", kpi, "week"), ("kpis.deadline", kpi, "m6"),
        ("tactics.channels", "", ["instagram"]), ("tactics.list", "", [tactic]),
        ("tactics.listening", "", text), ("tactics.conversation", "", text),
        ("tactics.webcare", "", f"{text}; Bram is backup"),
        ("measure.per_tactic", tactic, text), ("measure.rhythm", "", "monthly"),
        ("measure.owner", "", text),
    ]
    give(db, library_id, author, answers, now)


def nasty_library(coach, db, name: str, text: str) -> int:
    user = Chat(coach, f"test:{abs(hash(text))}", "Coördinator")
    user.create_library("Bieb " + text[:60])
    library_id = user.user()["library_id"]
    fill(db, library_id, {"id": user.user_id, "name": name[:200]}, text, coach.clock())
    return library_id


def shape(outline) -> list:
    """The structure without the text: the headings (the title aside), and under each
    the kinds of entries and the tables' column counts. (How many fields a plan shows
    depends on what the text names: a "#" is a place to listen, a capital a name.)"""
    out, kinds = [], set()
    for e in outline[1:]:
        if e[0] == "h":
            out.append(sorted(kinds, key=str))
            out.append((e[1], e[2]))
            kinds = set()
        else:
            kinds.add(e[0] if e[0] != "table" else ("table", len(e[1][0])))
    return [*out, sorted(kinds, key=str)]


@pytest.fixture
def baseline(coach, db):
    library_id = nasty_library(coach, db, "Gewone naam", "gewone tekst")
    return {fmt: read(fmt, render_document(db, library_id, "nl", coach.clock(), fmt))
            for fmt in ALL}


@pytest.mark.parametrize("text", NASTY)
def test_hostile_text_stays_text_in_every_format(coach, db, baseline, text):
    library_id = nasty_library(coach, db, text, text)
    expected = " ".join(" ".join(_lines(text)).split())
    for fmt in ALL:
        content = render_document(db, library_id, "nl", coach.clock(), fmt)
        outline = read(fmt, content)
        assert shape(outline) == shape(baseline[fmt]), fmt
        mission = fields_of(section(outline, "Stap 3. Socialemediamissie"))["Missie"]
        if fmt == "md":
            tokens = PARSER.parse(content.decode())
            assert not any(t.type in ("html_block", "html_inline", "code_block", "fence")
                           for t in tokens)
            assert not any(c.type in ("html_inline", "link_open", "image", "code_inline")
                           for t in tokens if t.type == "inline" for c in t.children)
            assert "<script" not in PARSER.render(content.decode())
        elif fmt == "html":
            tags = set(html_tags(content.decode()))
            assert tags <= {"html", "head", "meta", "title", "style", "body", "article",
                            "header", "section", "h1", "h2", "h3", "h4", "dl", "dt", "dd",
                            "p", "em", "ul", "li", "table", "thead", "tbody", "tr", "th", "td",
                            "br", "figure", "img"}
            assert "<script" not in content.decode()
        clean = " ".join(expected.replace("\ufffe", "").split())  # not allowed in XML
        assert " ".join(mission.split()) in (expected, clean), fmt
        (overview,) = tables_of(section(outline, "Overzicht: van doel tot meting"))
        assert len(overview) == 2 and overview[1][2].startswith("kpi ")
        points = texts_of(section(outline, "Open punten"), "item")
        assert points == texts_of(section(baseline[fmt], "Open punten"), "item")


def test_a_huge_library_name_and_author_keep_the_title_readable(coach, db):
    library_id = nasty_library(coach, db, "N" * 3000, "x")
    for fmt in ALL:
        outline = read(fmt, render_document(db, library_id, "nl", coach.clock(), fmt))
        assert len(headings(outline, 1)) == 1


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a | b", "a \\| b"), ("# kop", "\\# kop"), ("#bieb", "#bieb"), ("1.200", "1.200"),
        ("1. item", "1\\. item"), ("<b>", "\\<b\\>"), ("utm_source", "utm_source"),
        ("_x_", "\\_x\\_"), ("&amp;", "\\&amp;"), ("Klik & Tik", "Klik & Tik"),
        ("- a\n- b", "\\- a \\- b"),
    ],
)
def test_markdown_escaping_keeps_ordinary_text_readable(text, expected):
    assert md(text) == expected


def test_table_cells_are_one_line_and_never_empty():
    assert cell("a\nb\r\nc") == "a b c"
    assert cell("") == "—" and cell(None) == "—"
    assert len(cell("y" * 1000)) == 300


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def db_file(tmp_path, clock) -> Path:
    path = tmp_path / "coach.db"
    coach = open_coach(str(path), clock=clock)
    anna = Chat(coach, "test:anna", "Anna")
    anna.create_library("Bibliotheek Rivierenland")
    walk(anna)
    for name in ("Bibliotheek Noord", "Bibliotheek Noordoost"):
        Chat(coach, f"test:{name}", "X").create_library(name)
    coach.db.close()
    return path


def run_cli(db_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COACH_DB": str(db_file), "LANG": "C.UTF-8", "LC_ALL": ""}
    return subprocess.run([sys.executable, "bot.py", "export", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)


def test_the_command_line_exports_each_format_by_name_or_id(db_file, tmp_path):
    done = run_cli(db_file, "--library", "rivierenland")
    assert done.returncode == 0, done.stderr
    outline = read("md", done.stdout)
    assert headings(outline, 1) == ["Socialemediastrategie van Bibliotheek Rivierenland"]
    for fmt in ALL:
        out = tmp_path / f"out.{fmt}"
        done = run_cli(db_file, "--library", "1", "--format", fmt, "-o", str(out), "--lang", "en")
        assert done.returncode == 0, done.stderr
        assert headings(read(fmt, out.read_bytes()), 1) == [
            "Social media strategy of Bibliotheek Rivierenland"]
        assert str(out) in done.stdout.decode()


def test_the_command_line_refuses_an_unknown_format(db_file):
    done = run_cli(db_file, "--library", "1", "--format", "pdf")
    assert done.returncode == 2 and done.stdout == b""
    assert b"invalid choice" in done.stderr


@pytest.mark.parametrize(
    "name,message",
    [("Bibliotheek Nergens", "No library is called"), ("Noord", "Several libraries match"),
     ("bibliotheek", "Several libraries match")],
)
def test_the_command_line_refuses_an_unknown_or_ambiguous_name(db_file, name, message):
    done = run_cli(db_file, "--library", name)
    assert done.returncode == 2 and done.stdout == b""
    stderr = done.stderr.decode()
    assert len(stderr.strip().splitlines()) == 1 and message in stderr


def test_an_exact_name_wins_over_a_longer_one(db_file):
    from coach.storage.db import open_db

    db = open_db(str(db_file))
    assert find_library(db, "bibliotheek noord")["name"] == "Bibliotheek Noord"
    assert find_library(db, " Noordoost ")["name"] == "Bibliotheek Noordoost"


def test_the_readme_excerpt_is_what_the_export_writes(strategy, render):
    """The README shows a piece of a generated document: every line of it is a line
    the Markdown export of the tests' example library really has."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("An excerpt (Markdown, from the tests' example library):")[1]
    excerpt = excerpt.split("```markdown\n", 1)[1].split("```", 1)[0]
    written = set(render(strategy[2], "md").decode().splitlines())
    shown = [line for line in excerpt.splitlines() if line.strip() not in ("", "…")]
    assert len(shown) > 20
    assert [line for line in shown if line not in written] == []
