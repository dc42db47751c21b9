import copy
import re

import pytest
import yaml

from coach.features.advice.data import load_channel_data
from coach.features.checkins.trend import trend
from coach.features.next_steps.channels import KNOWN_CHANNELS, normalize_channel
from coach.features.next_steps.classify import is_in_place, kpi_kind
from coach.features.next_steps.ranking import (
    KpiTrend,
    LibrarySnapshot,
    NextStep,
    choose_next_step,
    rank_next_steps,
)
from coach.features.next_steps.steps_file import (
    CONDITION_KEYS,
    DEFAULT_PATH,
    StepsFileError,
    load_steps,
    parse_steps,
)
from coach.flow.model import load_flow
from coach.flow.vocabulary import load_vocabulary

RAW = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
CATALOG = load_steps()
ALL_IDS = {step.id for step in CATALOG.steps}

LISTENING_IDS = {"listening_saved_searches", "listening_where_audience", "listening_tool_trial"}
WEBCARE_IDS = {"webcare_who_answers", "webcare_service_hours", "webcare_answer_templates"}


def snapshot(**kwargs):
    """A finished strategy with listening and webcare in place unless overridden."""
    base = {"has_listening": True, "has_webcare": True}
    base.update(kwargs)
    return LibrarySnapshot(**base)


def step_when(step_id):
    step = CATALOG.get(step_id)
    assert step is not None, step_id
    return step.when


# ----------------------------------------------------------------------- the YAML file


def test_yaml_loads_with_20_to_60_steps():
    assert 20 <= len(CATALOG.steps) <= 60


def test_ids_are_unique_and_well_formed():
    ids = [step.id for step in CATALOG.steps] + [CATALOG.fallback.id]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]+", i) for i in ids)


@pytest.mark.parametrize("step", [*CATALOG.steps, CATALOG.fallback], ids=lambda s: s.id)
def test_every_step_has_nl_and_en_and_sane_minutes(step):
    assert 15 <= step.minutes <= 60
    for lang in ("nl", "en"):
        assert step.title[lang].strip()
        assert len(step.title[lang]) <= 60
        assert 80 <= len(step.description[lang]) <= 600
    assert step.title["nl"] != step.title["en"]
    assert step.description["nl"] != step.description["en"]


@pytest.mark.parametrize("raw_step", RAW["steps"], ids=lambda s: s["id"])
def test_every_condition_key_is_known(raw_step):
    assert set(raw_step["when"]) <= set(CONDITION_KEYS)
    for channel in raw_step["when"].get("channels_any", []):
        assert channel in KNOWN_CHANNELS


def test_there_is_an_always_step_and_listening_and_webcare_steps():
    whens = [step.when for step in CATALOG.steps]
    assert any(w.get("always") for w in whens)
    assert any(w.get("has_listening") is False for w in whens)
    assert any(w.get("has_webcare") is False for w in whens)
    assert any("OBI4wan" in step.description["nl"] for step in CATALOG.steps)


def test_every_kpi_kind_has_a_falling_step():
    for kind in ("engagement", "reach", "conversion"):
        assert any(
            step.when.get("kpi_kind") == kind and "falling" in step.when.get("kpi_trend", ())
            for step in CATALOG.steps
        ), kind


def test_load_steps_is_cached_and_accepts_a_path(tmp_path):
    assert load_steps() is load_steps()
    copy_path = tmp_path / "steps.yaml"
    copy_path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert [s.id for s in load_steps(copy_path).steps] == [s.id for s in CATALOG.steps]


