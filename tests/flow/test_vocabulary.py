"""The vocabulary files (flows/<lang>/vocabulary.yaml, flows/vocabulary.yaml): complete in
both languages, loaded once, and a broken file is reported in one clear line."""

from __future__ import annotations

import shutil

import pytest
import yaml

from coach.flow import matching
from coach.flow.model import LANGS, ROOT
from coach.flow.vocabulary import (
    FILE_NAME,
    KEYS,
    SCHEMA,
    Table,
    VocabularyError,
    load_vocabulary,
    parse_vocabulary,
)

FLOWS = ROOT / "flows"


def flat_keys(raw: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in raw.items():
        if isinstance(value, dict):
            keys |= flat_keys(value, f"{prefix}{key}.")
        elif key != "version":
            keys.add(prefix + key)
    return keys


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_has_every_key(lang):
    raw = yaml.safe_load((FLOWS / lang / FILE_NAME).read_text(encoding="utf-8"))
    assert flat_keys(raw) == set(KEYS)


def test_every_key_has_words_and_tables_have_their_entries():
    vocabulary = load_vocabulary()
    for key in KEYS:
        if not isinstance(_kind(key), Table):
            assert vocabulary.words(key), key
    for lang in LANGS:
        assert len(vocabulary.table("weekdays", lang)) == 7
        assert len(vocabulary.table("months", lang)) == 12


def _kind(key: str):
    node = SCHEMA
    for part in key.split("."):
        node = node[part]
    return node


def test_loaded_once_and_the_old_names_still_work():
    assert load_vocabulary() is load_vocabulary()
    vocabulary = load_vocabulary()
    assert vocabulary.words("yes") == matching.YES
    assert "ja" in matching.YES and "yes" in matching.YES
    assert list(matching.NAVIGATION_WORDS) == list(SCHEMA["navigation"])
    assert matching.navigation_word("ga terug") == "back"
    assert matching.navigation_word("go back") == "back"
    assert matching.word_in("klaar", matching.DONE)


def test_no_word_means_both_yes_and_no():
    vocabulary = load_vocabulary()
    assert not set(vocabulary.words("yes")) & set(vocabulary.words("no"))


def test_words_per_language_and_together():
    vocabulary = load_vocabulary()
    assert "ja" in vocabulary.words("yes", "nl") and "ja" not in vocabulary.words("yes", "en")
    together = vocabulary.words("yes")
    assert len(together) == len(set(together))  # each word once
    assert set(together) == set(vocabulary.words("yes", "nl")) | set(vocabulary.words("yes", "en"))


# -- broken files ------------------------------------------------------------------------


@pytest.fixture
def flows(tmp_path):
    """A copy of the vocabulary files to break."""
    for lang in LANGS:
        (tmp_path / lang).mkdir()
        shutil.copy(FLOWS / lang / FILE_NAME, tmp_path / lang / FILE_NAME)
    shutil.copy(FLOWS / FILE_NAME, tmp_path / FILE_NAME)
    return tmp_path


def edit(path, change):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_the_copied_files_load(flows):
    assert parse_vocabulary(flows).words("yes") == load_vocabulary().words("yes")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["navigation"].pop("back"), r"en/vocabulary.yaml: navigation.back: missing"),
        (lambda d: d.update(jep=["ja"]), r"en/vocabulary.yaml: jep: unknown key"),
        (lambda d: d.update(done="klaar"), r"done: must be a list of words"),
        (lambda d: d.update(no=[False]), r"no: put yes, no, on and off in quotes"),
        (lambda d: d.update({True: ["ja"]}), r"put the keys yes and no in quotes"),
        (lambda d: d["weekdays"].pop(), r"weekdays: must be a list of 7 word lists"),
        (lambda d: d["months"].__setitem__(0, []), r"months: every entry needs at least"),
        (lambda d: d.update(stop=["stop", ""]), r"stop: every word must be a non-empty text"),
    ],
)
def test_a_broken_language_file_is_reported_in_one_line(flows, change, message):
    edit(flows / "en" / FILE_NAME, change)
    with pytest.raises(VocabularyError, match=message) as error:
        parse_vocabulary(flows)
    assert "\n" not in str(error.value)


def test_a_key_without_words_in_any_language(flows):
    for lang in LANGS:
        edit(flows / lang / FILE_NAME, lambda d: d.update(done=[]))
    with pytest.raises(VocabularyError, match="done: has no words in any language"):
        parse_vocabulary(flows)


def test_invalid_yaml_and_a_missing_file(flows):
    (flows / "nl" / FILE_NAME).write_text("yes: [ja\nno: nee\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"nl/vocabulary.yaml: not valid YAML \(line"):
        parse_vocabulary(flows)
    (flows / "nl" / FILE_NAME).unlink()
    with pytest.raises(VocabularyError, match="nl/vocabulary.yaml: cannot be read"):
        parse_vocabulary(flows)


def test_a_broken_shared_file(flows):
    edit(flows / FILE_NAME, lambda d: d["channels"].update(other=["website"]))
    with pytest.raises(VocabularyError, match="channels.other: must map ids to lists"):
        parse_vocabulary(flows)


def test_a_word_in_two_entries_of_a_table(flows):
    edit(flows / "en" / FILE_NAME, lambda d: d["weekdays"][1].append("mon"))
    with pytest.raises(VocabularyError, match="weekdays: 'mon' is in two entries"):
        parse_vocabulary(flows).index("weekdays")


@pytest.fixture
def channel_names(flows, monkeypatch):
    """The next steps' channel names read from the copied (breakable) files."""
    from coach.features.next_steps import channels

    monkeypatch.setattr(channels, "load_vocabulary", lambda: parse_vocabulary(flows))
    channels._channels.cache_clear()
    yield channels
    channels._channels.cache_clear()


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ({"myspace": ["ms"]}, "channels.aliases: myspace is not a channel of flows/channels"),
        ({"facebook": ["insta"]}, "channel name 'insta' names both facebook and instagram"),
    ],
)
def test_shared_channel_names_are_checked(flows, channel_names, aliases, message):
    edit(flows / FILE_NAME, lambda d: d["channels"].update(aliases=aliases))
    with pytest.raises(VocabularyError, match=message):
        channel_names.known_channels()
