"""The real processes the crash harness kills: ``shiji serve`` (uvicorn) and the job worker
(``shiji run_huey``), started as subprocesses on a shared PostgreSQL database and job queue.

One server and one worker run at any time. Arming a crash point replaces the process that
reaches it (the server for checkout, callbacks and release; the worker for payouts) by one
started with ``SHIJI_CRASH_AT``. When a process dies, ``Cluster.check`` insists it was the armed
one, killed by SIGKILL at its point, and starts it again without the point — on the same port,
so the provider's re-sent callbacks find it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from shiji.core.crashpoints import ENV_VAR

Role = Literal["server", "worker"]
START_TIMEOUT = 60.0
POLL_SECONDS = 0.05
# Which process reaches each family of points.
ROLE_OF_FAMILY: dict[str, Role] = {"checkout": "server", "callback": "server", "release": "server", "payout": "worker"}
# The worker's log lines for a job starting and ending (huey.api.Huey._execute).
JOB_STARTED = re.compile(r"Executing \S+: ([0-9a-f-]{36})")
JOB_ENDED = re.compile(r": ([0-9a-f-]{36})\b[^\n]* executed in |Unhandled exception in task ([0-9a-f-]{36})")


class HarnessError(AssertionError):
    """Something other than the planned crash went wrong (a test failure, with the logs)."""


def role_of(point: str) -> Role:
    return ROLE_OF_FAMILY[point.split(".", 1)[0]]


def wait_for(
    condition: Callable[[], bool], *, timeout: float, what: str, tick: Callable[[], None] | None = None
) -> None:
    """Poll ``condition`` until it holds; ``tick`` runs between polls (it restarts dead processes)."""
    deadline = time.monotonic() + timeout
    while True:
        if tick is not None:
            tick()
        if condition():
            return
        if time.monotonic() > deadline:
            raise HarnessError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL_SECONDS)


@dataclass
class Process:
    role: Role
    popen: subprocess.Popen[bytes]
    log: Path
    crash_at: str | None
    started_in: float
    # Jobs started less jobs ended, from the worker's log read so far (``jobs_running``).
    _jobs: Counter[str] = field(default_factory=Counter)
    _read: int = 0

    def jobs_running(self) -> int:
        with self.log.open("rb") as log:
            log.seek(self._read)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line being written is read next time
        self._read += len(complete)
        text = complete.decode(errors="replace")
        self._jobs.update(JOB_STARTED.findall(text))
        self._jobs.subtract(a or b for a, b in JOB_ENDED.findall(text))
        return sum(count for count in self._jobs.values() if count > 0)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Crash:
    role: Role
    point: str
    returncode: int


@dataclass
class Cluster:
    """The server and the worker of one harness session. ``env`` is the environment both get
    (database, queue, secrets, var dir); ``port`` the server's."""

    env: dict[str, str]
    port: int
    logs: Path
    processes: dict[Role, Process] = field(default_factory=dict)
    crashes: list[Crash] = field(default_factory=list)
    start_times: list[float] = field(default_factory=list)
    _serial: int = 0
    # Clients in several threads may see the server die at once: one of them restarts it.
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, role: Role, crash_at: str | None = None) -> Process:
        env = dict(self.env)
        env.pop(ENV_VAR, None)
        if crash_at:
            env[ENV_VAR] = crash_at
        if role == "server":
            args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-collectstatic"]
        else:
            args = ["run_huey", "--no-periodic", "--workers", "2"]
        self._serial += 1
        log = self.logs / f"{self._serial:03d}-{role}.log"
        began = time.monotonic()
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603  (our own interpreter and module)  # nosec B603
                [sys.executable, "-m", "shiji.cli", *args], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        process = Process(role=role, popen=popen, log=log, crash_at=crash_at, started_in=0.0)
        self.processes[role] = process
        ready = self._server_ready if role == "server" else self._worker_ready
        wait_for(lambda: self._alive_or_fail(process) and ready(process), timeout=START_TIMEOUT, what=f"the {role}")
        process.started_in = time.monotonic() - began
        self.start_times.append(process.started_in)
        return process

    def stop(self, role: Role) -> None:
        process = self.processes.pop(role, None)
        if process is None or process.popen.poll() is not None:
            return
        process.popen.send_signal(signal.SIGTERM)
        try:
            process.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait()

    def stop_all(self) -> None:
        for role in ("server", "worker"):
            self.stop(role)

    def arm(self, point_spec: str, role: Role) -> None:
        """Replace the ``role`` process by one that dies at ``point_spec`` (``name[@n]``)."""
        self.stop(role)
        self.start(role, crash_at=point_spec)

    # --- health ----------------------------------------------------------------------------

    def check(self) -> None:
        """Restart (without its crash point) a process that died at its crash point; fail on
        any other death."""
        with self._lock:
            self._check()

    def _check(self) -> None:
        for role, process in list(self.processes.items()):
            code = process.popen.poll()
            if code is None:
                continue
            point = (process.crash_at or "").split("@", 1)[0]
            if not point or code != -signal.SIGKILL or f"crash point {point} reached" not in process.log_tail(200):
                raise HarnessError(f"the {role} exited with {code} (armed: {process.crash_at}):\n{process.log_tail()}")
            self.crashes.append(Crash(role=role, point=point, returncode=code))
            self.start(role)

    def server_died(self, process: Process, timeout: float = 10.0) -> None:
        """A request to the server ``process`` failed: it must be because it is dying at its
        crash point. Wait for it to be gone, then restart it (unless another client did)."""
        with self._lock:
            if self.processes.get("server") is not process:
                return
            try:
                process.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                raise HarnessError(f"a request failed but the server is alive:\n{process.log_tail()}") from exc
            self._check()

    def worker_idle(self) -> bool:
        """The worker runs no job now: every job its log says it started has ended."""
        process = self.processes.get("worker")
        if process is None or process.popen.poll() is not None:
            return True
        return process.jobs_running() == 0

    def _alive_or_fail(self, process: Process) -> bool:
        if process.popen.poll() is not None:
            raise HarnessError(f"the {process.role} exited while starting:\n{process.log_tail()}")
        return True

    def _server_ready(self, process: Process) -> bool:
        try:
            status, _body = request(self.port, "GET", "/api/v1/health", timeout=2)
        except OSError:
            return False
        return status == 200

    def _worker_ready(self, process: Process) -> bool:
        return "consumer started" in process.log_tail(200)


