"""``python bot.py`` with its database on a real file system that runs full.

Run inside a user and mount namespace, in one of two ways. Both mount a 1 MiB tmpfs on
DISK and start the bot there with ``COACH_DB=DISK/coach.db``; "fill" always checkpoints
the WAL first, so that the next commit must grow it, then fills the disk.

``unshare -rm python tests/support/full_disk.py console DISK`` starts ``python bot.py
console --as anna``, answers, fills the disk, answers again, frees the disk and answers
once more. It prints the console's whole output, then ``STDERR:`` and its stderr,
``EXIT:`` and its exit code, and ``ANSWERS:`` with the question ids of the stored
answers.

``unshare -rm python tests/support/full_disk.py run DISK CONTROL`` starts ``python bot.py
run`` (the environment says which Bot API and token) and obeys files that the test puts
in CONTROL: ``fill``, ``free`` (delete the filler) and ``stop`` (SIGTERM the bot, write
the stored answers as ``question_id author_id`` lines to CONTROL/answers, exit with the
bot's exit code). Each command file is removed once done, as the signal to go on.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(disk: Path, *args: str, **popen) -> tuple[subprocess.Popen, Path]:
    """Mount the small tmpfs on ``disk`` and start ``python bot.py ARGS`` on it."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    db = disk / "coach.db"
    env = {**os.environ, "COACH_DB": str(db), **popen.pop("env", {})}
    bot = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), *args], cwd=disk, env=env,
                           **popen)
    return bot, db


def fill(disk: Path, db: Path) -> None:
    for _ in range(50):  # the bot may be reading just now
        con = sqlite3.connect(db)
        busy = con.execute("pragma wal_checkpoint(TRUNCATE)").fetchone()[0]
        con.close()
        if not busy:
            break
        time.sleep(0.05)
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # no space left on device
    finally:
        os.close(fd)


def free(disk: Path) -> None:
    (disk / "filler").unlink()


def stored_answers(db: Path) -> list[tuple[str, str]]:
    """(question id, author id) of the current answers; the file system goes with the
    namespace, so read them before exiting."""
    con = sqlite3.connect(db)
    try:
        return con.execute("select question_id, author_id from answers where "
                           "superseded_at is null order by id").fetchall()
    finally:
        con.close()


def read_until_prompt(proc: subprocess.Popen, out: list[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    chunk = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            data = os.read(proc.stdout.fileno(), 65536).decode("utf-8", "replace")
            if not data:
                break
            chunk += data
            if chunk.endswith("> "):
                break
    out.append(chunk)


def console(disk: Path) -> int:
    proc, db = start(disk, "console", "--as", "anna", stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     env={"LANG": "nl_NL.UTF-8", "PYTHONUNBUFFERED": "1"})
    out: list[str] = []

    def line(text: str) -> None:
        proc.stdin.write((text + "\n").encode())
        proc.stdin.flush()
        read_until_prompt(proc, out)

    read_until_prompt(proc, out)
    line("a")
    line("Bibliotheek Rivierenland")
    line("Meer kinderen lid maken; Taalcafé elke week vol")
    fill(disk, db)
    out.append("\n[DISK FULL]\n")
    line("Meer online aanmeldingen")
    free(disk)
    out.append("\n[DISK FREE]\n")
    line("Meer online aanmeldingen")
    rest, err = proc.communicate(b":quit\n", timeout=30)
    print("".join(out) + rest.decode("utf-8", "replace"))
    print("STDERR:" + err.decode("utf-8", "replace"))
    print(f"EXIT:{proc.returncode}")
    print("ANSWERS:" + ",".join(q for q, _ in stored_answers(db)))
    return 0


def run(disk: Path, control: Path) -> int:
    bot, db = start(disk, "run", stdin=subprocess.DEVNULL)
    try:
        while bot.poll() is None:
            if (control / "fill").exists():
                fill(disk, db)
                (control / "fill").unlink()
            if (control / "free").exists():
                free(disk)
                (control / "free").unlink()
            if (control / "stop").exists():
                bot.send_signal(signal.SIGTERM)
                code = bot.wait(30)
                (control / "answers").write_text(
                    "".join(f"{q} {a}\n" for q, a in stored_answers(db)))
                (control / "stop").unlink()
                return code
            time.sleep(0.05)
        return bot.returncode
    finally:
        if bot.poll() is None:
            bot.kill()


if __name__ == "__main__":
    mode, *paths = sys.argv[1:]
    sys.exit({"console": console, "run": run}[mode](*map(Path, paths)))