def _broken(mutate):
    data = copy.deepcopy(RAW)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["steps"][0]["when"].update(has_listnening=False), "unknown condition"),
        (lambda d: d["steps"][0]["when"].update(weather="rain"), "unknown condition"),
        (lambda d: d["steps"][0].update(priority=1), "unknown key"),
        (lambda d: d.update(extra=1), "unknown top-level"),
        (lambda d: d["steps"][0].update(minutes=5), "minutes"),
        (lambda d: d["steps"][0].update(minutes=90), "minutes"),
        (lambda d: d["steps"][0].update(minutes="30"), "minutes"),
        (lambda d: d["steps"][0]["title"].pop("en"), "languages"),
        (lambda d: d["steps"][0]["description"].update(nl="  "), "empty"),
        (lambda d: d["steps"][0]["title"].update(de="Hallo"), "languages"),
        (lambda d: d["steps"][1].update(id=d["steps"][0]["id"]), "duplicate"),
        (lambda d: d["fallback"].update(id=d["steps"][0]["id"]), "duplicate"),
        (lambda d: d["steps"][0].update(id="Bad Id"), "id"),
        (lambda d: d["steps"][0].pop("when"), "missing"),
        (lambda d: d["steps"][0].update(when={}), "non-empty"),
        (lambda d: d["steps"][0].update(when={"kpi_trend": "down"}), "trend"),
        (lambda d: d["steps"][0].update(when={"kpi_kind": "likes"}), "kpi_kind"),
        (lambda d: d["steps"][0].update(when={"channels_any": ["myspace"]}), "channel"),
        (lambda d: d["steps"][0].update(when={"channels_any": []}), "non-empty"),
        (lambda d: d["steps"][0].update(when={"has_webcare": "no"}), "true or false"),
        (lambda d: d["steps"][0].update(when={"always": False}), "always"),
        (lambda d: d["steps"][0].update(when={"always": True, "has_webcare": False}), "always"),
        (lambda d: d["steps"][0].update(when={"tactic_keywords": [""]}), "non-empty"),
        (lambda d: d.pop("fallback"), "fallback"),
        (lambda d: d["fallback"].update(when={"always": True}), "fallback"),
        (lambda d: d.update(steps=[]), "steps"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.pop("strategy_first"), "strategy_first"),
    ],
)
def test_loader_rejects_mistakes(mutate, message):
    with pytest.raises(StepsFileError, match=message):
        parse_steps(_broken(mutate))


def test_loader_reports_invalid_yaml(tmp_path):
    path = tmp_path / "steps.yaml"
    path.write_text("steps: [\n", encoding="utf-8")
    with pytest.raises(StepsFileError, match="YAML"):
        load_steps(path)


def test_loader_error_names_the_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(_broken(lambda d: d.update(extra=1))), encoding="utf-8")
    with pytest.raises(StepsFileError, match="mine.yaml"):
        load_steps(path)


# ------------------------------------------------------------------- choosing a step


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_unfinished_strategy_comes_first(lang):
    snap = LibrarySnapshot(
        next_open_question=("kpis.list", "Welke KPI past bij dit doel?"),
        channels=["instagram"],
        kpis=[KpiTrend("likes", "falling")],
        has_listening=False,
        has_webcare=False,
    )
    step = choose_next_step(snap, set(), lang)
    assert step.kind == "strategy"
    assert step.question_id == "kpis.list"
    assert step.id == "kpis.list"
    assert step.description == "Welke KPI past bij dit doel?"
    assert step.title == CATALOG.strategy_title[lang]
    assert 15 <= step.minutes <= 60


def test_unfinished_strategy_wins_even_when_everything_is_done():
    snap = LibrarySnapshot(next_open_question=("goals.offline", "Wat wil je bereiken?"))
    assert choose_next_step(snap, ALL_IDS | {CATALOG.fallback.id}, "nl").kind == "strategy"


@pytest.mark.parametrize("name", ["likes", "Reacties", "Interacties", "engagement rate"])
def test_falling_engagement_suggests_an_engagement_action(name):
    snap = snapshot(channels=["website"], kpis=[KpiTrend(name, "falling")])
    step = choose_next_step(snap, set(), "nl")
    assert step.kind == "action"
    when = step_when(step.id)
    assert when["kpi_kind"] == "engagement"
    assert "falling" in when["kpi_trend"]
    assert step.kpi == name
    assert "kpi_kind=engagement" in step.reasons


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        (["instagram"], "engagement_reel_booktips"),
        (["tiktok"], "engagement_reel_booktips"),
        (["facebook"], "engagement_facebook_memory"),
        (["Facebook", "Instagram"], "engagement_reel_booktips"),  # YAML order breaks the tie
        (["linkedin"], "engagement_question_post"),
        ([], "engagement_question_post"),
    ],
)
def test_chosen_channels_matter_for_falling_engagement(channels, expected):
    snap = snapshot(channels=channels, kpis=[KpiTrend("likes", "falling")])
    step = choose_next_step(snap, set(), "nl")
    assert step.id == expected


