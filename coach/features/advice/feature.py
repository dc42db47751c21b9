"""Channel advice in the conversation: where the audience is, and a check of the channels.

After step 2 the coach shows where the chosen audience is (top platforms with figures,
years and sources); after the channels are chosen in step 6 it flags a channel where
the audience is barely present, a big one that was left out, or one the library named
in its own plan (its goals, say) but did not choose. Advice only: the answer is stored
as given.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from coach.core.events import Reply
from coach.core.feature import Feature
from coach.features.advice import parsing
from coach.features.advice.data import load_channel_data
from coach.features.advice.model import AudienceProfile
from coach.flow.checks import check_words
from coach.flow.library import library_answers
from coach.flow.model import Flow, load_flow

if TYPE_CHECKING:
    from coach.core.turn import Turn


def chosen_ids(db: Any, library_id: int, question_id: str) -> list[str]:
    """The option ids the library chose for a multiple-choice question."""
    ids: list[str] = []
    for row in library_answers(db, library_id, question_id):
        for value in row["value"] if isinstance(row["value"], list) else [row["value"]]:
            if value not in ids:
                ids.append(value)
    return ids


def audience_profile(db: Any, library_id: int) -> AudienceProfile | None:
    """The audience profile from step 2's answers (None when neither was answered)."""
    flow = load_flow()
    groups = chosen_ids(db, library_id, flow.by_role("groups").id)
    ages = chosen_ids(db, library_id, flow.by_role("ages").id)
    if not groups and not ages:
        return None
    return _profile(tuple(groups), tuple(ages))


@lru_cache(maxsize=256)
def _profile(groups: tuple[str, ...], ages: tuple[str, ...]) -> AudienceProfile:
    """Profiles depend only on the (static) data and the choice: computed once each."""
    return load_channel_data().audience_profile(list(groups), list(ages))


def audience_advice(turn: Turn) -> list[Reply]:
    profile = audience_profile(turn.db, turn.library_id)
    if profile is None:
        return []
    data = load_channel_data()
    return [turn.say("advice_audience", **data.audience_view(profile, turn.lang))]


def named_channels(db: Any, library_id: int, flow: Flow) -> list[str]:
    """Channel ids the library named in its own words before choosing channels (the
    free-text answers of the questions before the ``channels`` question: goals, the
    audience in words, ...), in the order of the plan."""
    found: list[str] = []
    words = check_words()
    channels_id = flow.by_role("channels").id
    for qid in flow.order:
        if qid == channels_id:
            break
        if flow.questions[qid].kind not in ("text", "list"):
            continue
        for row in library_answers(db, library_id, qid):
            values = row["value"] if isinstance(row["value"], list) else [row["value"]]
            for value in values:
                if isinstance(value, str):
                    found += [c for c in words.channels(value) if c not in found]
    return found


def channel_check(turn: Turn) -> list[Reply]:
    profile = audience_profile(turn.db, turn.library_id)
    if profile is None:
        return []
    data = load_channel_data()
    chosen = chosen_ids(turn.db, turn.library_id, turn.flow.by_role("channels").id)
    named = named_channels(turn.db, turn.library_id, turn.flow)
    flags = data.channel_flags(profile, chosen)
    notes = data.channel_notes(profile, chosen, named)
    return [turn.say("advice_channels", **data.flags_view(flags, turn.lang, profile, notes))]


FEATURE = Feature(
    "advice",
    after_step={"groups": audience_advice},  # after the step that asks the audience
    after_answer={"channels": channel_check},
    matchers={"groups": parsing.match_groups, "ages": parsing.match_ages},
)
