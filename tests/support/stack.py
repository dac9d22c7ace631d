"""The running system under test: every service, relay, projection and the frontend as real
processes, started the way deploy/Procfile starts them, against the real Kafka and PostgreSQL.

Tests stop and start single processes (a relay, the broker) to prove that nothing is lost.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.environment import ROOT

LOGS = ROOT / ".state" / "logs" / "test"
BIN = Path(sys.executable).parent


def _commands() -> dict[str, list[str]]:
    env = os.environ
    uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--log-level", "warning"]
    return {
        "cases": uvicorn + ["cases.entrypoints.api:app", "--port", env["CASES_PORT"]],
        "cases_relay": [sys.executable, "-m", "cases.entrypoints.relay"],
        "followup": [str(BIN / "faust"), "-A", "projections.followup.app", "--datadir", str(ROOT / ".state" / "faust-test"),
                     "worker", "-l", "warn", "--web-port", env["FOLLOWUP_FAUST_WEB_PORT"]],
        "followup_api": uvicorn + ["projections.followup.api:app", "--port", env["FOLLOWUP_API_PORT"]],
        "frontend": uvicorn + ["frontend.app:app", "--port", env["FRONTEND_PORT"]],
        "deviations": uvicorn + ["deviations.entrypoints.api:app", "--port", env["DEVIATIONS_PORT"]],
        "deviations_relay": [sys.executable, "-m", "deviations.entrypoints.relay"],
        "county": [str(BIN / "faust"), "-A", "projections.county.app", "--datadir", str(ROOT / ".state" / "faust-test"),
                   "worker", "-l", "warn", "--web-port", env["COUNTY_FAUST_WEB_PORT"]],
        "county_api": uvicorn + ["projections.county.api:app", "--port", env["COUNTY_API_PORT"]],
        "documentation": uvicorn + ["documentation.entrypoints.api:app", "--port", env["DOCUMENTATION_PORT"]],
        "documentation_relay": [sys.executable, "-m", "documentation.entrypoints.relay"],
        "documentation_disposal": [sys.executable, "-m", "documentation.entrypoints.disposal_listener"],
        "deviations_disposal": [sys.executable, "-m", "deviations.entrypoints.disposal_listener"],
        "cases_directory": [sys.executable, "-m", "cases.entrypoints.directory_listener"],
        "devidp": uvicorn + ["devidp.app:app", "--port", env["DEV_IDP_PORT"]],
        "accesslog": [str(BIN / "faust"), "-A", "projections.accesslog.app", "--datadir", str(ROOT / ".state" / "faust-test"),
                      "worker", "-l", "warn", "--web-port", env["ACCESSLOG_FAUST_WEB_PORT"]],
        "accesslog_api": uvicorn + ["projections.accesslog.api:app", "--port", env["ACCESSLOG_API_PORT"]],
        "competence": uvicorn + ["competence.entrypoints.api:app", "--port", env["COMPETENCE_PORT"]],
        "competence_relay": [sys.executable, "-m", "competence.entrypoints.relay"],
        "quality": [str(BIN / "faust"), "-A", "projections.quality.app", "--datadir", str(ROOT / ".state" / "faust-test"),
                    "worker", "-l", "warn", "--web-port", env["QUALITY_FAUST_WEB_PORT"]],
        "quality_api": uvicorn + ["projections.quality.api:app", "--port", env["QUALITY_API_PORT"]],
        "worklist": [str(BIN / "faust"), "-A", "projections.worklist.app", "--datadir", str(ROOT / ".state" / "faust-test"),
                     "worker", "-l", "warn", "--web-port", env["WORKLIST_FAUST_WEB_PORT"]],
        "worklist_api": uvicorn + ["projections.worklist.api:app", "--port", env["WORKLIST_API_PORT"]],
        "ss12000dev": [sys.executable, "-m", "ss12000dev"],
        "directory": uvicorn + ["directory.entrypoints.api:app", "--port", env["DIRECTORY_PORT"]],
        "directory_relay": [sys.executable, "-m", "directory.entrypoints.relay"],
        "notifications": uvicorn + ["notifications.entrypoints.api:app", "--port", env["NOTIFICATIONS_PORT"]],
        "devmail": [sys.executable, "-m", "devmail"],
    }


LISTENS_ON = {
    "cases": "CASES_PORT",
    "followup_api": "FOLLOWUP_API_PORT",
    "frontend": "FRONTEND_PORT",
    "followup": "FOLLOWUP_FAUST_WEB_PORT",
    "deviations": "DEVIATIONS_PORT",
    "county_api": "COUNTY_API_PORT",
    "county": "COUNTY_FAUST_WEB_PORT",
    "documentation": "DOCUMENTATION_PORT",
    "devidp": "DEV_IDP_PORT",
    "accesslog_api": "ACCESSLOG_API_PORT",
    "accesslog": "ACCESSLOG_FAUST_WEB_PORT",
    "competence": "COMPETENCE_PORT",
    "quality_api": "QUALITY_API_PORT",
    "quality": "QUALITY_FAUST_WEB_PORT",
    "worklist_api": "WORKLIST_API_PORT",
    "worklist": "WORKLIST_FAUST_WEB_PORT",
    "ss12000dev": "DEV_SS12000_PORT",
    "directory": "DIRECTORY_PORT",
    "notifications": "NOTIFICATIONS_PORT",
    "devmail": "DEV_MAIL_HTTP_PORT",
}


def spawn(name: str, command: list[str], **env: str) -> subprocess.Popen:
    """A process started the way the stack starts its own (its output in LOGS/name.log, its
    spans beside it, a session of its own): the stack's, or one beside them that a test runs
    and stops itself (a second worker, an API with several workers), with `env` on top."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"{name}.log", "ab")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'services'}{os.pathsep}{ROOT}",
           "OTEL_SPANS_FILE": str(LOGS / f"{name}.spans.jsonl"), **env}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


