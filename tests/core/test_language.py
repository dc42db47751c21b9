"""The language fixes of issue 17, as users meet them: plurals, the step header once,
the pacing sentence only where it matters, no false "gepauzeerd", /overzicht with the
answers, and buttons that read well without emoji."""

from __future__ import annotations

import re
import unicodedata

import pytest
from jinja2 import ChainableUndefined
from markupsafe import Markup

from coach.core.texts import environment, plural, render, template_names
from coach.flow.model import ROOT, load_flow
from tests.support.walk import TYPED, walk


@pytest.mark.parametrize("lang,count,expected", [
    ("nl", 0, "Er staan nog 0 vragen"), ("nl", 1, "Er staat nog 1 vraag"),
    ("nl", 3, "Er staan nog 3 vragen"), ("nl", 1200, "Er staan nog 1.200 vragen"),
    ("en", 0, "There are 0 questions"), ("en", 1, "There is 1 question"),
    ("en", 3, "There are 3 questions"), ("en", 1200, "There are 1,200 questions"),
])
def test_plural_forms_for_zero_one_and_many(lang, count, expected):
    one, many = (("Er staat nog # vraag", "Er staan nog # vragen") if lang == "nl"
                 else ("There is # question", "There are # questions"))
    assert plural(count, one, many, lang) == expected


@pytest.mark.parametrize("lang,words", [("nl", ("teken", "tekens")),
                                        ("en", ("character", "characters"))])
def test_plural_in_a_template_follows_the_templates_language(lang, words):
    assert f"1 {words[0]})" in render(lang, "errors.too_short", min=1)
    assert f"5 {words[1]})" in render(lang, "errors.too_short", min=5)
    assert plural(2, "x", "xs", zero="none") == "2 xs"
    assert plural(0, "x", "xs", zero="none") == "none"


@pytest.mark.parametrize("lang,todo,expected", [
    ("nl", 1, "Er staat nog 1 vraag op je lijstje voor later. Druk op Verder om die nu te doen."),
    ("nl", 2, "Er staan nog 2 vragen op je lijstje voor later. Druk op Verder om ze nu te doen."),
    ("en", 1, "There is 1 question left on your list for later. Press Continue to do it now."),
    ("en", 2, "There are 2 questions left on your list for later. Press Continue to do them now."),
])
def test_the_to_do_list_at_the_end_counts_properly(lang, todo, expected):
    assert expected in render(lang, "all_done", notice="", todo=todo, coordinator=True)
    assert "lijstje" not in render("nl", "all_done", notice="", todo=0, coordinator=True)


def test_a_skipped_question_is_not_called_hij(anna):
    anna.cmd("overslaan")
    assert "De vraag staat op je lijstje" in anna.texts()
    assert "hij staat" not in anna.texts()


def test_the_step_header_is_shown_once(chat):
    anna = chat("Anna")
    anna.create_library()
    text = anna.texts()
    assert text.count("Stap 1 van 7") == 1  # the intro names the step ...
    assert "<i>Vraag 1 van 4</i>" in anna.replies[-1].text  # ... the question only itself
    anna.say(TYPED["goals.offline"])  # a later question, alone: the full header
    assert "Stap 1 van 7 · Online en offline doelen · vraag 2 van 4" in anna.last
    walk(anna, until="audience.groups")
    assert anna.texts().count("Stap 2 van 7") == 1


def test_resuming_at_a_step_start_also_names_the_step_once(anna):
    anna.cmd("pauze")
    anna.cmd("verder")
    assert anna.texts().count("Stap 1 van 7") == 1


def summaries_of_a_walk(user, answers) -> list[str]:
    """Answer the whole flow; the text of each step's summary, in order."""
    summaries = []
    for _ in range(150):
        summaries.extend(r.text for r in user.replies if r.key == "step_summary")
        row = user.user()
        if row["mode"] == "done":
            return summaries
        if row["mode"] == "step_done":
            user.press_data("n:continue")
        elif confirm := [b for b in user.buttons() if b.startswith(("y:", "f:keep:"))]:
            user.press_data(confirm[0])
        else:
            user.say(answers[row["question_id"]])
    raise AssertionError("the walk did not finish")


