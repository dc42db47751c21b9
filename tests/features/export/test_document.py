"""The strategy document has the same structure in Markdown, .docx and HTML: each is
parsed back (markdown-it-py, python-docx, html.parser) into one outline and checked."""

from __future__ import annotations

import pytest

from coach.storage import library_answers as library_store
from tests.features.export.conftest import FORMATS, KPIS
from tests.features.export.readers import (
    empty_headings,
    fields_of,
    headings,
    html_images,
    read,
    section,
    tables_of,
    texts_of,
)
from tests.support.walk import kpi_key

TITLES = {
    "nl": ["Samenvatting", "De zeven stappen", "Overzicht: van doel tot meting", "Rollen",
           "Luisteren en webcare", "Contentritme voor de eerste vier weken",
           "Resultaten tot nu toe", "Open punten",
           "Bijlage: bijdragen van collega's en geschiedenis"],
    "en": ["Summary", "The seven steps", "Overview: from goal to measurement", "Roles",
           "Listening and webcare", "Content rhythm for the first four weeks",
           "Results so far", "Open points", "Appendix: colleagues' contributions and history"],
}
STEP_TITLES = {
    "nl": ["Stap 1. Online en offline doelen", "Stap 2. Doelgroep en mediagebruik",
           "Stap 3. Socialemediamissie", "Stap 4. Socialemediadoelen", "Stap 5. KPI's",
           "Stap 6. Tactiek en kanalen", "Stap 7. Meten"],
    "en": [f"Step {n}. {t}" for n, t in enumerate(
        ["Online and offline goals", "Audience and media use", "Social media mission",
         "Social media goals", "KPIs", "Tactics and channels", "Measuring"], start=1)],
}
WORDS = {  # (date label, date in words, Friday, first goal label, coordinator)
    "nl": ("Datum", "25 november 2026", "vrijdag", "Eerste doel", "Anna (coördinator)"),
    "en": ("Date", "25 November 2026", "Friday", "First goal", "Anna (coordinator)"),
}


def without_images(outline):
    return [e for e in outline if e[0] != "image"]


