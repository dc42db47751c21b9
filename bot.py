#!/usr/bin/env python3
"""Biebcoach's command line.

    python bot.py console [--as NAME]   chat with the coach in this terminal
    python bot.py [run]                 run the Telegram bot (needs TELEGRAM_BOT_TOKEN)

Configuration comes from the environment or a .env file; see README.md.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from coach.config import Config


def cmd_console(args: argparse.Namespace, config: Config) -> int:
    from coach.console import run_console
    from coach.engine import Coach

    coach = Coach.open(config.db_path)
    return run_console(coach, args.user or getpass.getuser() or "me")


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from coach.telegram_bot import run

    return run(config)


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from coach.backup import backup

    try:
        size = backup(config.db_path, args.file)
    except (OSError, ValueError) as exc:
        print(f"bot.py backup: cannot back up {config.db_path}: {exc}", file=sys.stderr)
        return 2
    print(f"Backed up {config.db_path} to {args.file} ({size:,} bytes).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="Biebcoach: a social-media strategy coach for libraries."
    )
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="chat with the coach in this terminal")
    console.add_argument(
        "--as", dest="user", metavar="NAME",
        help="act as this named user (try a team on one machine: --as anna, --as bram)",
    )
    console.set_defaults(func=cmd_console)
    run = sub.add_parser("run", help="run the Telegram bot (the default)")
    run.set_defaults(func=cmd_run)
    backup = sub.add_parser("backup", help="write a consistent copy of the live database")
    backup.add_argument("file", help="where to write the copy")
    backup.set_defaults(func=cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = Config.from_env()
    func = getattr(args, "func", cmd_run)
    return func(args, config)


if __name__ == "__main__":
    sys.exit(main())