@pytest.mark.parametrize("lang,phrase", [("nl", "Rustig aan"), ("en", "Small steps")])
def test_the_pacing_sentence_is_not_said_after_every_step(chat, lang, phrase):
    user = chat("Sam", lang_hint=lang)
    user.create_library()
    english = {**TYPED, "measure.rhythm": "monthly"} if lang == "en" else TYPED
    summaries = summaries_of_a_walk(user, english)
    assert len(summaries) == 7
    assert [i for i, s in enumerate(summaries, 1) if phrase in s] == [1]
    endings = {s.rsplit("\n", 1)[-1].split("(")[0] for s in summaries}
    assert len(endings) >= 3  # the closing sentence varies: first, halfway, last, others


def test_no_false_pause_after_a_steps_summary(anna):
    for qid in ("goals.offline", "goals.online", "goals.focus", "goals.hours"):
        anna.say(TYPED[qid])
    assert anna.user()["mode"] == "step_done"
    anna.say("wat nu?")
    assert "gepauzeerd" not in anna.texts().lower()
    assert "Op naar stap 2 (Doelgroep en mediagebruik)?" in anna.last
    anna.cmd("taal", "en")  # the language changes; where she is is said truthfully
    assert "paused" not in anna.texts().lower()
    assert "Ready for step 2 (Audience and media use)?" in anna.last


def test_paused_only_after_pausing_and_the_hint_never_says_so(anna):
    anna.cmd("pauze")
    assert anna.templates()[-1] == "paused"
    anna.say("Meer online aanmeldingen")
    assert "gepauzeerd" not in anna.last.lower()
    assert "Je was bij stap 1 (Online en offline doelen)" in anna.last


def test_the_overview_shows_the_librarys_answers_per_step(anna):
    for qid in ("goals.offline", "goals.online", "goals.focus", "goals.hours"):
        anna.say(TYPED[qid])
    anna.cmd("overzicht")
    text = anna.last
    assert "Meer kinderen lid maken; Taalcafé elke week vol" in text
    assert "Meer online aanmeldingen voor activiteiten" in text
    assert len(text) < 4096


def test_the_overview_shortens_long_answers(anna):
    anna.say("Meer kinderen lid maken en nog veel meer woorden;"
             + " Een vol taalcafé elke week" * 5)
    anna.cmd("overzicht")
    line = next(x for x in anna.last.splitlines() if "Meer kinderen lid maken" in x)
    assert line.endswith("…") and len(line) < 120


def leading_pictograph(label: str) -> bool:
    """True when ``label`` starts with an emoji or another pictograph (a symbol a screen
    reader reads aloud as a name: "check mark button", "calendar"), or a keycap."""
    text = label.lstrip()
    if not text:
        return False
    first = text[0]
    return (unicodedata.category(first) in ("So", "Sk", "Co", "Cs")
            or 0x2190 <= ord(first) <= 0x2BFF or first in "\ufe0f\u200d"
            or text[1:2] in ("\ufe0f", "\u20e3"))


@pytest.mark.parametrize("label,leading", [
    ("✅ Ja", True), ("📅 Check-in nu", True), ("⏭ Later", True), ("↩️ Terug", True),
    ("▶ Verder", True), ("1️⃣ Eén", True), ("🇳🇱 Nederlands", True), ("Ja ✅", False),
    ("2. Doelgroep", False), ("Later", False), ("„Klik & Tik”", False), ("", False),
])
def test_leading_pictographs_are_recognised(label, leading):
    assert leading_pictograph(label) is leading


