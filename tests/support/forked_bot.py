"""``python bot.py ...`` without paying for Python's start at every run.

A server process imports bot.py and what its commands import, and warms the coach's
caches (the compiled templates, the flows), once; then it forks a child per run. The
child is a process of its own that runs bot.py's ``main`` with the run's arguments,
environment, working directory and standard streams (files), and ends as ``python
bot.py ...`` would: with main's exit code and the interpreter's normal shutdown, or
killed by a signal. Only the interpreter's start and the imports are shared.
tests/adapters/test_console.py runs its console sessions here (one on a real start), and
tests/test_crash_safety.py the bot it kills (``BotProcess(..., fork=server)``).

The protocol: a JSON line per run on the server's standard input (``args``, ``env``,
``cwd`` and the paths ``stdin``, ``stdout`` and ``stderr``); the server answers ``pid N``
once the child runs and ``exit N`` when it has ended (N as in ``Popen.returncode``: minus
the signal that killed it). It runs one child at a time. The server reads and writes its
descriptors 0 and 1 unbuffered, so that a child inherits no half-read request.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ForkServer:
    """The test's side: one server, started on first use; :meth:`close` ends it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.pending = b""

    def spawn(self, args: list[str], *, env: dict[str, str], cwd: Path, stdout: Path,
              stderr: Path, stdin: Path = Path(os.devnull), timeout: float = 60) -> Child:
        """Start ``bot.py ARGS`` in a forked child (once the previous one has ended)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.support.forked_bot"], cwd=ROOT,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
            self.pending = b""
        job = {"args": args, "env": env, "cwd": str(cwd), "stdin": str(stdin),
               "stdout": str(stdout), "stderr": str(stderr)}
        self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        self.proc.stdin.flush()
        return Child(self, int(self.answer("pid", timeout)))

    def answer(self, word: str, timeout: float) -> str:
        """The next answer line, ``WORD N``: N."""
        line = self.line(timeout)
        if line is None:
            self.close()
            raise TimeoutError(f"the forked bot.py gave no {word} in {timeout} s")
        said, _, value = line.partition(" ")
        assert said == word, line
        return value

    def line(self, timeout: float) -> str | None:
        """The server's next line, waiting at most ``timeout`` s; None if none came."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            left = max(deadline - time.monotonic(), 0)
            if not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def run(self, args: list[str], *, input: str, env: dict[str, str], cwd: Path,
            streams: Path, timeout: float = 60) -> subprocess.CompletedProcess:
        """Like ``subprocess.run(..., input=input, capture_output=True, text=True)``; the
        streams are files in the folder ``streams``."""
        stdin, stdout, stderr = (streams / name for name in ("stdin", "stdout", "stderr"))
        stdin.write_text(input, encoding="utf-8")
        child = self.spawn(args, env=env, cwd=cwd, stdin=stdin, stdout=stdout,
                           stderr=stderr, timeout=timeout)
        code = child.wait_now(timeout)
        return subprocess.CompletedProcess(args, code, stdout.read_text(encoding="utf-8"),
                                           stderr.read_text(encoding="utf-8"))

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


class Child:
    """A forked run, as far as tests use an ``asyncio.subprocess.Process``: ``pid``,
    ``returncode``, ``send_signal`` and ``wait``."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def wait_now(self, timeout: float) -> int:
        if self.returncode is None:
            self.returncode = int(self.server.answer("exit", timeout))
        return self.returncode

    async def wait(self) -> int:
        while self.returncode is None:
            line = self.server.line(0)
            if line is None:
                if self.server.proc is None or self.server.proc.poll() is not None:
                    raise RuntimeError("the forked bot.py's server has gone")
                await asyncio.sleep(0.02)
                continue
            said, _, value = line.partition(" ")
            assert said == "exit", line
            self.returncode = int(value)
        return self.returncode


def serve() -> dict | None:
    """Wait for runs and fork one child each; returns the job in a child, None in the
    server once its input ends."""
    import coach.adapters.console  # noqa: F401  (what bot.py's commands import as they run)
    import coach.adapters.telegram.run  # noqa: F401
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
        os.write(1, f"pid {pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"exit {os.waitstatus_to_exitcode(status)}\n".encode())


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


if __name__ == "__main__":  # python -m tests.support.forked_bot, in the repository
    import bot

    job = serve()
    sys.exit(0 if job is None else child(job))
