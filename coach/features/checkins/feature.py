"""What the check-ins add to the coach: /checkin, /voortgang, the check-in and
settings conversations, the /settings section and the weekly job."""

from __future__ import annotations

from datetime import timedelta

from coach.core.feature import Feature, Job, Mode
from coach.features.checkins import conversation, preferences
from coach.features.checkins.due import iter_due_checkins
from coach.features.checkins.progress import progress

WEEKLY = Job("weekly-checkins", every=timedelta(minutes=1), due=iter_due_checkins,
             start=conversation.start_checkin)

FEATURE = Feature(
    "checkins",
    commands={"checkin": conversation.cmd_checkin, "progress": progress},
    buttons={"ci": conversation.press, "cs": preferences.press_settings},
    modes=(Mode(conversation.MODE, conversation.on_text, conversation.on_repeat),
           Mode(conversation.SET_MODE, preferences.on_setting_text,
                preferences.on_setting_repeat)),
    settings=(preferences.settings_section,),
    jobs=(WEEKLY,),
)