def test_channel_aliases_are_understood():
    snap = snapshot(channels=["Insta"], kpis=[KpiTrend("likes", "falling")])
    step = choose_next_step(snap, set(), "en")
    assert step.id == "engagement_reel_booktips"
    assert step.channel == "instagram"


@pytest.mark.parametrize(
    ("kpi", "trend_", "kind"),
    [
        ("bereik", "falling", "reach"),
        ("volgers", "flat", "reach"),
        ("aanmeldingen", "falling", "conversion"),
        ("websiteklikken", "flat", "conversion"),
        ("likes", "flat", "engagement"),
    ],
)
def test_kpi_kind_and_trend_pick_a_matching_action(kpi, trend_, kind):
    snap = snapshot(channels=["facebook"], kpis=[KpiTrend(kpi, trend_)])
    step = choose_next_step(snap, set(), "nl")
    when = step_when(step.id)
    assert when["kpi_kind"] == kind
    assert trend_ in when["kpi_trend"]


def test_falling_reach_on_tiktok_suggests_booktok():
    snap = snapshot(channels=["tiktok"], kpis=[KpiTrend("weergaven", "falling")])
    assert choose_next_step(snap, set(), "nl").id == "reach_tiktok_booktok"


def test_rising_kpi_suggests_repeating_what_works():
    snap = snapshot(channels=["website"], kpis=[KpiTrend("bereik", "rising")])
    assert choose_next_step(snap, set(), "nl").id == "rising_repeat_format"


def test_explicit_kpi_kind_overrides_the_name():
    snap = snapshot(kpis=[KpiTrend("onze eigen maat", "falling", kind="conversion")])
    assert step_when(choose_next_step(snap, set(), "nl").id)["kpi_kind"] == "conversion"


def test_kpi_trend_and_kind_must_hold_for_the_same_kpi():
    # engagement is rising and reach is falling: no "falling engagement" step
    snap = snapshot(kpis=[KpiTrend("likes", "rising"), KpiTrend("bereik", "falling")])
    for step in rank_next_steps(snap, set(), "nl"):
        when = step_when(step.id)
        assert not (when.get("kpi_kind") == "engagement" and when.get("kpi_trend") == ("falling",))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_listening_suggests_a_listening_action(lang):
    snap = snapshot(has_listening=False, channels=["website"], kpis=[KpiTrend("bereik", "none")])
    step = choose_next_step(snap, set(), lang)
    assert step.id in LISTENING_IDS
    assert "has_listening=false" in step.reasons


def test_no_webcare_suggests_a_webcare_action():
    snap = snapshot(has_webcare=False)
    step = choose_next_step(snap, set(), "nl")
    assert step.id in WEBCARE_IDS
    assert "has_webcare=false" in step.reasons


def test_listening_and_webcare_steps_follow_each_other():
    snap = snapshot(has_listening=False, has_webcare=False)
    done: set[str] = set()
    order = []
    for _ in range(len(LISTENING_IDS | WEBCARE_IDS)):
        step = choose_next_step(snap, done, "nl")
        order.append(step.id)
        done.add(step.id)
    assert set(order) == LISTENING_IDS | WEBCARE_IDS
    assert order[0] == "listening_saved_searches"  # listen before you post


def test_listening_steps_vanish_once_listening_is_set_up():
    snap = snapshot(has_listening=True)
    ids = {step.id for step in rank_next_steps(snap, set(), "nl")}
    assert not ids & LISTENING_IDS
    assert "listening_weekly_round" in ids


def test_open_listening_comes_before_a_more_specific_step():
    """Issue 14: listening that is not in place comes back before KPI steps; once it
    is in place, the more specific step wins."""
    snap = snapshot(
        has_listening=False, channels=["instagram"], kpis=[KpiTrend("likes", "falling")]
    )
    step = choose_next_step(snap, set(), "nl")
    assert step.id == "listening_saved_searches" and step.why == ("open", "listening")
    snap = snapshot(has_listening=True, has_webcare=True, channels=["instagram"],
                    kpis=[KpiTrend("likes", "falling")])
    assert choose_next_step(snap, set(), "nl").id == "engagement_reel_booktips"


