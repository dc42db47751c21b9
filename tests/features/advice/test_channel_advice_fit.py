"""Channel advice that fits the audience the user chose (issue "A coach, not a form",
point 6): the chosen ages decide the figures, the advice says in plain words where the
audience is barely present and which big channel was left out, old or missing figures
come with their year and a quick local check, and no sentence mixes measures."""

from __future__ import annotations

import re

import pytest
import yaml

from coach.core.texts import environment
from coach.features.advice.data import AGE_IDS, CHANNEL_IDS, GROUP_IDS, load_channel_data
from coach.features.advice.parsing import match_ages, match_groups
from coach.flow.model import load_flow
from tests.support import ROOT
from tests.support.walk import walk

DATA = load_channel_data()
FLOW = ROOT / "flows" / "strategy.yaml"


@pytest.fixture(scope="module")
def env():
    return environment()


def audience_text(env, lang, groups, ages):
    p = DATA.audience_profile(groups, ages)
    return env.get_template(f"{lang}/advice_audience.j2").render(**DATA.audience_view(p, lang))


def channels_text(env, lang, groups, ages, chosen, named=()):
    p = DATA.audience_profile(groups, ages)
    flags = DATA.channel_flags(p, chosen)
    notes = DATA.channel_notes(p, chosen, named)
    return env.get_template(f"{lang}/advice_channels.j2").render(
        **DATA.flags_view(flags, lang, p, notes))


# ---------------------------------------------------------------------------
# 1. The chosen ages decide; 13-19 gets the teens' own figures
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("groups", [[], ["pupils"], ["teens"], ["pupils", "parents_young"]])
def test_teens_get_the_15_19_and_14_17_figures_never_20_29(groups):
    p = DATA.audience_profile(groups, ["age_13_19"])
    assert p.ages == ("age_13_19",)
    bands = {f.band for f in p.by_age}
    assert "20-29" not in bands and "15-35" not in bands
    assert bands <= {"15-19", "14-17", "14-15", "14-42"}
    tiktok, instagram = p.age_figure("tiktok"), p.age_figure("instagram")
    assert (tiktok.band, tiktok.value, tiktok.measure) == ("15-19", 55, "daily")
    assert (instagram.band, instagram.value, instagram.measure) == ("15-19", 52, "daily")
    for channel in ("facebook", "x_twitter", "linkedin"):  # named in their top 3: ~1%
        f = p.age_figure(channel)
        assert (f.band, f.measure, f.year) == ("14-17", "top3", 2023)


def test_the_teens_group_alone_brings_in_only_13_19():
    assert DATA.audience_profile(["teens"], []).ages == ("age_13_19",)
    # scholieren en studenten without ages: both bands, as before
    assert DATA.audience_profile(["pupils"], []).ages == ("age_13_19", "age_20_29")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_teen_advice_shows_teen_figures_with_what_they_measure(env, lang):
    text = audience_text(env, lang, ["pupils"], ["age_13_19"])
    assert "20-29" not in text
    daily = next(line for line in text.splitlines() if "Snapchat" in line)
    assert ("15-19 jaar, dagelijks gebruik" if lang == "nl" else "Ages 15-19, daily use") in daily
    assert "TikTok</b> 55%" in daily and "Instagram</b> 52%" in daily
    assert "(2024, Social Youth)" in daily
    top3 = "top 3 meest gebruikte platforms" if lang == "nl" else "top 3 most-used platforms"
    hardly = next(line for line in text.splitlines() if top3 in line)
    assert "14-17" in hardly and "2023" in hardly
    assert ("zitten ze nauwelijks" if lang == "nl" else "hardly on") in hardly
    for name in ("Facebook", "X (Twitter)"):
        assert name in hardly


def test_a_group_without_ages_still_gets_its_ages_figures():
    p = DATA.audience_profile(["seniors"], [])
    assert p.age_figure("facebook").band == "65-79"