DATABASES = ("CASES_DB", "FOLLOWUP_DB", "DEVIATIONS_DB", "COUNTY_DB", "DOCUMENTATION_DB", "ACCESSLOG_DB",
             "COMPETENCE_DB", "QUALITY_DB", "DIRECTORY_DB", "NOTIFICATIONS_DB", "WORKLIST_DB")


def emptied() -> None:
    """Every test database empty, and every read model's consumer group at the end of its
    topics: the test topics are shared with other checkouts' sessions of the same TEST_PREFIX,
    and the events before belong to them, not to this run."""
    from eventkit.config import prefixed, topic
    from tests.support.infrastructure import reset_database, skip_to_end

    for database in DATABASES:
        reset_database(database)
    skip_to_end(prefixed("stodspar-followup"), topic("stodspar.cases.v1"))
    skip_to_end(prefixed("stodspar-followup"), topic("stodspar.deviations.v1"))  # the owner's view (ADR 0031)
    skip_to_end(prefixed("stodspar-accesslog"), topic("stodspar.accesslog.v1"))
    skip_to_end(prefixed("stodspar-cases-directory"), topic("stodspar.directory.v1"))
    for name in ("stodspar.competence.v1", "stodspar.documentation.v1"):
        skip_to_end(prefixed("stodspar-quality"), topic(name))
    for name in ("stodspar.cases.v1", "stodspar.followup.overdue.v1", "stodspar.deviations.v1", "stodspar.competence.v1"):
        skip_to_end(prefixed("stodspar-worklist"), topic(name))


@dataclass
class Stack:
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # on top of the processes' environment

    @property
    def cases_url(self) -> str:
        return os.environ["CASES_URL"]

    @property
    def followup_url(self) -> str:
        return os.environ["FOLLOWUP_URL"]

    @property
    def worklist_url(self) -> str:
        return os.environ["WORKLIST_URL"]

    @property
    def deviations_url(self) -> str:
        return os.environ["DEVIATIONS_URL"]

    @property
    def county_url(self) -> str:
        return os.environ["COUNTY_URL"]

    @property
    def documentation_url(self) -> str:
        return os.environ["DOCUMENTATION_URL"]

    @property
    def devidp_url(self) -> str:
        return f"http://127.0.0.1:{os.environ['DEV_IDP_PORT']}"

    @property
    def accesslog_url(self) -> str:
        return os.environ["ACCESSLOG_URL"]

    @property
    def competence_url(self) -> str:
        return os.environ["COMPETENCE_URL"]

    @property
    def quality_url(self) -> str:
        return os.environ["QUALITY_URL"]

    @property
    def directory_url(self) -> str:
        return os.environ["DIRECTORY_URL"]

    @property
    def ss12000_url(self) -> str:
        return os.environ["SS12000_URL"]

    @property
    def notifications_url(self) -> str:
        return os.environ["NOTIFICATIONS_URL"]

    @property
    def devmail_url(self) -> str:
        return os.environ["DEV_MAIL_URL"]

    @property
    def frontend_url(self) -> str:
        return f"http://127.0.0.1:{os.environ['FRONTEND_PORT']}"

    def start(self, name: str) -> None:
        if name in self.processes and self.processes[name].poll() is None:
            return
        self.processes[name] = spawn(name, _commands()[name], **self.env)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start_all(self, sync_timeout: float = 120.0) -> None:
        skipped = set(filter(None, os.environ.get("STACK_SKIP", "").split(",")))
        for name in _commands():
            if name not in skipped:
                self.start(name)
        for name, port in LISTENS_ON.items():
            if name not in skipped:
                self.wait_until_listening(name, int(os.environ[port]))
        if "directory" not in skipped:
            self.wait_until_directory_synced(sync_timeout)

    def wait_until_directory_synced(self, timeout: float = 120.0) -> None:
        """The system is up when the directory knows the municipalities' people: its first
        (full) sync from the development register is done."""
        import httpx

        from eventkit.identity import HEADER, Identity, Role, sign

        admin = Identity("lars.moberg", "Lars Moberg", Role.MUNICIPALITY_ADMIN, "0180", ("0180-ENG", "0180-KAT"))
        deadline = time.monotonic() + timeout
        while True:
            answer = httpx.get(f"{self.directory_url}/sync", timeout=10,
                               headers={HEADER: sign(admin, audience="directory", caller="frontend")})
            if answer.status_code == 200 and answer.json().get("synced"):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the directory's first sync is not done after {timeout}s: {answer.text[:300]}")
            time.sleep(0.3)

    def wait_until_listening(self, name: str, port: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not listening(port):
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited at start; see {LOGS / (name + '.log')}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} does not listen on 127.0.0.1:{port} after {timeout}s")
            time.sleep(0.1)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
