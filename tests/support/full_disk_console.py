"""``python bot.py console`` on a real file system that runs full mid-session.

Run inside a user and mount namespace (``unshare -rm python -m
tests.support.full_disk_console DIR``): it mounts a 1 MiB tmpfs on DIR, starts the
console there, answers, fills the disk (after a WAL checkpoint, so that the next commit
must grow the WAL file), answers again, frees the disk and answers once more. It prints
the console's whole output, then ``STDERR:`` and its stderr, ``EXIT:`` and its exit
code, and ``ANSWERS:`` with the question ids of the stored answers.
"""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def fill(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # no space left on device
    finally:
        os.close(fd)


def main(disk: Path) -> int:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    db = disk / "coach.db"
    env = {**os.environ, "COACH_DB": str(db), "LANG": "nl_NL.UTF-8", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "console", "--as", "anna"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=disk)
    out: list[str] = []

    def line(text: str) -> None:
        proc.stdin.write((text + "\n").encode())
        proc.stdin.flush()
        read_until_prompt(proc, out)

    read_until_prompt(proc, out)
    line("a")
    line("Bibliotheek Rivierenland")
    line("Meer kinderen lid maken; Taalcafé elke week vol")
    con = sqlite3.connect(db)
    con.execute("pragma wal_checkpoint(TRUNCATE)")
    con.close()
    fill(disk)
    out.append("\n[DISK FULL]\n")
    line("Meer online aanmeldingen")
    (disk / "filler").unlink()
    out.append("\n[DISK FREE]\n")
    line("Meer online aanmeldingen")
    rest, err = proc.communicate(b":quit\n", timeout=30)
    print("".join(out) + rest.decode("utf-8", "replace"))
    print("STDERR:" + err.decode("utf-8", "replace"))
    print(f"EXIT:{proc.returncode}")
    con = sqlite3.connect(db)  # the file system goes with the namespace: read it now
    answers = [q for (q,) in con.execute(
        "select question_id from answers where superseded_at is null order by id")]
    print("ANSWERS:" + ",".join(answers))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
