"""The web view's cached pages are rebuilt after every change they show: the library
version changes with each kind of change, "Laat zo" on a proposal included."""

from __future__ import annotations

from coach.storage import answers
from coach.storage.web import library_version
from tests.support.answers import give


def test_leaving_a_proposal_as_it_is_changes_the_version(chat, db, clock):
    anna = chat("Anna")
    anna.create_library()
    library_id = anna.user()["library_id"]
    bram = chat("Bram")
    bram.cmd("start", anna.invite_code())
    give(db, library_id, bram.user(), [("mission.why", "", "Om ouders te helpen voorlezen"),
                                        ("mission.why", "", "Voor ouders van peuters")],
         clock())
    before = library_version(db, library_id)
    clock.advance(minutes=1)
    answers.mark_reviewed(db, library_id, "mission.why", "", clock())
    assert library_version(db, library_id) != before
