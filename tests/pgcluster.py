"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, the server on
a free port of 127.0.0.1, a fresh database per test, everything removed at the end.

The binaries come from Debian's ``postgresql`` package, which ``make test`` installs when it
is missing (``.ci/postgres``). PostgreSQL refuses to run as root, so as root the cluster
belongs to the ``postgres`` user the package creates. Durability is switched off (fsync):
a test's database lives for a second.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPERUSER = "lotse"
START_TIMEOUT = 30.0
INSTALL_HINT = (
    "PostgreSQL's server programs (initdb, postgres) are missing: run `make test`, which "
    "installs Debian's postgresql package (.ci/postgres), or install it yourself"
)


class PortTaken(Exception):
    """The server's port was taken between choosing it and binding it."""


def bindir() -> Path:
    """The folder with initdb and postgres: $LOTSE_PG_BINDIR, Debian's newest, or PATH."""
    configured = os.environ.get("LOTSE_PG_BINDIR")
    if configured:
        return Path(configured)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError(INSTALL_HINT)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One PostgreSQL server on a free port; ``database()`` makes a fresh database."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        self.bin = bin_dir or bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="lotse-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = "postgres" if _exists("postgres") else "nobody"
            account = pwd.getpwnam(self._user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.log = self.folder / "server.log"
        self._run(
            self.bin / "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )

    @property
    def base_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}"

    def url(self, database: str) -> str:
        """The LOTSE_DB for one database of this cluster."""
        return f"{self.base_url}/{database}"

    def start(self, *settings: str) -> None:
        """Start the server (again) on the same port and data; wait until it answers.

        A port taken meanwhile (another test process picked it too) means a new port.
        """
        for _ in range(5):
            try:
                self._start(settings)
                return
            except PortTaken:
                self.port = free_port()
        raise RuntimeError("PostgreSQL found no free port in 5 tries")

    def _start(self, settings: tuple[str, ...]) -> None:
        options = [
            "-D", str(self.data), "-p", str(self.port), "-h", "127.0.0.1",
            "-k", str(self.folder), "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200",
        ]  # fmt: skip
        for setting in settings:
            options += ["-c", setting]
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self._user,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text()[-2000:]
                if "could not bind" in tail or "already in use" in tail:
                    self.log.write_text("")
                    raise PortTaken(self.port)
                raise RuntimeError(f"PostgreSQL did not start:\n{tail}")
            if self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"PostgreSQL did not answer in {START_TIMEOUT} s")

    def stop(self, mode: signal.Signals = signal.SIGINT) -> None:
        """Stop the server: SIGINT is a fast shutdown (clients cut off, data kept)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(mode)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        """What a server restart looks like to the bot: every connection cut, then back."""
        self.stop()
        self.start()

    def database(self, prefix: str = "t") -> str:
        """A new empty database; its name."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql; what it printed (unaligned, no headers)."""
        done = subprocess.run(
            [str(self.bin / "psql"), *self._client(database), "-c", sql],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _client(self, database: str) -> list[str]:
        where = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database]
        return ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", *where]

    def _answers(self) -> bool:
        done = subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return done.returncode == 0

    def _run(self, *command: object) -> None:
        done = subprocess.run(
            [str(c) for c in command],
            capture_output=True,
            text=True,
            check=False,
            user=self._user,
            cwd=self.folder,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and removed afterwards."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One PostgreSQL server for the whole test session (started on first use)."""
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """LOTSE_DB for a test, once per backend: a new SQLite file, a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "lotse.sqlite3"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.url(cluster.database())