# the templates of the buttons made in the code: turn.button("x.y", ...), label(lang, "y"),
# and f-strings of either (matched against the blocks they can name)
BUTTON_CALL = re.compile(r'(?:\.button|\blabel)\(\s*(?:[\w.]+,\s*)?(f?)"([^"]+)"')
NAMED_LIKE_A_LABEL = re.compile(r"^(labels\.\w+|\w+\.(?:label_|btn_)\w+|\w+\.\w*_button)$")


def button_templates(lang: str) -> set[str]:
    """Every template name the code uses as a button label, and every block named like
    one (``labels.*``, ``*.label_*``, ``*.btn_*``, ``*.*_button``)."""
    names = template_names(lang)
    used: set[str] = set()
    for path in (ROOT / "coach").rglob("*.py"):
        for is_f, name in BUTTON_CALL.findall(path.read_text()):
            name = name if "." in name else f"labels.{name}"
            if is_f:
                parts = re.split(r"\{[^}]*\}", name)  # an f-string's {...}: any word
                pattern = re.compile(r"\w+".join(map(re.escape, parts)) + "$")
                used |= {n for n in names if pattern.match(n)}
            else:
                used.add(name)
    return used | {n for n in names if NAMED_LIKE_A_LABEL.match(n)}


def render_label(lang: str, name: str) -> str:
    """A label template rendered with every value it asks for left empty (numbers: 1)."""
    env = environment().overlay(undefined=ChainableUndefined)
    file, _, block = name.partition(".")
    template = env.get_template(f"{lang}/{file}.j2")
    text = "".join(template.blocks[block](template.new_context(
        {"lang": lang, "day": 1, "month": 1, "year": 2027, "count": 1})))
    return str(Markup(text).unescape()).strip()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_button_label_starts_with_an_emoji(chat, clock, lang):
    """Screen readers read a leading emoji aloud before the words. Checked: every label
    template and flow label, and every button of a walk through the whole flow, a team
    with decisions, a check-in and the settings."""
    templates = button_templates(lang)
    assert {"labels.continue", "checkins.label_skip", "team.btn_remove", "web.open_button",
            "feedback.take", "export_reply.label_docx"} <= templates
    labels = {f"template {n}": render_label(lang, n) for n in templates}
    flow = load_flow()
    for q in flow.questions.values():
        labels[f"question {q.id}"] = q.label[lang]
        labels.update({f"option {q.id}.{o.id}": o.label[lang] for o in q.options})

    anna = chat("Sam", lang_hint=lang)
    anna.create_library()
    bram = chat("Bram", lang_hint=lang)
    bram.cmd("start", anna.invite_code())
    walk(bram, until="goals.online", answers={"goals.offline": "Een vol taalcafé"})
    english = {**TYPED, "measure.rhythm": "monthly"} if lang == "en" else {}
    walk(anna, until="audience.media", answers=english)
    anna.press_data(next(b for b in anna.buttons() if b.startswith("o:")))  # a toggle
    walk(anna, answers=english)
    for command, args in [("overview", ""), ("settings", ""), ("team", ""), ("invite", ""),
                          ("edit", ""), ("restart", ""), ("forget", ""), ("export", ""),
                          ("decide", ""), ("assign", ""), ("language", ""),
                          ("delete_library", ""), ("checkin", ""), ("help", "")]:
        anna.cmd(command, args)
        for press in ("t:m:", "v:m:", "s:", "d:"):
            if found := [b for b in anna.buttons() if b.startswith(press)]:
                anna.press_data(found[0])
    for _ in range(12):  # the check-in: a number for each KPI, until it is done
        if anna.user()["mode"] != "checkin":
            break
        anna.say("12")
    labels.update({f"shown {b.data}": b.label for r in anna.history + bram.history
                   for b in r.buttons()})
    assert any(k.startswith("shown ci:") for k in labels), "no check-in was shown"
    wrong = {k: v for k, v in labels.items() if leading_pictograph(v)}
    assert wrong == {}
