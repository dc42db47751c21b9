"""The coordinator's export: the strategy as a Markdown document, checked by parsing it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from coach.core.engine import Coach
from coach.features.export.feature import build_export, find_library
from coach.features.export.markdown import _lines, cell, md
from coach.flow.model import load_flow
from coach.storage import measurements
from coach.wiring import open_coach
from tests.support import ROOT
from tests.support.answers import give
from tests.support.chat import Chat
from tests.support.walk import TYPED, kpi_key, walk

FLOW = load_flow()
PARSER = MarkdownIt("commonmark").enable("table")
NEXT = {"nl": "Volgende kleine stappen", "en": "Next small steps"}
KPI_HEADER = {
    "nl": ["Doel", "KPI", "Streefwaarde", "Meetmethode", "Laatste waarde", "Trend"],
    "en": ["Goal", "KPI", "Target", "Measurement method", "Latest value", "Trend"],
}
INLINE_TEXT = {"text", "text_special", "softbreak", "hardbreak"}


# -- reading the document back -----------------------------------------------------------


def plain(inline) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        else:
            parts.append(child.content)
    return "".join(parts)


def parse(text: str):
    return PARSER.parse(text)


def headings(tokens, tag: str) -> list[str]:
    return [plain(tokens[i + 1]) for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == tag]


def tables(tokens) -> list[list[list[str]]]:
    """Every table as rows of cell texts (the header row first)."""
    found, rows, row = [], None, None
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            rows = []
        elif t.type == "tr_open":
            row = []
        elif t.type in ("th_open", "td_open"):
            row.append(plain(tokens[i + 1]))
        elif t.type == "tr_close":
            rows.append(row)
        elif t.type == "table_close":
            found.append(rows)
    return found


def section(tokens, title: str) -> list[str]:
    """The texts of the inline tokens after heading ``title`` up to the next heading."""
    texts, inside = [], False
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            inside = plain(tokens[i + 1]) == title
            continue
        if inside and t.type == "inline" and tokens[i - 1].type != "heading_open":
            texts.append(plain(t))
    return texts


def shape(tokens) -> list:
    """The document's structure: block tokens, and the inline markup that is not text."""
    out = []
    for t in tokens:
        if t.type == "inline":
            out.append(tuple(c.type for c in t.children if c.type not in INLINE_TEXT))
        else:
            out.append((t.type, t.tag))
    return out


def no_raw_html(tokens) -> bool:
    return not any(t.type in ("html_block", "html_inline") for t in tokens) and not any(
        c.type == "html_inline" for t in tokens if t.type == "inline" for c in t.children)


def step_titles(lang: str = "nl") -> list[str]:
    return [f"{s.number}. {s.title[lang]}" for s in FLOW.steps]


def export_of(chat: Chat) -> str:
    replies = chat.cmd("export")
    assert len(replies) == 1 and replies[0].document is not None
    document = replies[0].document
    assert document.filename.endswith(".md") and document.mime_type == "text/markdown"
    return document.content.decode("utf-8")


# -- building strategies ---------------------------------------------------------------------


def team_of_two(chat) -> tuple[Chat, Chat]:
    anna = chat("Anna")
    anna.create_library("Bibliotheek Rivierenland")
    code = anna.invite_code()
    walk(anna)
    bram = chat("Bram")
    bram.cmd("start", code)
    anna.cmd("verdeel", "Bram: stap 1, 3 en 5")  # Bram gives his view on these steps
    bram.cmd("verder")
    walk(bram, answers={"goals.offline": "Meer jongeren in de studiezaal",
                        "mission.statement": "De bieb is van iedereen, ook online.",
                        "kpis.per_goal": "Bereik; Reacties", "kpis.target": "12%"})
    return anna, bram