@pytest.mark.parametrize(
    ("tactic", "expected"),
    [
        ("Boekentips van collega's op Instagram", "tactic_desk_tip"),
        ("Aankondigen van activiteiten in de agenda", "tactic_event_series"),
        ("Korte video's over de collectie", "tactic_video_batch"),
        ("Jongeren bereiken via de studieplekken", "tactic_youth_check"),
        ("Reading tips every Friday", "tactic_desk_tip"),
    ],
)
def test_tactic_keywords(tactic, expected):
    snap = snapshot(tactics=[tactic], channels=["website"])
    step = choose_next_step(snap, set(), "nl")
    assert step.id == expected
    assert f"tactic={tactic}" in step.reasons


def test_tactic_keyword_is_not_matched_inside_unrelated_words():
    snap = snapshot(tactics=["Already-planned newsletter"], channels=["website"])
    assert choose_next_step(snap, set(), "nl").id != "tactic_desk_tip"


def test_channel_only_steps():
    assert choose_next_step(snapshot(channels=["LinkedIn"]), set(), "nl").id == (
        "linkedin_impact_post"
    )
    assert choose_next_step(snapshot(channels=["instagram"]), set(), "nl").id == (
        "instagram_highlights"
    )


def test_done_steps_never_repeat():
    snap = snapshot(
        has_listening=False,
        has_webcare=False,
        channels=["instagram", "tiktok", "facebook", "linkedin"],
        tactics=["boekentips", "activiteiten", "video", "jongeren"],
        kpis=[KpiTrend("likes", "falling"), KpiTrend("bereik", "flat")],
    )
    done: set[str] = set()
    seen = []
    for _ in range(len(CATALOG.steps) + 3):
        step = choose_next_step(snap, done, "nl")
        assert step.id not in done or step.kind == "fallback"
        seen.append(step.id)
        done.add(step.id)
    actions = [s for s in seen if s != CATALOG.fallback.id]
    assert len(actions) == len(set(actions))


def test_fallback_when_everything_is_done():
    snap = snapshot(channels=["instagram"], kpis=[KpiTrend("likes", "falling")])
    step = choose_next_step(snap, ALL_IDS, "en")
    assert step.kind == "fallback"
    assert step.id == CATALOG.fallback.id
    assert step.title == CATALOG.fallback.title["en"]
    # the fallback is meant to repeat
    assert choose_next_step(snap, ALL_IDS | {step.id}, "en").id == step.id


def test_always_steps_cover_an_empty_snapshot():
    step = choose_next_step(snapshot(), set(), "nl")
    assert step.kind == "action"
    assert step.id in {s.id for s in CATALOG.steps if s.when.get("always")} | {
        "listening_weekly_round",
        "webcare_response_log",
    }


def test_choice_is_deterministic():
    snap = snapshot(channels=["facebook", "instagram"], kpis=[KpiTrend("bereik", "falling")])
    first = choose_next_step(snap, {"reach_local_collab"}, "nl")
    for _ in range(5):
        assert choose_next_step(snap, {"reach_local_collab"}, "nl") == first


def test_ties_go_to_yaml_order():
    snap = snapshot(has_listening=False, has_webcare=False)
    ranked = [s.id for s in rank_next_steps(snap, set(), "nl")]
    order = [s.id for s in CATALOG.steps]
    same_score = [i for i in ranked if CATALOG.get(i).score == 1]
    assert same_score == sorted(same_score, key=order.index)


@pytest.mark.parametrize("lang", ["nl", "en", "en-GB", "de"])
def test_language_of_the_text(lang):
    step = choose_next_step(snapshot(has_webcare=False), set(), lang)
    expected = "en" if lang.startswith("en") else "nl"
    assert step.title == CATALOG.get(step.id).title[expected]
    assert step.description == CATALOG.get(step.id).description[expected]


def test_next_step_is_a_plain_dataclass():
    step = choose_next_step(snapshot(), set(), "nl")
    assert isinstance(step, NextStep)
    assert isinstance(step.minutes, int)


def test_kpi_trend_validates():
    with pytest.raises(ValueError):
        KpiTrend("likes", "down")
    with pytest.raises(ValueError):
        KpiTrend("likes", "none", kind="vibes")


