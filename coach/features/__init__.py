"""Features, one folder each. ``FEATURES`` lists them all, in the order the coach
asks them (hooks after a step or an answer, /settings sections, jobs)."""

from coach.core.feature import Feature
from coach.features.advice.feature import FEATURE as ADVICE
from coach.features.checkins.feature import FEATURE as CHECKINS
from coach.features.decisions.feature import FEATURE as DECISIONS
from coach.features.export.feature import FEATURE as EXPORT
from coach.features.general.feature import FEATURE as GENERAL
from coach.features.onboarding.feature import FEATURE as ONBOARDING
from coach.features.pacing.feature import FEATURE as PACING
from coach.features.privacy.feature import FEATURE as PRIVACY
from coach.features.strategy.feature import FEATURE as STRATEGY
from coach.features.team.feature import FEATURE as TEAM
from coach.features.web.feature import FEATURE as WEB

FEATURES: tuple[Feature, ...] = (
    ONBOARDING, STRATEGY, GENERAL, ADVICE, PACING, PRIVACY, EXPORT, TEAM, DECISIONS, CHECKINS,
    WEB,
)