@pytest.fixture
def outlines(strategy, render):
    _, _, library_id = strategy
    return {(fmt, lang): read(fmt, render(library_id, fmt, lang))
            for fmt in FORMATS for lang in ("nl", "en")}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_three_formats_have_the_same_document(outlines, lang):
    md, docx, html = (without_images(outlines[(f, lang)]) for f in ("md", "docx", "html"))
    assert md == docx == html
    assert len(md) > 60


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_title_block_and_sections(outlines, fmt, lang):
    outline = outlines[(fmt, lang)]
    date_label, in_words, *_, coordinator = WORDS[lang]
    title = "Socialemediastrategie van" if lang == "nl" else "Social media strategy of"
    assert headings(outline, 1) == [f"{title} Bibliotheek Rivierenland"]
    assert headings(outline, 2) == TITLES[lang]
    assert headings(outline, 3)[:7] == STEP_TITLES[lang]
    block = fields_of(outline[: outline.index(("h", 2, TITLES[lang][0]))])
    assert block[date_label] == in_words  # the date in words, not 2026-11-25
    assert block[{"nl": "Bijdragen van", "en": "Contributions from"}[lang]] == (
        f"{coordinator}, Bram")
    assert block[{"nl": "Versie", "en": "Version"}[lang]].startswith("2 ")
    assert empty_headings(outline) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_summary_holds_what_the_library_agreed(outlines, fmt):
    summary = section(outlines[(fmt, "nl")], "Samenvatting")
    assert fields_of(summary) == {
        "Missie": "Wij helpen inwoners van Rivierenland verhalen en kennis te vinden.",
        "Eerste doel": "Meer kinderen lid maken",
        "Doelgroepen": "Ouders van jonge kinderen, Scholieren en studenten, 30-39, Tieners (13-19)",
        "Kanalen": "Instagram, Facebook",
        "Tijd per week": "4 uur",
    }
    assert texts_of(summary, "item") == [
        "Aanmeldingen: van 0 naar 50 per week, vóór 23 mei 2027",
        "Bezoekers taalcafé: van 0 naar 200 per week, vóór 23 mei 2027"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_step_shows_one_library_answer_per_question(outlines, fmt):
    outline = outlines[(fmt, "nl")]
    for title in STEP_TITLES["nl"]:
        entries = section(outline, title)
        labels = [e[1] for e in entries if e[0] == "field"]
        assert labels and len(labels) == len(set(labels)), title
    goals = fields_of(section(outline, STEP_TITLES["nl"][0]))
    # Bram answered last: his goals are the library's; Anna's go to the appendix
    assert goals["Offline doelen"] == "Meer kinderen lid maken; Meer bezoekers in het taalcafé"
    assert "In gesprek" not in fields_of(section(outline, STEP_TITLES["nl"][5]))  # skipped
    kpis = fields_of(section(outline, "Stap 5. KPI's"))
    assert kpis["Streefwaarde: Aanmeldingen"] == "50"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_overview_links_each_kpi_to_its_goal_tactic_and_measurement(outlines, fmt):
    (overview,) = tables_of(section(outlines[(fmt, "nl")], "Overzicht: van doel tot meting"))
    assert overview[0] == ["Doel", "Socialemediadoel",
                           "KPI (nulmeting, streefwaarde, periode, deadline)",
                           "Tactiek (kanaal, ritme, eigenaar)", "Meting (bron, ritme, wie)"]
    rows = {row[2].split(" · ")[0]: row for row in overview[1:]}
    assert list(rows) == list(KPIS)  # one row per KPI
    signups, visitors = rows["Aanmeldingen"], rows["Bezoekers taalcafé"]
    assert signups[:2] == ["Meer kinderen lid maken",
                           "50 aanmeldingen VoorleesExpress via Instagram vóór 1 juni"]
    assert signups[2] == ("Aanmeldingen · nulmeting 0 · streefwaarde 50 · per week"
                          " · vóór 23 mei 2027")
    assert signups[3] == ("Elke vrijdag een boekentip-reel op Instagram"
                          " (Instagram · Elke vrijdag)")
    assert visitors[3].startswith("Elke maand een Facebook-evenement voor het taalcafé"
                                  " (Facebook · Elke maand")
    assert signups[4] == "Tellen hoeveel mensen reageren · Maandelijks · Fatima van marketing"


@pytest.mark.parametrize("fmt", FORMATS)
def test_roles_with_their_backup_and_the_listening_and_webcare_plan(outlines, fmt):
    outline = outlines[(fmt, "nl")]
    (roles,) = tables_of(section(outline, "Rollen"))
    assert roles == [
        ["Taak", "Wie", "Backup"],
        ["De strategie bijhouden en knopen doorhakken", "Anna", "—"],
        ["Vragen en reacties beantwoorden (webcare)", "Sanne van communicatie", "Bram"],
        ["De cijfers verzamelen", "Fatima van marketing", "Kim"],
    ]
    listening = fields_of(section(outline, "Luisteren"))
    assert listening == {
        "Afspraak": "Elke maandag 20 minuten de vermeldingen in OBI4wan bekijken",
        "Waar": "OBI4wan, vermeldingen", "Hoe vaak": "Elke maandag", "Tool": "OBI4wan"}
    webcare = fields_of(section(outline, "Webcare"))
    assert webcare["Wie antwoordt"] == "Sanne van communicatie"
    assert webcare["Backup"] == "Bram"
    assert "binnen vier uur" in webcare["Reactietijd"] and "tussen 9 en 17" in webcare["Uren"]
    assert texts_of(section(outline, "Webcare"), "note") == []  # nothing missing


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_content_rhythm_dates_the_four_fridays_as_a_proposal(outlines, fmt, lang):
    rhythm = section(outlines[(fmt, lang)], TITLES[lang][5])
    assert texts_of(rhythm, "note")[0].startswith({"nl": "Voorstel", "en": "A proposal"}[lang])
    (planned,) = tables_of(rhythm)
    friday = WORDS[lang][2]
    fridays = [row for row in planned[1:] if row[0].startswith(friday)]
    months = {"nl": "december", "en": "December"}[lang]
    assert [row[0] for row in fridays] == [f"{friday} {d} {months}" for d in (4, 11, 18, 25)]
    assert {row[1] for row in fridays} == {"Elke vrijdag een boekentip-reel op Instagram"}
    assert {row[2] for row in fridays} == {"Instagram"}
    monthly = [row for row in planned[1:] if row not in fridays]
    assert len(monthly) == 1 and "30" in monthly[0][0]  # once, in the first week


@pytest.mark.parametrize("fmt", FORMATS)
def test_results_as_a_table_and_a_chart_where_the_format_holds_images(
        strategy, render, outlines, fmt):
    results = section(outlines[(fmt, "nl")], "Resultaten tot nu toe")
    (table,) = tables_of(results)
    assert table[0] == ["KPI", "Nulmeting", "Streefwaarde", "Laatste waarde", "Week", "Trend",
                        "Metingen"]
    assert table[1] == ["Aanmeldingen", "0", "50", "24", "2026-W47", "↑ stijgt", "8"]
    assert table[2][0] == "Bezoekers taalcafé" and table[2][3] == "54"
    images = [e for e in results if e[0] == "image"]
    if fmt == "md":
        assert images == []
    else:
        assert len(images) == 1 and images[0][1].startswith("Grafiek")
    if fmt == "html":
        (src,) = html_images(render(strategy[2], "html").decode())
        assert src.startswith("data:image/png;base64,iVBORw0KGgo")  # embedded, a PNG


@pytest.mark.parametrize("fmt", FORMATS)
def test_open_points_instead_of_a_percentage_and_the_appendix(outlines, fmt):
    outline = outlines[(fmt, "nl")]
    points = texts_of(section(outline, "Open punten"), "item")
    assert points[0] == "Stap 6, In gesprek: overgeslagen door Anna."
    kept = [p for p in points if "bewaard ondanks de feedback" in p]
    assert len(kept) == 2 and kept[0].endswith(
        "„Tellen hoeveel mensen reageren” is bewaard ondanks de feedback: de meetmethode zegt"
        " niet waar de cijfers vandaan komen.")
    assert not any("%" in e[-1] for e in outline if e[0] in ("field", "para"))
    contributions = fields_of(section(outline, "Bijdragen van collega's"))
    assert contributions == {
        "Stap 1, Offline doelen": "Anna: Meer kinderen lid maken; Taalcafé elke week vol"}
    history = texts_of(section(outline, "Geschiedenis"), "item")
    assert history == ["23 november 2026, Anna, Stap 3, Missie: Wij verbinden inwoners met"
                       " verhalen, kennis en elkaar."]


# -- honest about what is missing ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_library_says_in_one_line_per_section_that_nothing_is_agreed(anna, render, fmt):
    outline = read(fmt, render(anna.user()["library_id"], fmt))
    assert headings(outline, 2) == TITLES["nl"]
    assert empty_headings(outline) == []
    assert section(outline, "Samenvatting") == [
        ("note", "Er is nog niets afgesproken, dus er valt nog niets samen te vatten.")]
    for title in STEP_TITLES["nl"]:
        assert section(outline, title) == [("note", "In deze stap is nog niets afgesproken.")]
    for title in ("Overzicht: van doel tot meting", "Resultaten tot nu toe",
                  "Bijlage: bijdragen van collega's en geschiedenis"):
        assert [e[0] for e in section(outline, title)] == ["note"], title
    assert section(outline, "Luisteren")[0][0] == "note"
    points = texts_of(section(outline, "Open punten"), "item")
    assert "Stap 1, Offline doelen: nog niet beantwoord." in points
    assert any(p.startswith("Stap 5, KPI's: volgt na") for p in points)
    assert tables_of(outline) == [[["Taak", "Wie", "Backup"],
                                   ["De strategie bijhouden en knopen doorhakken", "Anna", "—"]]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_a_kpi_does_not_have_yet_is_left_out(strategy, render, db, clock, fmt):
    """Baseline, period and deadline come from step 5's answers: the first KPI has them
    all; the second has none once the library's answers to them are taken back."""
    library_id = strategy[2]
    bare = kpi_key(db, library_id, "Bezoekers taalcafé")
    for qid in ("kpis.baseline", "kpis.target", "kpis.period", "kpis.deadline"):
        library_store.clear_library_answer(db, library_id, qid, bare, clock())
    outline = read(fmt, render(library_id, fmt))
    (overview,) = tables_of(section(outline, "Overzicht: van doel tot meting"))
    assert overview[1][2] == ("Aanmeldingen · nulmeting 0 · streefwaarde 50 · per week"
                              " · vóór 23 mei 2027")
    assert overview[2][2] == "Bezoekers taalcafé"
    assert texts_of(section(outline, "Samenvatting"), "item") == [
        "Aanmeldingen: van 0 naar 50 per week, vóór 23 mei 2027",
        "Bezoekers taalcafé: nog geen streefwaarde"]
    (results,) = tables_of(section(outline, "Resultaten tot nu toe"))
    assert results[1][:3] == ["Aanmeldingen", "0", "50"] and results[2][1:3] == ["—", "—"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_provisional_answer_is_a_proposal_and_open_decisions_are_listed(
        strategy, render, fmt):
    """A colleague's answer to a question the library has no answer to is shown as her
    proposal, never as the library's; her other proposals are open points."""
    anna, bram, library_id = strategy
    bram.cmd("wijzig")
    bram.press_data("s:tactics")
    bram.press("In gesprek")  # Anna skipped it: Bram's answer stands provisionally
    bram.say("Vragen stellen onder elke post en binnen een dag antwoorden")
    bram.cmd("wijzig")
    bram.press_data("s:audience")
    bram.press("Doelgroep in eigen woorden")  # Anna answered it: a proposal
    bram.say("Gezinnen met jonge kinderen uit de nieuwbouwwijk")
    outline = read(fmt, render(library_id, fmt))
    steps = fields_of(section(outline, "Stap 6. Tactiek en kanalen"))
    assert steps["In gesprek"] == ("Vragen stellen onder elke post en binnen een dag"
                                   " antwoorden (voorstel van Bram, nog niet besloten)")
    points = texts_of(section(outline, "Open punten"), "item")
    assert ("Stap 2, Doelgroep in eigen woorden: nog te beslissen in het team (bijdragen van"
            " Bram).") in points


def test_every_text_the_document_uses_is_in_both_languages():
    import re

    from coach.core.texts import template_names
    from tests.support import ROOT

    used = set()
    for path in (ROOT / "coach" / "features" / "export").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bw\(\s*\"(\w+)\"", source))
        used |= set(re.findall(r"\"((?:field|role|col)_\w+)\"", source))
    used |= {f"period_{p}" for p in ("week", "month", "total")}
    used |= {f"trend_{d}" for d in ("rising", "falling", "flat", "none")}
    # every weakness the coach can point out (a block of feedback.j2) has its one line
    kinds = {n.split(".", 1)[1] for n in template_names("nl") if n.startswith("feedback.")}
    used |= {f"weak_{k}" for k in kinds - {"keep", "take", "kept", "skipped_non_answer"}}
    used.add("weak_other")
    assert len(used) > 80
    for lang in ("nl", "en"):
        missing = {f"document.{u}" for u in used} - template_names(lang)
        assert not missing, f"{lang}: {sorted(missing)}"
