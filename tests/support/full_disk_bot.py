"""``python bot.py run`` with its database on a real file system that runs full.

Run inside a user and mount namespace: ``unshare -rm python
tests/support/full_disk_bot.py DISK CONTROL``. It mounts a 1 MiB tmpfs on DISK, starts
the bot there (the environment says which Bot API and token), and obeys files that the
test puts in CONTROL: ``fill`` (checkpoint the WAL, so that the next commit must grow
it, then fill the disk), ``free`` (delete the filler) and ``stop`` (SIGTERM the bot,
write the stored answers as ``question_id author_id`` lines to CONTROL/answers, exit
with the bot's exit code). Each command file is removed once done, as the signal to go
on.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def main(disk: Path, control: Path) -> int:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    db = disk / "coach.db"
    bot = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run"], cwd=disk,
                           env={**os.environ, "COACH_DB": str(db)}, stdin=subprocess.DEVNULL)
    try:
        while bot.poll() is None:
            if (control / "fill").exists():
                fill(disk, db)
                (control / "fill").unlink()
            if (control / "free").exists():
                (disk / "filler").unlink()
                (control / "free").unlink()
            if (control / "stop").exists():
                bot.send_signal(signal.SIGTERM)
                code = bot.wait(30)
                con = sqlite3.connect(db)
                rows = con.execute("select question_id, author_id from answers where "
                                   "superseded_at is null order by id").fetchall()
                con.close()
                (control / "answers").write_text("".join(f"{q} {a}\n" for q, a in rows))
                (control / "stop").unlink()
                return code
            time.sleep(0.05)
        return bot.returncode
    finally:
        if bot.poll() is None:
            bot.kill()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