def measure(db, library_id: int, kpi: str, weekly: list[float], clock) -> None:
    author = {"id": "test:anna", "name": "Anna"}
    kpi = kpi_key(db, library_id, kpi)
    for week, value in enumerate(weekly, start=40):
        measurements.record(db, library_id=library_id, kpi=kpi, week=f"2026-W{week}", value=value,
                            percent=False, author=author, now=clock())


def test_a_full_two_member_strategy_exports_every_step_answer_and_kpi(chat, db, clock):
    anna, bram = team_of_two(chat)
    library_id = anna.user()["library_id"]
    measure(db, library_id, "Aanmeldingen", [700, 800, 900, 1000, 1100], clock)
    measure(db, library_id, "Nieuwe leden", [12], clock)
    text = export_of(anna)
    tokens = parse(text)

    assert headings(tokens, "h1") == ["Socialemediastrategie van Bibliotheek Rivierenland"]
    assert headings(tokens, "h2") == [*step_titles(), NEXT["nl"]]
    header = section(tokens, headings(tokens, "h1")[0])
    assert "Geëxporteerd op: 2026-11-23" in header
    assert "Team: Anna (coördinator), Bram" in header
    total = len(Chat(anna.coach, "test:anna", "Anna").coach.flow.order)
    complete = next(line for line in header if line.startswith("Hoe compleet"))
    assert "(100%)" in complete and int(complete.split()[2]) >= total
    # several colleagues' answers to one question are all there, each with its author
    offline = section(tokens, "Offline doelen")
    assert offline[:2] == ["Anna:", "Meer kinderen lid maken"]
    assert "Bram:" in offline and "Meer jongeren in de studiezaal" in offline
    mission = section(tokens, "Missie")
    assert "Anna: Wij verbinden inwoners met verhalen, kennis en elkaar." in mission
    assert "Bram: De bieb is van iedereen, ook online." in mission
    # the channel data the coach showed, with figure, year and source
    where = " ".join(section(tokens, "Waar is deze doelgroep online?"))
    assert "%" in where and "bron:" in where and "2024" in where
    assert "14-15 jaar" in where  # the teens the team chose get teen figures
    assert section(tokens, "Kanaalcheck")
    # measurement per tactic: each tactic with its method
    per_tactic = section(tokens, "Meetmethode")
    assert "“Elke vrijdag een boekentip-reel”" in per_tactic
    # the KPI table: one row per KPI, six columns, latest value and trend
    (table,) = tables(tokens)
    assert table[0] == KPI_HEADER["nl"]
    rows = {row[1]: row for row in table[1:]}
    assert all(len(row) == 6 for row in table)
    # the library's KPIs are the coordinator's: Bram's are a proposal until she decides
    assert set(rows) == {"Aanmeldingen", "Nieuwe leden"}
    assert rows["Aanmeldingen"][4] == "1.100 (2026-W44)" and rows["Aanmeldingen"][5] == "↑"
    assert rows["Nieuwe leden"][4:] == ["12 (2026-W40)", "—"]
    assert rows["Aanmeldingen"][3] == "Maandelijks · Fatima van marketing"
    # complete strategy: next small steps come from the catalogue
    steps = section(tokens, NEXT["nl"])
    assert len(steps) >= 2 and "minuten" in steps[1]
    assert "Nog te doen" not in text
    assert no_raw_html(tokens)


def test_the_export_is_in_the_coordinators_language(chat):
    sam = chat("Sam")
    sam.create_library("Example Library")
    walk(sam)
    sam.cmd("taal", "en")
    text = export_of(sam)
    tokens = parse(text)
    assert headings(tokens, "h2") == [*step_titles("en"), NEXT["en"]]
    assert tables(tokens)[0][0] == KPI_HEADER["en"]
    assert sam.replies[0].document.filename.startswith("strategy-example-library-")


