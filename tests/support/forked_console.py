"""``python bot.py console`` without paying for Python's start at every run.

A server process imports bot.py and warms the coach's caches (the compiled templates, the
flows) once, then forks a child per run. The child is a process of its own that runs
bot.py's ``main`` with the run's arguments, environment, working directory and standard
streams (files) and exits as ``python bot.py console ...`` would, with main's exit code
and the interpreter's normal shutdown; only the interpreter's start and the imports are
shared. tests/adapters/test_console.py runs its sessions here, one of them on a real
start (``cold=True``).

The protocol: a JSON line per run on the server's standard input (``args``, ``env``,
``cwd`` and the paths ``stdin``, ``stdout`` and ``stderr``); the server answers with the
child's exit code on a line. The server reads and writes its own descriptors 0 and 1
unbuffered, so that a child inherits no half-read request and no unwritten answer.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ForkedConsole:
    """The test's side: one server, started on first use; :meth:`close` ends it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def run(self, args: list[str], *, input: str, env: dict[str, str], cwd: Path,
            timeout: float = 60) -> subprocess.CompletedProcess:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.forked_console"],
                                         cwd=ROOT,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         start_new_session=True)
        with tempfile.TemporaryDirectory() as tmp:
            streams = {name: Path(tmp) / name for name in ("stdin", "stdout", "stderr")}
            streams["stdin"].write_text(input, encoding="utf-8")
            job = {"args": args, "env": env, "cwd": str(cwd),
                   **{name: str(path) for name, path in streams.items()}}
            self.proc.stdin.write(json.dumps(job).encode() + b"\n")
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            answer = self.proc.stdout.readline() if ready else b""
            if not answer:
                what = f"gave no exit code in {timeout} s" if not ready else "lost its server"
                self.close()
                raise TimeoutError(f"bot.py {' '.join(args)} {what}")
            return subprocess.CompletedProcess(
                args, int(answer), streams["stdout"].read_text(encoding="utf-8"),
                streams["stderr"].read_text(encoding="utf-8"))

    def close(self) -> None:
        """End the server and any child still running (they share a process group)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc = None


def serve() -> dict | None:
    """Wait for runs and fork one child each; returns the job in a child, None in the
    server once its input ends."""
    import coach.adapters.console  # noqa: F401  (what bot.py console imports when it runs)
    from coach.storage.db import open_db
    from coach.wiring import make_coach

    make_coach(open_db(":memory:")).db.conn.close()  # the caches every child then shares
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(0, 65536)
            if not chunk:
                return None
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            return json.loads(line)
        _, status = os.waitpid(pid, 0)
        os.write(1, f"{os.waitstatus_to_exitcode(status)}\n".encode())


def child(job: dict) -> int:
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        flags = os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        opened = os.open(job[name], flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = [str(ROOT / "bot.py"), *job["args"]]
    return bot.main(job["args"])


if __name__ == "__main__":  # python -m tests.support.forked_console, in the repository
    import bot

    job = serve()
    sys.exit(0 if job is None else child(job))