# --- HTTP --------------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    source: str | None = None,
) -> tuple[int, Any]:
    """One HTTP request on a fresh connection, from the loopback address ``source`` if given;
    (status, parsed JSON or None). Raises OSError or ``http.client.HTTPException`` when the
    server is gone."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return response.status, parsed


# --- the job queue -----------------------------------------------------------------------------


def queue_for(env: dict[str, str]) -> Huey:
    """The processes' job queue, to see when it is empty."""
    name = env["SHIJI_QUEUE_NAME"]
    if env.get("REDIS_URL"):
        return RedisHuey(name, url=env["REDIS_URL"])
    return SqliteHuey(name, filename=str(Path(env["SHIJI_VAR_DIR"]) / "queue.sqlite3"))


def queue_idle(queue: Huey) -> bool:
    return queue.pending_count() == 0 and queue.scheduled_count() == 0


def wait_quiet(cluster: Cluster, queue: Huey, *, timeout: float, what: str) -> None:
    """Wait until no job is queued, scheduled or running — seen twice in a row, so a job taken
    off the queue between the two looks is not missed."""
    seen: list[bool] = []

    def quiet() -> bool:
        seen.append(queue_idle(queue) and cluster.worker_idle())
        return seen[-2:] == [True, True]

    wait_for(quiet, timeout=timeout, what=what, tick=cluster.check)


def subprocess_env(
    *, database_url: str, redis_url: str | None, var_dir: Path, port: int, tag: str, secrets: dict[str, str]
) -> dict[str, str]:
    """The environment of the harness's processes (production settings, sandbox on). Their
    queue and cache live in ``redis_url`` (else a SQLite queue under ``var_dir``): give them the
    Redis database only this test process flushes, and only between tests."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO_", "SHIJI_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "SHIJI_VAR_DIR": str(var_dir),
            "SHIJI_QUEUE_NAME": f"crash{tag}",
            "SHIJI_CACHE_PREFIX": f"crash{tag}",
            "SHIJI_SANDBOX": "1",
            "SHIJI_SANDBOX_OWN_CONNECTION": "1",
            "SHIJI_SANDBOX_CALLBACK_URL": f"http://127.0.0.1:{port}",
            "SHIJI_SANDBOX_CALLBACK_RETRY_SECONDS": "1",
            "SHIJI_EMAIL_BACKEND": "memory",
            "SHIJI_WORKER_THREADS": "2",
            **secrets,
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env