# ---------------------------------------------------------------------------
# 2. Plain words: barely there, a big one left out
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "weak", "big"),
    [("nl", "• Je tieners zitten nauwelijks op <b>X (Twitter)</b> of <b>Facebook</b>.",
      "koos je niet, terwijl je tieners daar wel zitten."),
     ("en", "• Your teens are hardly on <b>X (Twitter)</b> or <b>Facebook</b>.",
      "yet your teens are there.")],
)
def test_chosen_channels_that_miss_the_teens_are_said_plainly(env, lang, weak, big):
    text = channels_text(env, lang, [], ["age_13_19"], ["x_twitter", "facebook"])
    lines = text.splitlines()
    assert lines[1].startswith(weak)
    assert ("ongeveer 1%" if lang == "nl" else "about 1%") in lines[1]
    assert "(2023, UvA)" in lines[1]
    left_out = next(line for line in lines if big in line)
    for name in ("TikTok", "Instagram", "Snapchat"):
        assert f"<b>{name}</b>" in left_out
    daily = "15-19 jaar, dagelijks gebruik:" if lang == "nl" else "Ages 15-19, daily use:"
    assert f"{daily} Snapchat 65%, TikTok 55%, Instagram 52% (2024, Social Youth)." in left_out
    assert len(text) <= 800


def test_the_big_ones_left_out_are_recent_figures_first():
    p = DATA.audience_profile([], ["age_13_19"])
    missing = [f for f in DATA.channel_flags(p, ["x_twitter"]) if f.kind == "missing_big"]
    assert len(missing) == DATA.rules["max_missing_big"]
    assert {f.channel for f in missing} == {"youtube", "snapchat", "tiktok", "instagram"}
    assert all(f.figure.year >= DATA.rules["stale_before"] for f in missing)


@pytest.mark.parametrize(
    ("lang", "line"),
    [("nl", "• Je koos niet voor <b>WhatsApp</b>, <b>YouTube</b>, <b>Facebook</b> of"
            " <b>Instagram</b>, de grootste kanalen van Nederland."),
     ("en", "• You didn't choose <b>WhatsApp</b>, <b>YouTube</b>, <b>Facebook</b> or"
            " <b>Instagram</b>, the biggest channels in the Netherlands.")],
)
def test_without_any_age_figure_the_biggest_national_channels_left_out_are_named(
        env, lang, line):
    text = channels_text(env, lang, ["readers"], [], ["x_twitter"])
    assert line in text
    assert "15+" in text and "2025" in text


@pytest.mark.parametrize(
    ("lang", "line"),
    [("nl", "• In je plan noem je <b>Facebook</b>, maar je koos het nu niet. Bewust?"),
     ("en", "• Your plan mentions <b>Facebook</b>, but you didn't choose it now. On purpose?")],
)
def test_a_channel_from_the_own_plan_that_was_not_chosen_is_named(env, lang, line):
    text = channels_text(env, lang, ["parents_young"], [], ["x_twitter"], named=["facebook"])
    assert line in text
    # chosen, or already flagged as a big one left out: not said twice
    assert "In je plan" not in channels_text(env, "nl", ["parents_young"], [], ["facebook"],
                                             named=["facebook"])
    p = DATA.audience_profile(["seniors"], [])
    assert DATA.channel_notes(p, ["x_twitter"], ["facebook"]).named == ()  # missing_big


@pytest.mark.parametrize(
    ("lang", "line"),
    [("nl", "• In je plan noem je <b>Facebook</b>, maar daar zitten je tieners nauwelijks:"
            " goed dat je het niet koos."),
     ("en", "• Your plan mentions <b>Facebook</b>, but your teens are hardly there:"
            " good that you left it out.")],
)
def test_a_channel_from_the_own_plan_where_the_teens_are_not_is_said_too(env, lang, line):
    text = channels_text(env, lang, [], ["age_13_19"], ["x_twitter"], named=["facebook"])
    assert line in text


def test_snapchat_is_not_called_small_when_its_own_newer_count_is_large():
    p = DATA.audience_profile(["seniors"], [])
    flags = DATA.channel_flags(p, ["snapchat", "x_twitter"])
    assert [f.channel for f in flags if f.kind == "weak_choice"] == ["x_twitter"]
    assert "snapchat" in DATA.channel_notes(p, ["snapchat", "x_twitter"]).unknown
    # the platform's own count is never in the national series
    assert all(f.measure != "mau" for f in p.totals)


# ---------------------------------------------------------------------------
# 3. Old or missing figures: the year and a quick local check
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "old", "check"),
    [("nl", "De cijfers voor Pinterest en WhatsApp zijn van 2019.",
      "Check het even lokaal: een poll aan de balie, of vraag het na bij een middelbare school."),
     ("en", "The figures for Pinterest and WhatsApp are from 2019.",
      "Do a quick local check: a poll at the desk, or ask a secondary school.")],
)
def test_an_old_figure_gets_its_year_and_a_local_check(env, lang, old, check):
    # Pinterest: 21% of 14-15 (2019); WhatsApp: 96% of 14-15 (2019)
    chosen = ["pinterest", "whatsapp"]
    text = channels_text(env, lang, [], ["age_13_19"], chosen)
    assert f"{old} {check}" in text
    assert ("nauwelijks op <b>Pinterest</b>" if lang == "nl" else "hardly on <b>Pinterest</b>") \
        in text