def test_a_half_finished_strategy_lists_its_open_questions_as_to_do(chat):
    anna = chat("Anna")
    anna.create_library()
    for qid in ("goals.offline", "goals.online"):
        anna.say(TYPED[qid])
    anna.cmd("overslaan")  # goals.focus
    anna.say(TYPED["goals.hours"])
    anna.press("Verder")
    anna.say(TYPED["audience.groups"])
    text = export_of(anna)
    assert "4 van" in anna.replies[0].text
    tokens = parse(text)
    assert headings(tokens, "h2") == [*step_titles(), NEXT["nl"]]
    assert section(tokens, "Eerste doel") == ["Nog te doen (overgeslagen door Anna)"]
    assert section(tokens, "Leeftijden") == ["Nog te doen"]
    # foreach questions whose list is not answered yet are to do as well
    assert section(tokens, "KPI's")[0].startswith("Nog te doen: deze vraag komt na")
    assert section(tokens, "KPI-tabel") == ["Nog te doen: er zijn nog geen KPI's."]
    header = section(tokens, headings(tokens, "h1")[0])
    complete = next(line for line in header if line.startswith("Hoe compleet"))
    assert complete.startswith("Hoe compleet: 4 van ")
    nxt = section(tokens, NEXT["nl"])
    assert nxt[0].startswith("Maak eerst de strategie af")
    assert nxt[1].startswith("Stap 1, Eerste doel: Met welk doel") and "overgeslagen" in nxt[1]
    assert nxt[2].startswith("Stap 2, Leeftijden: ")
    assert len(nxt) == 4  # three open questions, then nothing else
    assert no_raw_html(tokens)
    assert tables(tokens) == []


# -- user text can never break the structure ------------------------------------------------

NASTY = [
    "a | b | c",
    "# Kop",
    "## Tweede kop\n### derde",
    "* ster",
    "- streep",
    "+ plus",
    "> citaat",
    "1. genummerd",
    "2) ook genummerd",
    "<script>alert(1)</script>",
    "<b>vet</b> en <i>schuin</i>",
    "<!-- commentaar -->",
    "<div>\nblok\n</div>",
    "`code` en ``meer``",
    "```\nfence\n```",
    "~~~\nfence\n~~~",
    "[link](http://example.org) en ![beeld](x.png)",
    "<http://autolink.example> en <mail@example.org>",
    "&lt;b&gt; &amp; &#60;script&#62;",
    "**vet** _schuin_ ~~door~~ __init__",
    "backslash \\ aan het eind \\",
    "| --- | --- |\n|---|---|",
    "Setext\n===\nnog een\n---",
    "    ingesprongen code",
    "regel een\r# regel twee\u2028> drie",
    "lange regel " + "x" * 5000,
    "[ ] taak en [x] klaar",
    "\x00nul\x1fen\x7fdel",
]


def fill(db, library_id: int, author: dict, text: str, now) -> None:
    """Answers for the whole flow with ``text`` in every place user text can go."""
    goal, kpi, tactic = f"doel {text}", f"kpi {text}", f"tactiek {text}"
    answers = [
        ("goals.offline", "", [text, "tweede doel"]), ("goals.online", "", [text]),
        ("goals.focus", "", text), ("audience.groups", "", ["parents_young"]),
        ("audience.ages", "", ["age_30_39"]), ("audience.words", "", text),
        ("audience.media", "", ["instagram"]), ("mission.why", "", text),
        ("mission.statement", "", text), ("sm_goals.list", "", [goal]),
        ("sm_goals.link", goal, text), ("kpis.per_goal", goal, [kpi]),
        ("kpis.target", kpi, {"value": 10, "percent": False, "unit": None}),
        ("tactics.channels", "", ["instagram"]), ("tactics.list", "", [tactic]),
        ("tactics.listening", "", text), ("tactics.webcare", "", text),
        ("measure.per_tactic", tactic, text), ("measure.rhythm", "", "monthly"),
        ("measure.owner", "", text),
    ]
    give(db, library_id, author, answers, now)


