"""Configuration: a setting that cannot work is one clear line and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coach.config import Config, ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_and_values_from_the_environment():
    config = Config.from_env({"COACH_DB": "/tmp/x.db", "TELEGRAM_API_URL": "http://h:1/"})
    assert (config.db_path, config.tz, config.api_url) == ("/tmp/x.db", "Europe/Amsterdam",
                                                           "http://h:1")
    assert config.webhook_port == 8443 and config.token is None
    assert (config.web_url, config.web_listen, config.web_port) == (None, "127.0.0.1", 8080)


@pytest.mark.parametrize("value,url", [
    ("https://bieb.example.org/coach/", "https://bieb.example.org/coach"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"), (" ", None),
])
def test_the_web_url_is_https_or_this_machine(value, url):
    assert Config.from_env({"WEB_URL": value}).web_url == url


@pytest.mark.parametrize("env,name", [
    ({"WEBHOOK_PORT": "abc"}, "WEBHOOK_PORT"), ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
    ({"COACH_TZ": "Mars/Base"}, "COACH_TZ"), ({"COACH_TZ": "../../etc/passwd"}, "COACH_TZ"),
    ({"WEB_PORT": "0"}, "WEB_PORT"), ({"WEB_PORT": "web"}, "WEB_PORT"),
    ({"WEB_URL": "http://bieb.example.org"}, "WEB_URL"),
    ({"WEB_URL": "bieb.example.org"}, "WEB_URL"),
    ({"WEB_URL": "https://"}, "WEB_URL"), ({"WEB_URL": "https://x.org/?a=1"}, "WEB_URL"),
    ({"WEB_URL": "javascript:alert(1)"}, "WEB_URL"),
])
def test_a_setting_that_cannot_work_is_refused(env, name):
    with pytest.raises(ConfigError) as info:
        Config.from_env(env)
    assert info.value.ctx["name"] == name


@pytest.mark.parametrize("command", [["console"], ["export", "--library", "x"], ["run"]])
def test_the_command_line_says_so_in_one_line(tmp_path, command):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "WEBHOOK_"))},
           "COACH_DB": str(tmp_path / "c.db"), "COACH_TZ": "Mars/Base", "LANG": "nl_NL.UTF-8"}
    result = subprocess.run([sys.executable, "bot.py", *command], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr.strip() == ("COACH_TZ=Mars/Base is geen geldige waarde: "
                                     "een tijdzone zoals Europe/Amsterdam")
    assert "Traceback" not in result.stderr
