"""/export end to end: the real PTB Application over HTTP against the fake Bot API
sends each format as a document with its file name and MIME type."""

from __future__ import annotations

import re

import pytest

from tests.features.export.readers import headings, read
from tests.support.telegram import (  # noqa: F401 (fixtures)
    bot_fixture,
    buttons,
    fake_api_fixture,
    plain,
    texts,
)

MIME = {"md": "text/markdown", "html": "text/html",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


async def new_library(user, name: str) -> None:
    await user.command("start")
    await user.press("l:new")
    await user.send(name)


async def test_export_sends_each_format_as_a_document(bot):
    api = bot.api
    anna = bot.user(1501, "Anna")
    await new_library(anna, "Bieb Exportstad")
    await anna.send("Meer gezinnen bij de VoorleesExpress\nEen vol taalcafé")
    calls = await anna.command("export")
    assert [c.method for c in calls] == ["sendMessage"]
    assert [b["callback_data"] for b in buttons(calls[0].params)] == [
        "ex:docx", "ex:html", "ex:md"]
    for fmt in ("docx", "html", "md"):
        await anna.command("export")  # a press closes the keyboard it was on
        calls = await anna.press(f"ex:{fmt}")
        sent = [c for c in calls if c.method in ("sendDocument", "sendMessage")]
        assert [c.method for c in sent] == ["sendDocument", "sendMessage"]
        document = sent[0]
        filename, content = document.files["document"]
        assert re.fullmatch(rf"strategie-bieb-exportstad-\d{{4}}-\d\d-\d\d\.{fmt}", filename)
        assert document.file_types["document"] == MIME[fmt]
        assert plain(document.params["caption"]) == plain(bot.coach.render(
            "nl", f"export_reply.caption_{fmt}", library="Bieb Exportstad"))
        assert texts(sent[1:]) == [plain(bot.coach.render("nl", f"export_reply.done_{fmt}"))]
        outline = read(fmt, content)
        assert headings(outline, 1) == ["Socialemediastrategie van Bieb Exportstad"]
        assert "Meer gezinnen bij de VoorleesExpress" in repr(outline)
    assert [c for c in api.calls if c.status >= 400] == []
    assert api.unanswered_callbacks() == []


@pytest.mark.parametrize("data", ["ex:md", "ex:docx"])
async def test_a_colleague_pressing_an_export_button_gets_a_refusal(bot, data):
    api = bot.api
    anna = bot.user(1511, "Anna")
    await new_library(anna, "Bieb Exportstad")
    invite = texts(await anna.command("uitnodigen"))[-1]
    code = re.search(r"\?start=([A-Za-z0-9_-]+)", invite).group(1)
    bram = bot.user(1512, "Bram")
    await bram.command("start", code)
    mark = api.mark()
    api.push_callback(bram.id, data, api.bot_messages(bram.id)[-1]["message_id"])
    calls = await bram._after(api.next_update_id - 1, mark)  # a forged or old button
    assert [c.method for c in calls] == ["sendMessage"]
    assert "alleen de coördinator" in texts(calls)[0]
    assert not [c for c in api.sent(bram.id) if c.method == "sendDocument"]
    assert api.unanswered_callbacks() == []