@pytest.mark.parametrize(
    ("lang", "old", "ask"),
    [("nl", "van 2017", "ouderenvereniging"), ("en", "from 2017", "association for older")],
)
def test_seniors_hear_that_their_figures_are_old(env, lang, old, ask):
    text = audience_text(env, lang, ["seniors"], [])
    assert old in text and ask in text
    text = channels_text(env, lang, ["seniors"], [], ["facebook", "whatsapp"])
    assert old in text and ask in text  # the chosen channels' figures are old too


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", ["Voor Instagram heb ik geen cijfer voor je senioren.", "Check het even lokaal"]),
     ("en", ["For Instagram I have no figure for your seniors.", "Do a quick local check"])],
)
def test_a_chosen_channel_without_a_figure_gets_a_local_check(env, lang, words):
    text = channels_text(env, lang, ["seniors"], [], ["facebook", "instagram"])
    for w in words:
        assert w in text


@pytest.mark.parametrize(("lang", "ask"), [("nl", "taalcafé"), ("en", "language café")])
def test_a_group_without_figures_gets_a_local_check(env, lang, ask):
    text = audience_text(env, lang, ["newcomers"], [])
    assert ask in text


def test_recent_figures_need_no_local_check(env):
    text = channels_text(env, "nl", [], ["age_20_29"],
                         ["whatsapp", "instagram", "youtube", "snapchat"])
    assert "Check het even lokaal" not in text
    assert "Je kanalen passen bij wat we over je doelgroep weten." in text
    # a big one left out with an old figure (WhatsApp, 14-15, 2019) is said with its year
    text = channels_text(env, "nl", [], ["age_13_19"], ["instagram", "tiktok", "snapchat"])
    assert "Het cijfer voor WhatsApp is van 2019. Check het even lokaal" in text


def test_the_smartphone_figure_for_65_plus_is_shown_as_such_never_ranked(env):
    p = DATA.audience_profile(["seniors"], [])
    assert [(f.platform, f.band) for f in p.asides] == [("whatsapp", "65+ (smartphone)")]
    assert all(f.kind == "by_age" for f in p.by_age)
    assert "65-plussers met een smartphone, app op de telefoon: <b>WhatsApp</b> 94%" \
        in audience_text(env, "nl", ["seniors"], [])
    assert "Smartphone users aged 65+, app installed: <b>WhatsApp</b> 94%" \
        in audience_text(env, "en", ["seniors"], [])


# ---------------------------------------------------------------------------
# 4. No sentence mixes measures
# ---------------------------------------------------------------------------
def _labels(lang):
    words = {}
    for mid, m in DATA.measures.items():
        for unit in ("percent", "million"):
            words[m["label"][unit][lang]] = mid
            words[m[unit][lang]] = mid
    return words


def _measures_per_sentence(text, lang):
    labels = _labels(lang)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True)))
    plain = re.sub(r"<[^>]+>", "", text)
    # band names are not measures ("smartphone users aged 65+")
    for band in sorted((b[lang] for b in DATA.data_bands.values()), key=len, reverse=True):
        plain = re.sub(re.escape(band), "BAND", plain, flags=re.IGNORECASE)
    for sentence in re.split(r"(?<=[.?!])\s+", plain):
        yield sentence, {labels[m.group(0)] for m in pattern.finditer(sentence)}


AUDIENCES = [([], [a]) for a in AGE_IDS] + [([g], []) for g in GROUP_IDS] + [
    (["pupils"], ["age_13_19"]), (["seniors", "readers"], []), (list(GROUP_IDS), list(AGE_IDS))]
CHOICES = [[], ["x_twitter"], ["x_twitter", "facebook"], ["pinterest", "snapchat"],
           ["instagram", "whatsapp"], list(CHANNEL_IDS)]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("groups", "ages"), AUDIENCES)
def test_no_sentence_mixes_measures(env, lang, groups, ages):
    texts = [audience_text(env, lang, groups, ages)]
    texts += [channels_text(env, lang, groups, ages, c, named=["facebook", "linkedin"])
              for c in CHOICES]
    for text in texts:
        for sentence, measures in _measures_per_sentence(text, lang):
            assert len(measures) <= 1, sentence


