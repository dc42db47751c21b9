"""Channel advice: data file integrity, matching of typed audiences, advice rules and
the two advice templates."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from coach.core.texts import environment
from coach.features.advice.data import (
    AGE_IDS,
    CHANNEL_IDS,
    DEFAULT_PATH,
    GROUP_IDS,
    channel_name,
    load_channel_data,
)
from coach.features.advice.parsing import match_ages, match_groups
from tests.support import ROOT
from tests.support.html import parse_html, tags

# shared/ lies beside the checkout (CI lays a copy there); /work/shared on a workstation
DOMAIN = next((d / "nl_social_media.yaml" for d in (ROOT.parent / "shared" / "domain",
                                                     Path("/work/shared/domain"))
               if (d / "nl_social_media.yaml").exists()),
              ROOT.parent / "shared" / "domain" / "nl_social_media.yaml")
ADDITIONS = DOMAIN.with_name("nl_social_media_additions.yaml")  # entries with file: additions
RAW = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
DATA = load_channel_data()
MAX_MESSAGE_LENGTH = 4096


@pytest.fixture(scope="module")
def domain():
    """The domain files by the name a data entry gives in ``file`` (default: main)."""
    if not DOMAIN.exists() or not ADDITIONS.exists():
        pytest.skip("domain files not available")
    return {"main": yaml.safe_load(DOMAIN.read_text(encoding="utf-8")),
            "additions": yaml.safe_load(ADDITIONS.read_text(encoding="utf-8"))}


def _of(domain, entry):
    return domain[entry.get("file", "main")]


@pytest.fixture(scope="module")
def env():
    return environment()  # the coach's own: the templates as users get them


def render(env, name, **context):
    return env.get_template(name).render(**context)


# ---------------------------------------------------------------------------
# The data file
# ---------------------------------------------------------------------------
def test_data_loads_once_and_has_all_ids():
    assert load_channel_data() is DATA
    assert load_channel_data(DEFAULT_PATH) is DATA
    assert set(DATA.channels) == set(CHANNEL_IDS)
    assert set(DATA.groups) == set(GROUP_IDS)
    assert set(DATA.age_bands) == set(AGE_IDS)
    for group in DATA.groups.values():
        assert set(group.ages) <= set(AGE_IDS)
        assert group.label["nl"] and group.label["en"]
    for band in DATA.age_bands.values():
        assert set(band.data_bands) <= set(DATA.data_bands)
        assert set(band.cbs_bands) <= set(DATA.data_bands)


@pytest.mark.parametrize("i", range(len(RAW["figures"])))
def test_every_figure_has_source_year_and_measure(i):
    f = RAW["figures"][i]
    assert f["value"] is not None
    assert isinstance(f["year"], int) and 2000 < f["year"] < 2100
    assert f["measure"] in RAW["measures"]
    assert f["unit"] in ("percent", "million")
    assert f["source"] in RAW["sources"]
    for extra in f.get("also", []):
        assert extra in RAW["sources"]
    src = RAW["sources"][f["source"]]
    assert f["source_title"] == src["title"]
    assert f["publisher"] == src["publisher"]
    assert f["path"], "every figure says where it sits in the domain file"
    if f.get("platform") is not None:
        assert f["platform"] in CHANNEL_IDS
    if isinstance(f["value"], str):
        assert set(f["display"]) == {"nl", "en"}


def test_sources_exist_in_domain_file(domain):
    for sid, src in RAW["sources"].items():
        by_id = {s["id"]: s for s in _of(domain, src)["sources"]}
        assert sid in by_id, sid
        assert src["title"] == by_id[sid]["title"]
        assert src["publisher"] == by_id[sid]["publisher"]
        assert src["url"] == by_id[sid]["url"]


def _resolve(domain, path):
    node = domain
    for key in path:
        node = node[key]
    return node


def _sources_of(entry, default=None):
    src = entry.get("source", default) if isinstance(entry, dict) else default
    return set(src) if isinstance(src, list) else {src}


@pytest.mark.parametrize("i", range(len(RAW["figures"])))
def test_every_value_equals_a_value_in_the_domain_file(domain, i):
    f = RAW["figures"][i]
    node = _resolve(_of(domain, f), f["path"])
    if not isinstance(node, list):
        # a scalar in a table: {platform: value} or {band: value}
        assert node == f["value"]
        return
    key = f.get("field", "value")
    matches = [
        e
        for e in node
        if e.get(key) == f["value"]
        and e.get("year") == f["year"]
        and ("group" not in f or e.get("group") == f["group"])
    ]
    assert matches, f"no domain entry {f['path']} year={f['year']} {key}={f['value']!r}"
    assert any(f["source"] in _sources_of(e) for e in matches)
    for extra in f.get("also", []):  # the other sources the domain names for it
        assert any(extra in _sources_of(e) for e in matches)
    if "measure" in matches[0] and (f["kind"] in ("by_age", "subset") or "measure_text" in f):
        # the domain's own words for the measure, where they differ from our id
        assert any(e["measure"] == f.get("measure_text", f["measure"]) for e in matches)


@pytest.mark.parametrize("i", range(len(RAW["gaps"])))
def test_gaps_keep_the_domain_note(domain, i):
    g = RAW["gaps"][i]
    assert g["gap"]
    if g["path"] is None:
        assert g["platform"] in CHANNEL_IDS
        return
    node = _resolve(_of(domain, g), g["path"])
    if isinstance(node, list):
        assert any(e.get("note") == g["gap"] and e.get("year") == g["year"] for e in node)
    else:
        assert node == g["gap"]


@pytest.mark.parametrize("module", ["data", "model", "parsing", "ranking", "views"])
def test_no_telegram_in_the_core_modules(module):
    path = ROOT / "coach" / "features" / "advice" / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not any("telegram" in name for name in imported)


# ---------------------------------------------------------------------------
# Matching typed audiences
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ouders met peuters", {"parents_young"}),
        ("Ouders van jonge kinderen", {"parents_young"}),
        ("young parents", {"parents_young"}),
        ("tieners", {"teens"}),  # not pupils: that group brings in students' ages
        ("jongeren", {"teens"}),
        ("scholieren en studenten", {"pupils"}),
        ("students", {"pupils"}),
        ("werkzoekenden", {"job_seekers"}),
        ("werkzoekende", {"job_seekers"}),
        ("job seekers", {"job_seekers"}),
        ("65-plussers", {"seniors"}),
        ("senioren", {"seniors"}),
        ("senjoren", {"seniors"}),
        ("ouderen", {"seniors"}),
        ("nieuwe Nederlanders", {"newcomers"}),
        ("NT2", {"newcomers"}),
        ("statushouders en nieuwkomers", {"newcomers"}),
        ("laaggeletterden", {"low_literacy"}),
        ("gezinnen", {"families"}),
        ("leerkrachten", {"teachers"}),
        ("docenten en leraren", {"teachers"}),
        ("lezers", {"readers"}),
        ("gemeente en welzijnsorganisaties", {"partners"}),
        ("senioren en lezers", {"seniors", "readers"}),
        ("oudere lezers", {"seniors", "readers"}),
    ],
)
def test_match_groups(text, expected):
    assert set(match_groups(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tieners", {"age_13_19"}),
        ("teenagers", {"age_13_19"}),
        ("65-plussers", {"age_65_79", "age_80_plus"}),
        ("65+", {"age_65_79", "age_80_plus"}),
        ("senioren", {"age_65_79", "age_80_plus"}),
        ("mensen boven de 80", {"age_80_plus"}),
        ("jongeren van 15 tot 20", {"age_13_19", "age_20_29"}),
        ("15-20", {"age_13_19", "age_20_29"}),
        ("15 t/m 19 jaar", {"age_13_19"}),
        ("tussen 30 en 45", {"age_30_39", "age_40_64"}),
        ("16-jarigen", {"age_13_19"}),
        ("kinderen van 4 tot 12 jaar", {"age_0_12"}),
        ("peuters", {"age_0_12"}),
        ("twintigers", {"age_20_29"}),
        ("dertigers", {"age_30_39"}),
        ("students", {"age_20_29"}),
    ],
)
def test_match_ages(text, expected):
    assert set(match_ages(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "xyz", "iedereen", "2024-2025", "groep 7 en 8", "🙂🙂🙂", "<b></b>", "ok"],
)
def test_unsure_text_matches_nothing(text):
    assert match_groups(text) == []
    assert match_ages(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "🙂 <b>senioren</b> &amp; lezers!!",
        "<script>alert(1)</script> tieners",
        "👨‍👩‍👧 gezinnen 👶🏽",
        "<i>65+</i>",
        "ouders\x00met\ttieners\n\n",
        "a" * 10_000,
        "<" * 500 + "tieners",
        "１５－２０",  # full-width digits and dash
        "\u202etieners",
    ],
)
def test_emoji_and_markup_do_not_crash_matching(text):
    groups = match_groups(text)
    ages = match_ages(text)
    assert set(groups) <= set(GROUP_IDS)
    assert set(ages) <= set(AGE_IDS)


def test_markup_around_words_is_ignored():
    assert match_groups("<b>senioren</b>") == ["seniors"]
    assert "age_13_19" in match_ages("<script>x</script> tieners")


# ---------------------------------------------------------------------------
# Profiles and advice
# ---------------------------------------------------------------------------
def test_chosen_ages_decide_and_groups_fill_in_only_without_ages():
    p = DATA.audience_profile(["seniors"], ["age_13_19"])
    assert p.ages == ("age_13_19",)
    assert p.groups == ("seniors",)
    assert DATA.audience_profile(["seniors"], []).ages == ("age_65_79", "age_80_plus")


def test_unknown_ids_are_ignored():
    p = DATA.audience_profile(["aliens", "pupils"], ["age_200"])
    assert p.groups == ("pupils",)
    assert p.ages == ("age_13_19", "age_20_29")


def test_every_top_figure_carries_measure_year_and_source():
    for groups in (["pupils"], ["seniors"], ["newcomers"], ["parents_young"], []):
        p = DATA.audience_profile(groups, [])
        top = DATA.top_platforms(p, 3)
        assert len(top) == 3
        for f in top:
            assert f.platform in CHANNEL_IDS
            assert f.year and f.measure and f.source in DATA.sources
            assert f.number is not None


def test_teen_audience_uses_per_age_figures_ranked():
    p = DATA.audience_profile([], ["age_13_19"])
    assert p.basis == "age"
    numbers = [f.number for f in p.by_age]
    assert numbers == sorted(numbers, reverse=True)
    assert {f.band for f in p.by_age} <= {"15-19", "14-17", "14-15", "14-42"}
    x = p.age_figure("x_twitter")  # teens named X among their top 3: about 1% (2023)
    assert x is not None and (x.band, x.measure, x.number) == ("14-17", "top3", 1)
    assert "threads" in p.channels_without_age_figure


def test_teen_audience_with_only_x_is_flagged():
    p = DATA.audience_profile(["pupils"], ["age_13_19"])
    flags = DATA.channel_flags(p, ["x_twitter"])
    weak = [f for f in flags if f.kind == "weak_choice"]
    assert [f.channel for f in weak] == ["x_twitter"]
    assert weak[0].figure is not None and weak[0].figure.basis == "age"
    assert weak[0].figure.band == "14-17"
    missing = {f.channel for f in flags if f.kind == "missing_big"}
    assert missing & {"instagram", "snapchat", "tiktok", "whatsapp"}
    for f in flags:
        assert f.figure is not None and f.figure.source in DATA.sources


def test_x_without_a_figure_for_the_audience_is_flagged_by_its_national_size():
    p = DATA.audience_profile(["seniors"], [])
    (weak,) = [f for f in DATA.channel_flags(p, ["x_twitter"]) if f.kind == "weak_choice"]
    assert weak.figure is not None and weak.figure.basis == "total"
    assert weak.gap  # the domain's note: no per-age figures for X (adults)
    assert weak.trend == "down"


def test_teen_audience_with_facebook_is_weak_and_with_the_big_ones_is_fine():
    p = DATA.audience_profile([], ["age_13_19"])
    flags = DATA.channel_flags(p, ["facebook"])
    assert ("weak_choice", "facebook") in {(f.kind, f.channel) for f in flags}
    big = [f.platform for f in p.by_age if f.number >= DATA.rules["big_percent"]]
    assert DATA.channel_flags(p, big) == []


def test_missing_big_is_capped():
    p = DATA.audience_profile(["pupils"], [])
    flags = DATA.channel_flags(p, [])
    assert 0 < len(flags) <= DATA.rules["max_missing_big"]
    assert all(f.kind == "missing_big" for f in flags)


def test_seniors_get_different_top_platforms_than_teens():
    teens = DATA.top_platforms(DATA.audience_profile([], ["age_13_19"]), 3)
    seniors = DATA.top_platforms(DATA.audience_profile(["seniors"], []), 3)
    assert [f.platform for f in teens] != [f.platform for f in seniors]
    assert seniors[0].platform == "facebook"
    assert "snapchat" in [f.platform for f in teens]
    assert "snapchat" not in [f.platform for f in seniors]


def test_seniors_figures_are_flagged_as_old():
    p = DATA.audience_profile(["seniors"], [])
    assert {s.id for s in p.stale} == {"age_65_79", "age_80_plus"}
    assert all(s.year < DATA.rules["stale_before"] for s in p.stale)
    assert p.context and all(f.kind == "any_social_media" for f in p.context)


def test_national_totals_fill_up_labelled_as_such():
    p = DATA.audience_profile(["seniors"], [])
    top = DATA.top_platforms(p, 3)
    assert [f.basis for f in top] == ["age", "age", "total"]
    assert top[2].band == "15+"


@pytest.mark.parametrize("group", ["newcomers", "low_literacy", "readers", "partners"])
def test_group_without_figures_yields_gap_and_totals(group):
    p = DATA.audience_profile([group], [])
    assert p.basis == "total"
    assert [(g.kind, g.id, g.reason) for g in p.gaps] == [("group", group, "not_in_data")]
    assert all(f.basis == "total" for f in DATA.top_platforms(p))


def test_band_without_figures_is_a_gap():
    p = DATA.audience_profile([], ["age_40_64"])
    assert [(g.id, g.reason) for g in p.gaps] == [("age_40_64", "no_figure")]
    p = DATA.audience_profile([], ["age_0_12"])
    assert [(g.id, g.reason) for g in p.gaps] == [("age_0_12", "below_age_limit")]


def test_channel_names():
    assert channel_name("x_twitter", "en") == "X (Twitter)"
    assert DATA.channel_name("whatsapp", "nl") == "WhatsApp"
    for c in CHANNEL_IDS:
        assert DATA.channel_name(c, "nl") and DATA.channel_name(c, "en")


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------
def assert_valid_telegram_html(text):
    parse_html(text)  # raises where Telegram would refuse it
    assert tags(text) <= {"b", "i"}, tags(text)
    assert len(text) < MAX_MESSAGE_LENGTH
    assert text.strip()


AUDIENCES = [
    (["pupils"], []),
    (["seniors"], []),
    (["parents_young"], []),
    (["families"], []),
    (["newcomers"], []),
    ([], ["age_13_19"]),
    ([], ["age_40_64"]),
    ([], []),
    (list(GROUP_IDS), list(AGE_IDS)),
]
CHOICES = [[], ["x_twitter"], ["facebook", "x_twitter", "bluesky"], list(CHANNEL_IDS)]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("groups", "ages"), AUDIENCES)
def test_audience_template_renders_valid_short_html(env, lang, groups, ages):
    p = DATA.audience_profile(groups, ages)
    text = render(env, f"{lang}/advice_audience.j2", **DATA.audience_view(p, lang))
    assert_valid_telegram_html(text)
    if len(groups) + len(ages) <= 1:
        assert len(text) <= 800
    step = "stap 6" if lang == "nl" else "step 6"
    assert step in text
    for f in DATA.top_platforms(p):
        assert DATA.channel_name(f.platform, lang) in text
        assert str(f.year) in text


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("groups", "ages"), AUDIENCES)
@pytest.mark.parametrize("chosen", CHOICES)
def test_channels_template_renders_valid_short_html(env, lang, groups, ages, chosen):
    p = DATA.audience_profile(groups, ages)
    flags = DATA.channel_flags(p, chosen)
    text = render(env, f"{lang}/advice_channels.j2", **DATA.flags_view(flags, lang))
    assert_valid_telegram_html(text)
    assert len(text) <= 800
    ending = "dit is advies" if lang == "nl" else "this is advice"
    assert ending in text.splitlines()[-1]
    # plain words: channels that miss the audience share one sentence ("X of Facebook")
    assert text.count("\n•") <= len(flags)
    for f in flags:
        assert DATA.channel_name(f.channel, lang) in text
    # as the coach says it, with the audience and the notes
    notes = DATA.channel_notes(p, chosen)
    text = render(env, f"{lang}/advice_channels.j2", **DATA.flags_view(flags, lang, p, notes))
    assert_valid_telegram_html(text)
    assert len(text) <= 800
    assert ending in text.splitlines()[-1]
    for f in flags:
        assert DATA.channel_name(f.channel, lang) in text


@pytest.mark.parametrize(
    ("lang", "phrase"), [("nl", "geen cijfer per platform"), ("en", "no figure per platform")]
)
def test_group_without_figures_is_said_plainly(env, lang, phrase):
    p = DATA.audience_profile(["newcomers"], [])
    text = render(env, f"{lang}/advice_audience.j2", **DATA.audience_view(p, lang))
    assert phrase in text
    assert DATA.group_label("newcomers", lang) in text
    assert ("15+") in text


@pytest.mark.parametrize(
    ("lang", "phrase"), [("nl", "geen cijfer per platform"), ("en", "no figure per platform")]
)
def test_band_without_figures_is_said_plainly(env, lang, phrase):
    p = DATA.audience_profile(["parents_young"], [])
    text = render(env, f"{lang}/advice_audience.j2", **DATA.audience_view(p, lang))
    assert phrase in text
    assert "40-64" in text


def test_a_band_only_a_group_brought_in_names_that_group():
    p = DATA.audience_profile(["parents_young", "pupils"], [])
    assert dict(p.via) == {"age_13_19": ("pupils",), "age_20_29": ("parents_young", "pupils"),
                           "age_30_39": ("parents_young",), "age_40_64": ("parents_young",)}
    assert DATA.audience_profile([], ["age_40_64"]).via == ()  # typed: no group to name
    # chosen ages decide: the groups bring in no band of their own
    assert DATA.audience_profile(["parents_young", "pupils"], ["age_30_39"]).via == ()


@pytest.mark.parametrize(
    ("lang", "line"),
    [("nl", "Voor 40-64 jaar (ouders van jonge kinderen) is er geen cijfer per platform"),
     ("en", "For ages 40-64 (parents of young children) there is no figure per platform")],
)
def test_the_gap_says_which_group_brought_the_band_in(env, lang, line):
    p = DATA.audience_profile(["parents_young"], [])
    text = render(env, f"{lang}/advice_audience.j2", **DATA.audience_view(p, lang))
    assert line in text
    typed = DATA.audience_profile(["parents_young"], ["age_40_64"])
    text = render(env, f"{lang}/advice_audience.j2", **DATA.audience_view(typed, lang))
    assert "(parents of young children)" not in text and "(ouders van jonge kinderen)" not in text


@pytest.mark.parametrize(("lang", "word"), [("nl", "ouders"), ("en", "parents")])
def test_children_are_reached_via_parents(env, lang, word):
    p = DATA.audience_profile([], ["age_0_12"])
    text = render(env, f"{lang}/advice_audience.j2", **DATA.audience_view(p, lang))
    assert word in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_teen_x_advice_names_x_with_its_reason(env, lang):
    p = DATA.audience_profile([], ["age_13_19"])
    flags = DATA.channel_flags(p, ["x_twitter"])
    text = render(env, f"{lang}/advice_channels.j2", **DATA.flags_view(flags, lang))
    first = text.splitlines()[1]
    assert "X (Twitter)" in first
    assert "2023" in first and "UvA" in first  # the teens' own figure (14-17)
    assert ("nauwelijks" if lang == "nl" else "hardly") in first
    assert ("ongeveer 1%" if lang == "nl" else "about 1%") in first


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_x_advice_without_an_audience_figure_gives_the_national_size(env, lang):
    p = DATA.audience_profile(["seniors"], [])
    flags = DATA.channel_flags(p, ["x_twitter"])
    text = render(env, f"{lang}/advice_channels.j2", **DATA.flags_view(flags, lang))
    first = text.splitlines()[1]
    assert "X (Twitter)" in first
    assert "2025" in first and "Tweakers" in first
    assert ("2,8 miljoen" if lang == "nl" else "2.8 million") in first
