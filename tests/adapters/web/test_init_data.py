"""The Mini App's initData check, with vectors made as Telegram documents them:
secret = HMAC_SHA256(key="WebAppData", msg=bot_token); hash = hex(HMAC_SHA256(key=secret,
msg=data_check_string)), the data-check-string being the sorted ``key=value`` lines of
every field but ``hash``. The vectors are computed here independently of the code."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from coach.adapters.web.auth import InvalidInitData, check_init_data, sign, unsign

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
USER = {"id": 279058397, "first_name": "Vladislav", "last_name": "Kibenko",
        "username": "vdkfrost", "language_code": "nl", "is_premium": True,
        "allows_write_to_pm": True}


def telegram_init_data(fields: dict[str, str], token: str = TOKEN) -> str:
    """initData as a Telegram client sends it: the fields and their hash, URL-encoded."""
    data_check_string = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret_key = hmac.new(key=b"WebAppData", msg=token.encode(), digestmod=hashlib.sha256)
    digest = hmac.new(key=secret_key.digest(), msg=data_check_string.encode(),
                      digestmod=hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def fields(age: timedelta = timedelta(minutes=1), **extra: str) -> dict[str, str]:
    return {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
            "user": json.dumps(USER, separators=(",", ":"), ensure_ascii=False),
            "auth_date": str(int((NOW - age).timestamp())), **extra}


def test_valid_init_data_gives_the_telegram_user():
    user = check_init_data(telegram_init_data(fields()), TOKEN, NOW)
    assert user["id"] == 279058397 and user["language_code"] == "nl"


def test_a_known_vector_with_signature_and_emoji_names():
    # every field but hash counts, Telegram's newer "signature" field too
    data = fields(signature="abc-_123", chat_type="private", start_param="x y&z")
    data["user"] = json.dumps({**USER, "first_name": "Ánna 📚 <b>"}, ensure_ascii=False)
    assert check_init_data(telegram_init_data(data), TOKEN, NOW)["first_name"] == "Ánna 📚 <b>"


@pytest.mark.parametrize("tamper", [
    lambda s: s.replace("279058397", "279058398"),  # another user id
    lambda s: s.replace("Vladislav", "Vladimir"),
    lambda s: s + "&extra=1",  # a field added after signing
    lambda s: s.replace("query_id=", "query_id=X"),
])
def test_tampered_init_data_is_refused(tamper):
    with pytest.raises(InvalidInitData) as info:
        check_init_data(tamper(telegram_init_data(fields())), TOKEN, NOW)
    assert info.value.reason == "bad_hash"


def test_init_data_signed_with_another_bot_token_is_refused():
    data = telegram_init_data(fields(), token="987654321:AAAnotherBotTokenXXXXXXXXXXXXXXXX")
    with pytest.raises(InvalidInitData, match="bad_hash"):
        check_init_data(data, TOKEN, NOW)


@pytest.mark.parametrize("age,ok", [
    (timedelta(hours=23, minutes=59), True), (timedelta(hours=24, seconds=1), False),
    (timedelta(days=30), False), (-timedelta(minutes=1), True), (-timedelta(hours=1), False),
])
def test_auth_date_at_most_24_hours_old(age, ok):
    data = telegram_init_data(fields(age=age))
    if ok:
        assert check_init_data(data, TOKEN, NOW)["id"] == USER["id"]
    else:
        with pytest.raises(InvalidInitData, match="expired"):
            check_init_data(data, TOKEN, NOW)


@pytest.mark.parametrize("data,reason", [
    (urlencode(fields()), "missing_hash"),
    (urlencode({**fields(), "hash": ""}), "missing_hash"),
    ("", "empty_or_too_long"),
    ("x" * 5000, "empty_or_too_long"),
    ("no equals sign", "not_a_query_string"),
    (telegram_init_data(fields()) + "&hash=00", "repeated_field"),
])
def test_missing_hash_and_garbage_are_refused(data, reason):
    with pytest.raises(InvalidInitData) as info:
        check_init_data(data, TOKEN, NOW)
    assert info.value.reason == reason


def test_signed_init_data_without_a_user_is_refused():
    data = fields()
    del data["user"]
    with pytest.raises(InvalidInitData, match="no_user"):
        check_init_data(telegram_init_data(data), TOKEN, NOW)


def test_a_cookie_signature_holds_only_for_its_key_and_value():
    key = b"k" * 32
    signed = sign(key, "session-id")
    assert unsign(key, signed) == "session-id"
    assert unsign(b"x" * 32, signed) is None
    assert unsign(key, signed.replace("session", "sessioN")) is None
    assert unsign(key, "session-id") is None and unsign(key, None) is None