def nasty_export(coach: Coach, db, name: str, text: str) -> str:
    user = Chat(coach, f"test:{abs(hash(text))}", name[:200])
    user.create_library("Bieb " + str(abs(hash(text)))[:6])
    library_id = user.user()["library_id"]
    fill(db, library_id, {"id": user.user_id, "name": name}, text, coach.clock())
    return build_export(db, library_id, "nl", coach.clock()).text


@pytest.mark.parametrize("text", NASTY)
def test_user_text_never_changes_the_documents_structure(coach, db, text):
    baseline = parse(nasty_export(coach, db, "Gewone naam", "gewone tekst"))
    document = nasty_export(coach, db, text, text)
    tokens = parse(document)
    assert shape(tokens) == shape(baseline)  # same blocks, no links, code, HTML or emphasis
    assert headings(tokens, "h2") == [*step_titles(), NEXT["nl"]]
    assert no_raw_html(tokens)
    assert "<script" not in PARSER.render(document)
    # the text itself shows as typed: line by line in paragraphs, on one line in cells
    lines = _lines(text)
    assert "\n".join(lines) in section(tokens, "Missie")[0]
    (table,) = tables(tokens)
    assert [len(row) for row in table] == [6, 6]
    flat = " ".join(" ".join(lines).split())
    expected_cell = f"kpi {flat}" if len(f"kpi {flat}") <= 300 else None
    if expected_cell:
        assert table[1][1] == expected_cell
    else:
        assert table[1][1].endswith("…") and len(table[1][1]) == 300
    assert table[1][3].startswith("Maandelijks · ")


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


# -- who may export --------------------------------------------------------------------------


def test_a_member_gets_a_clear_refusal_and_no_document(chat):
    anna, bram = team_of_two(chat)
    replies = bram.cmd("export")
    assert [r.document for r in replies] == [None]
    assert "alleen de coördinator" in replies[0].text and "Anna" in replies[0].text


def test_without_a_library_there_is_nothing_to_export(chat):
    dirk = chat("Dirk")
    replies = dirk.cmd("export")
    assert all(r.document is None for r in replies)
    assert "nog niet bij een bibliotheek" in replies[0].text


def test_a_coordinator_only_ever_exports_their_own_library(chat):
    anna, bram = team_of_two(chat)
    carla = chat("Carla")
    carla.create_library("Bibliotheek Zuidrand")
    carla.say("Zuidrand-doel")
    for args in ("", "1", "Bibliotheek Rivierenland"):
        replies = carla.cmd("export", args)
        text = replies[0].document.content.decode()
        assert "Zuidrand-doel" in text
        assert "Rivierenland" not in text and "Anna" not in text and "Bram" not in text


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
                          capture_output=True, text=True, timeout=60)


def test_the_command_line_exports_by_name_or_id(db_file, tmp_path):
    done = run_cli(db_file, "--library", "rivierenland")
    assert done.returncode == 0, done.stderr
    tokens = parse(done.stdout)
    assert headings(tokens, "h2") == [*step_titles(), NEXT["nl"]]
    assert headings(tokens, "h1") == ["Socialemediastrategie van Bibliotheek Rivierenland"]
    out = tmp_path / "out.md"
    done = run_cli(db_file, "--library", "1", "-o", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith(
        "# Social media strategy of Bibliotheek Rivierenland\n")


@pytest.mark.parametrize(
    "name,message",
    [("Bibliotheek Nergens", "No library is called"), ("Noord", "Several libraries match"),
     ("bibliotheek", "Several libraries match")],
)
def test_the_command_line_refuses_an_unknown_or_ambiguous_name(db_file, name, message):
    done = run_cli(db_file, "--library", name)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr


def test_an_exact_name_wins_over_a_longer_one(db_file):
    from coach.storage.db import open_db

    db = open_db(str(db_file))
    assert find_library(db, "bibliotheek noord")["name"] == "Bibliotheek Noord"
    assert find_library(db, " Noordoost ")["name"] == "Bibliotheek Noordoost"
