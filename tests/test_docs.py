"""The README stays true: every command of bot.py and of the chat is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot
from coach.core.commands import COMMANDS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def cli_commands() -> list[str]:
    parser = bot.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = []
    for name, subparser in sub.choices.items():
        nested = [a for a in subparser._actions if getattr(a, "choices", None)
                  and isinstance(a.choices, dict)]
        names += [f"{name} {n}" for a in nested for n in a.choices] or [name]
    return names


@pytest.mark.parametrize("command", cli_commands())
def test_every_cli_command_is_in_the_readme(command):
    assert f"python bot.py {command}" in README


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.id)
def test_every_chat_command_is_in_the_readme(command):
    assert f"`/{command.nl}`" in README and f"`/{command.en}`" in README


def test_the_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -r requirements-dev.txt && python -m pytest" in README
    assert "-r requirements-dev.txt" in ci and "python -m pytest" in ci
