"""/web in the chat (through the core): a one-time link, the Mini App button only for
an HTTPS web view, a clear line when there is no web view; the pages' access rules."""

from __future__ import annotations

import pytest

from coach.core.engine import NotAllowed
from coach.core.feature import Feature, Page, Registry
from tests.support.web import sign_in_link


def test_without_a_web_view_web_says_so(anna):
    anna.cmd("web")
    assert anna.templates() == ["web.not_served"] and anna.buttons() == []


def test_web_gives_a_one_time_link_and_the_mini_app_button(anna, coach):
    coach.web_url = "https://bieb.example.org/coach"
    first = sign_in_link(anna)
    [button] = [b for r in anna.replies for b in r.buttons()]
    assert button.web_app == "https://bieb.example.org/coach/" and button.data == ""
    second = sign_in_link(anna)
    assert first != second and first.startswith("https://bieb.example.org/coach/login/")
    token = first.rsplit("/", 1)[1]
    stored = coach.db.execute("select * from web_tokens").fetchall()
    assert len(stored) == 2 and not any(token in str(row) for row in stored)  # hashed


def test_a_local_web_view_gives_the_link_without_a_mini_app_button(anna, coach):
    coach.web_url = "http://127.0.0.1:8080"
    assert sign_in_link(anna).startswith("http://127.0.0.1:8080/login/")
    assert [b for r in anna.replies for b in r.buttons()] == []


def test_english_web_reply(chat, coach):
    coach.web_url = "https://bieb.example.org"
    emma = chat("Emma", lang_hint="en")
    emma.create_library("Library of Tests")
    emma.cmd("web")
    assert "Don't share the link" in emma.texts()


def test_web_before_joining_a_library_says_what_comes_first(chat, coach):
    coach.web_url = "https://bieb.example.org"
    dirk = chat("Dirk")
    dirk.cmd("start")
    dirk.cmd("web")
    assert "/login/" not in dirk.texts() and dirk.templates()[0] == "notices.no_library"


@pytest.mark.parametrize("who,page,reason", [
    ("nobody", "strategy", "no_user"), ("dirk", "kpis", "no_library"),
    ("bram", "team", "coordinators"), ("anna", "nope", "unknown"),
])
def test_the_core_refuses_pages_to_whom_they_are_not_for(chat, anna, who, page, reason):
    bram = chat("Bram")
    bram.cmd("start", anna.invite_code())
    chat("Dirk").cmd("start")
    with pytest.raises(NotAllowed) as info:
        anna.coach.page(f"test:{who}", page)
    assert info.value.reason == reason
    assert anna.coach.page("test:anna", "team")["members"][0]["name"] == "Anna"


def test_two_features_cannot_declare_the_same_page():
    def view(turn, params):
        return {}

    with pytest.raises(ValueError, match="pages"):
        Registry([Feature("a", pages=[Page("p", view)]), Feature("b", pages=[Page("p", view)])])


def test_pruning_forgets_expired_links_and_sessions(anna, coach, clock):
    from coach.storage import web as web_store

    coach.web_url = "https://bieb.example.org"
    sign_in_link(anna)
    web_store.new_session(coach.db, "test:anna", clock())
    web_store.record_failed_attempt(coach.db, "1.2.3.4", clock())
    clock.advance(hours=8, seconds=1)
    fresh = sign_in_link(anna).rsplit("/", 1)[1]
    coach.prune()
    counts = [coach.db.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("web_tokens", "web_sessions", "web_attempts")]
    assert counts == [1, 0, 0]
    assert web_store.use_sign_in_token(coach.db, fresh, clock()) == "test:anna"


def test_the_team_page_shows_assignments_and_an_adoption_shows_on_the_strategy_page(
        chat, anna):
    from tests.support.walk import walk

    bram = chat("Bram")
    bram.cmd("start", anna.invite_code())
    walk(anna)
    anna.cmd("verdeel", "Bram: stap 5")
    bram.cmd("verder")
    bram.say("Nieuwe jeugdleden; Uitleningen manga")  # KPIs for the first goal: a proposal
    before = anna.coach.page("test:anna", "strategy")["document"]
    team = anna.coach.page("test:anna", "team")
    assert [m["steps"] for m in team["members"]] == [[], [5]]
    (decision,) = [d for d in team["decisions"] if d["question_id"] == "kpis.per_goal"]
    assert decision["item_text"].startswith("50 aanmeldingen")  # the goal, not its key
    answer_id = next(c["answer_id"] for c in decision["contributions"] if c["author"] == "Bram")
    assert anna.coach.act("test:anna", "adopt", {
        "question_id": "kpis.per_goal", "item_key": decision["item_key"],
        "answer_id": str(answer_id)}) == "adopted"
    after = anna.coach.page("test:anna", "strategy")["document"]
    # before: only in the appendix (a contribution); after: the library's KPI too
    assert after.count("Uitleningen manga") > before.count("Uitleningen manga") >= 1