def test_the_measure_check_catches_a_mixed_sentence():
    mixed = "15-19 jaar, dagelijks gebruik: Snapchat 65%, WhatsApp 97% gebruikt het (2018)."
    assert [m for _, m in _measures_per_sentence(mixed, "nl")] == [{"daily", "uses"}]


def test_every_measure_has_a_label_in_both_languages():
    for mid, m in DATA.measures.items():
        for unit in ("percent", "million"):
            assert m["label"][unit]["nl"] and m["label"][unit]["en"], mid


# ---------------------------------------------------------------------------
# 5. The new audience option, typed and by button
# ---------------------------------------------------------------------------
def test_every_audience_option_of_the_flow_is_a_group_of_the_channel_data():
    options = [o.id for o in load_flow().by_role("groups").options]
    assert "teens" in options
    assert set(options) <= set(GROUP_IDS)
    raw = yaml.safe_load(FLOW.read_text(encoding="utf-8"))
    question = next(q for s in raw["steps"] for q in s["questions"]
                    if q["id"] == "audience.groups")
    teens = next(o for o in question["options"] if o["id"] == "teens")
    assert teens["label"] == {"nl": "Jongeren / tieners", "en": "Teenagers / young people"}
    assert DATA.groups["teens"].ages == ("age_13_19",)


@pytest.mark.parametrize("text", ["jongeren", "tieners", "pubers", "teens", "teenagers",
                                  "young people"])
def test_typed_teen_words_name_the_teens_group(text):
    assert match_groups(text) == ["teens"]
    assert match_ages(text) == ["age_13_19"]


def _answers(db, question_id):
    return db.execute("select value from answers where question_id = ? order by id desc",
                      [question_id]).fetchone()[0]


@pytest.mark.parametrize("typed", ["jongeren", "Tieners", "pubers"])
def test_the_teens_option_typed(chat, db, typed):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="audience.groups")
    anna.say(typed)
    assert _answers(db, "audience.groups") == '["teens"]'
    assert anna.user()["question_id"] == "audience.ages"


def test_the_teens_option_by_button_gives_teen_advice(chat, db):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="audience.groups")
    assert "Jongeren / tieners" in [b.label for r in anna.replies for b in r.buttons()]
    anna.press_data("o:audience.groups:teens")
    anna.press_data("m:audience.groups")
    assert _answers(db, "audience.groups") == '["teens"]'
    anna.say("12-18")  # read by the matcher: confirmed, teens only
    anna.press_data("y:audience.ages")
    assert _answers(db, "audience.ages") == '["age_13_19"]'
    anna.say("Jongeren uit de wijk")
    anna.say("insta")
    text = anna.texts()
    assert "Waar is je doelgroep?" in text
    assert "15-19 jaar, dagelijks gebruik" in text and "20-29" not in text
    assert "zitten ze nauwelijks" in text


def test_in_the_flow_pupils_with_teen_ages_never_get_students_figures(chat):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="audience.groups")
    anna.say("scholieren")
    anna.say("tieners")
    anna.say("Scholieren die komen studeren")
    anna.say("insta")
    text = anna.texts().split("Waar is je doelgroep?")[1]
    assert "20-29" not in text and "96% van 20-29" not in text
    assert "TikTok</b> 55%" in text and "Instagram</b> 52%" in text


def test_a_goal_via_facebook_is_remembered_at_the_channel_choice(chat):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="tactics.channels", answers={"goals.online": "Meer aanmeldingen via Facebook",
                                    "audience.groups": "ouders", "audience.ages": "30-39"})
    anna.say("X")
    text = anna.texts()
    # Facebook from the goal, Instagram from the social-media goals of the script
    assert ("In je plan noem je <b>Facebook</b> en <b>Instagram</b>, maar je koos ze nu niet."
            " Bewust?") in text


# ---------------------------------------------------------------------------
# 6. Typed ages: a band touched only by the range's first year doesn't count
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12-18", ["age_13_19"]),
        ("12 tot 18", ["age_13_19"]),
        ("tussen 12 en 18 jaar", ["age_13_19"]),
        ("jongeren van 12 tot 18", ["age_13_19"]),
        ("19-25", ["age_20_29"]),
        ("15-20", ["age_13_19", "age_20_29"]),  # runs a year into the twenties: both
        ("4 tot 12 jaar", ["age_0_12"]),
        ("12-jarigen", ["age_0_12"]),  # a single age is never dropped
        ("tussen 30 en 45", ["age_30_39", "age_40_64"]),
    ],
)
def test_typed_ranges(text, expected):
    assert match_ages(text) == expected