# --------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("likes", "engagement"), ("Likes op Instagram", "engagement"),
        ("reacties", "engagement"), ("engagement", "engagement"),
        ("Engagement rate", "engagement"), ("interacties", "engagement"),
        ("Interacties en engagement rate (betrokkenheid)", "engagement"),
        ("comments", "engagement"), ("shares", "engagement"), ("Opslaan en delen", "engagement"),
        ("bereik", "reach"), ("Bereik (reach)", "reach"), ("weergaven", "reach"),
        ("Views", "reach"), ("volgers", "reach"), ("Volgersgroei", "reach"),
        ("LinkedIn-volgers", "reach"), ("reach", "reach"), ("followers", "reach"),
        ("impressies", "reach"), ("vermeldingen", "reach"),
        ("aanmeldingen", "conversion"), ("Aanmeldingen voor activiteiten", "conversion"),
        ("inschrijvingen", "conversion"), ("klikken", "conversion"),
        ("Websiteklikken", "conversion"), ("link clicks", "conversion"),
        ("leden", "conversion"), ("nieuwe leden", "conversion"), ("bezoekers", "conversion"),
        ("Websitebezoekers", "conversion"), ("sign-ups", "conversion"),
        ("pasaanvragen", "conversion"), ("uitleningen", "conversion"),
        ("Reactietijd webcare", "other"), ("sentiment", "other"), ("iets vaags", "other"),
        ("", "other"),
    ],
)
def test_kpi_kind(name, kind):
    assert kpi_kind(name) == kind


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], "none"),
        ([100], "none"),
        ([None, 100], "none"),
        ([100, 100], "flat"),
        ([100, 105], "flat"),
        ([100, 95, 104, 99], "flat"),
        ([100, 80], "falling"),
        ([100, 90, 80, 70], "falling"),
        ([100, 100, 100, 70], "falling"),
        ([70, 80, 90, 100], "rising"),
        ([2.1, 2.4, 2.8], "rising"),
        # only the last four weeks count
        ([10, 20, 30, 100, 100, 100, 100], "flat"),
        ([500, 100, 110, 120, 130], "rising"),
        # small absolute numbers
        ([0, 0, 1], "rising"),
        ([0, 0, 0], "flat"),
        ([3, 2, 1, 0], "falling"),
        ([None, 50, float("nan"), 40], "falling"),
    ],
)
def test_trend(values, expected):
    assert trend(values) == expected


def test_trend_tolerance_and_window_are_adjustable():
    assert trend([100, 105], tolerance=0.01) == "rising"
    assert trend([10, 20, 30, 100, 100, 100, 100], window=7) == "rising"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Instagram", "instagram"), ("insta", "instagram"), ("IG", "instagram"),
     ("Twitter", "x_twitter"), ("X (Twitter)", "x_twitter"), ("x", "x_twitter"),
     ("TikTok", "tiktok"), ("tik tok", "tiktok"), ("Facebook", "facebook"),
     ("nieuwsbrief", "newsletter")],
)
def test_normalize_channel(name, expected):
    assert normalize_channel(name) == expected


def test_the_channels_are_those_of_the_data():
    # one list: the channels of flows/channels.yaml (the flow's channel options), then
    # the other channels of flows/vocabulary.yaml
    data = load_channel_data()
    assert KNOWN_CHANNELS[: len(data.channels)] == tuple(data.channels)
    assert set(KNOWN_CHANNELS) - set(data.channels) == set(
        load_vocabulary().ids("channels.other"))
    for option in load_flow().by_role("channels").options:
        for name in (*option.label.values(), *option.aliases):
            assert normalize_channel(name) == option.id, name


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, False), ("", False), ("  ", False), ("-", False), ("nog niet", False),
        ("Nee", False), ("geen", False), ("niemand", False), ("weet ik niet", False),
        ("n.v.t.", False), ("not yet", False), ("nobody", False), ("🤷", False),
        ("Een Google Alert op onze naam", True),
        ("Geen tool, wel een Google Alert op onze naam", True),
        ("Elke week de vermeldingen bekijken in OBI4wan", True),
        ("Het klantenserviceteam, binnen vier uur", True), ("OBI4wan", True),
        ("Marieke", True),
    ],
)
def test_is_in_place(answer, expected):
    assert is_in_place(answer) is expected
