#!/usr/bin/env python3
"""Biebcoach's command line.

    python bot.py console [--as NAME] [--db FILE]   chat with the coach in this terminal
    python bot.py [run]                 run the Telegram bot (needs TELEGRAM_BOT_TOKEN)
    python bot.py web [--as NAME]       the web view alone, with a sign-in link
    python bot.py export --library NAME [--format md|docx|html] [-o FILE]
    python bot.py checkins send-due     send the weekly check-ins due now (for cron)
    python bot.py backup FILE           a consistent copy of the live database

Configuration comes from the environment or a .env file; see README.md.
"""

from __future__ import annotations

import argparse
import sys

from coach.config import Config, ConfigError
from coach.core.texts import cli_line
from coach.storage.db import StorageError


def cmd_console(args: argparse.Namespace, config: Config) -> int:
    from coach.adapters.console import run_console
    from coach.wiring import open_coach

    coach = open_coach(args.db or config.db_path, config.durability, tz=config.tz)
    return run_console(coach, args.user)


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from coach.adapters.telegram.run import run

    return run(config)


def cmd_web(args: argparse.Namespace, config: Config) -> int:
    from coach.adapters.web.run import run_web

    return run_web(config, args.user)


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from coach.storage.backup import backup
    from coach.storage.db import storage_faults

    try:
        with storage_faults(args.file):
            size = backup(config.db_path, args.file)
    except (OSError, ValueError, StorageError) as exc:  # a full disk, a damaged file, ...
        print(cli_line("cannot_back_up", path=config.db_path, reason=exc), file=sys.stderr)
        return 2
    print(cli_line("backed_up", path=config.db_path, target=args.file, size=size))
    return 0


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    import os
    from datetime import UTC, datetime

    from coach.features.export.feature import LibraryNotFound, find_library, render_document
    from coach.storage.db import open_db

    if config.db_path != ":memory:" and not os.path.exists(config.db_path):
        print(cli_line("no_database", path=config.db_path), file=sys.stderr)
        return 2
    db = open_db(config.db_path, config.durability, writable=False)  # it only reads
    try:
        library = find_library(db, args.library)
    except LibraryNotFound as exc:
        print(cli_line(exc.block, **exc.ctx), file=sys.stderr)
        return 2
    content = render_document(db, library["id"], args.lang, datetime.now(UTC), args.format,
                              tz=config.tz)
    if not args.output:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    try:
        with open(args.output, "wb") as fh:
            fh.write(content)
    except OSError as exc:
        print(cli_line("cannot_write", path=args.output, reason=exc.strerror or exc),
              file=sys.stderr)
        return 2
    print(cli_line("exported", library=library["name"], path=args.output))
    return 0


def cmd_checkins(args: argparse.Namespace, config: Config) -> int:
    from coach.adapters.telegram.run import run_send_due

    return run_send_due(config)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="Biebcoach: a social-media strategy coach for libraries."
    )
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="chat with the coach in this terminal")
    console.add_argument(
        "--as", dest="user", metavar="NAME",
        help="act as this named user (try a team on one machine: --as anna, --as bram); "
             "without it the console asks once",
    )
    console.add_argument(
        "--db", metavar="FILE",
        help="the database to use (default: COACH_DB, else ./biebcoach.db); a new file "
             "starts afresh",
    )
    console.set_defaults(func=cmd_console)
    run = sub.add_parser("run", help="run the Telegram bot (the default)")
    run.set_defaults(func=cmd_run)
    web = sub.add_parser("web", help="serve the web view on this machine and print a sign-in link")
    web.add_argument("--as", dest="user", metavar="NAME",
                     help="sign in as this console user (as with console --as)")
    web.set_defaults(func=cmd_web)
    backup = sub.add_parser("backup", help="write a consistent copy of the live database")
    backup.add_argument("file", help="where to write the copy")
    backup.set_defaults(func=cmd_backup)
    export = sub.add_parser("export", help="write a library's strategy document (Word, HTML"
                                           " or Markdown)")
    export.add_argument("--library", required=True, metavar="NAME_OR_ID",
                        help="the library's id, or (part of) its name")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.add_argument("--lang", choices=("nl", "en"), default="nl",
                        help="language of the document (default: nl)")
    export.add_argument("--format", choices=("md", "docx", "html"), default="md",
                        help="md (Markdown, the default), docx (Word) or html (prints to PDF)")
    export.set_defaults(func=cmd_export)
    checkins = sub.add_parser("checkins", help="weekly check-ins")
    checkins_sub = checkins.add_subparsers(dest="checkins_command", required=True)
    send_due = checkins_sub.add_parser(
        "send-due", help="send the check-ins that are due now and exit (for cron)")
    send_due.set_defaults(func=cmd_checkins)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(cli_line(exc.message, **exc.ctx), file=sys.stderr)
        return 2
    func = getattr(args, "func", cmd_run)
    try:
        return func(args, config)
    except StorageError as exc:  # the database cannot be opened, read or written
        print(storage_line(exc, config.db_path), file=sys.stderr)
        return 2


def storage_line(exc: StorageError, path: str) -> str:
    """The one line for a database that cannot be used (prompts/*/cli.j2, ``db_*``)."""
    return cli_line(f"db_{exc.kind}", path=exc.path or path)


if __name__ == "__main__":
    sys.exit(main())
