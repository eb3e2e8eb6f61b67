"""A throw-away PostgreSQL cluster on loopback for the tests (project rule: tests start what they need).

One cluster serves the whole test session: ``initdb`` into a temporary folder, listening on 127.0.0.1
only, on a free port, with its unix socket inside the folder and durability switched off (a test
database is never worth an fsync). Each test gets a database of its own, copied from a template that
is migrated once, because ``CREATE DATABASE ... TEMPLATE`` costs milliseconds where running the
migrations costs a second.

The cluster also serves TLS (``ssl = on``) with a certificate for ``localhost`` signed by a CA made for
the session (``ca_file``), so the store's ``sslmode`` handling is tested against a real server; clients
that do not ask for TLS are served in clear as before.

PostgreSQL refuses to run as root, so under root (CI) ``initdb`` and ``pg_ctl`` run as the
``postgres`` user that Debian's package creates, on a folder handed over to it.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SUPERUSER = "lantern"
TEMPLATE = "lantern_template"


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: ``$PG_BINDIR``, the PATH, or Debian's newest."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name.split(".")[0]),
        reverse=True,
    )
    candidates.extend(Path(p) for p in debian)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def why_unavailable() -> str | None:
    """Why a cluster cannot be started here, or ``None`` when it can (the reason goes into the skip)."""
    if find_bindir() is None:
        return (
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH, in $PG_BINDIR or /usr/lib/postgresql/*/bin); "
            "`apt-get install postgresql` or let `python3 dev.py test` install it as root"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no 'postgres' user to run the PostgreSQL server as"
        if shutil.which("runuser") is None:
            return "running as root but runuser is missing, so the server cannot drop to the 'postgres' user"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A running throw-away cluster; ``new_database()`` hands out migrated, empty databases."""

    def __init__(self, durable: bool = False) -> None:
        """``durable`` keeps PostgreSQL's crash-safe defaults (fsync, synchronous commit), for benchmarks;
        the tests turn them off, since their clusters are thrown away."""
        self.durable = durable
        bindir = find_bindir()
        if bindir is None:  # pragma: no cover - callers check why_unavailable() first
            raise RuntimeError("PostgreSQL binaries not found")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="lantern-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.ca_file = self.root / "ca.pem"
        self._counter = itertools.count(1)
        self._as_postgres = os.geteuid() == 0
        self._admin_engine: Engine | None = None
        if self._as_postgres:
            # mkdtemp made the folder 0700 and root's: the server's user must own it.
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)

    def _run(self, *args: str | Path) -> None:
        command = [str(a) for a in args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        completed = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if completed.returncode != 0:
            log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stdout}{completed.stderr}{log}"
            )

    def start(self) -> PostgresServer:
        """initdb, configure for loopback and speed, start, and migrate the template database."""
        self._run(
            self.bindir / "initdb",
            "-D", self.data,
            "-U", SUPERUSER,
            "--auth=trust",  # only reachable from this machine, and gone at the end of the session
            "--encoding=UTF8",
            "--locale=C.UTF-8",  # a UTF-8 ctype, so full-text search sees non-ASCII letters as letters
            "--no-sync",
        )  # fmt: skip
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "200",
            "shared_buffers": "256MB" if self.durable else "64MB",
            "log_min_messages": "warning",
        }
        if not self.durable:
            settings.update({"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"})
        settings.update(self._tls_files())
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        for attempt in range(5):
            self.port = _free_port()
            try:
                self._run(
                    self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                    "-o", f"-p {self.port}", "start",
                )  # fmt: skip
                break
            except RuntimeError:
                if attempt == 4:
                    raise
                time.sleep(0.2)  # another process took the port between probe and bind: try another
        self._create_template()
        return self

    def _tls_files(self) -> dict[str, str]:
        """A session CA and a server certificate for ``localhost`` signed by it, owned by the server."""
        from tests.tlscerts import make_ca, make_leaf

        ca_cert, ca_key, ca_pem = make_ca("Lantern test CA")
        cert_pem, key_pem = make_leaf("localhost", ca_cert, ca_key)
        self.ca_file = self.root / "ca.pem"
        self.ca_file.write_bytes(ca_pem)
        cert, key = self.data / "server.crt", self.data / "server.key"
        cert.write_bytes(cert_pem)
        key.write_bytes(key_pem)
        key.chmod(0o600)
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (cert, key):
                os.chown(path, user.pw_uid, user.pw_gid)
        return {"ssl": "on", "ssl_cert_file": f"'{cert}'", "ssl_key_file": f"'{key}'"}

    def url(self, database: str) -> str:
        return f"postgresql+pg8000://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, statement: str) -> None:
        """Run one statement on the ``postgres`` database, outside a transaction (CREATE/DROP DATABASE)."""
        if self._admin_engine is None:
            self._admin_engine = create_engine(
                self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
            )
        with self._admin_engine.connect() as connection:
            connection.execute(text(statement))

    def _create_template(self) -> None:
        from lantern.store.db import open_database

        self._admin(f"CREATE DATABASE {TEMPLATE}")
        engine = open_database(self.url(TEMPLATE))
        engine.dispose()  # a template must have no connections when it is copied

    def new_database(self) -> str:
        """A fresh database at the newest migration, as a SQLAlchemy URL."""
        name = f"test_{os.getpid()}_{next(self._counter)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
        return self.url(name)

    def new_empty_database(self) -> str:
        """A fresh database with no schema at all (what ``createdb`` gives an operator)."""
        name = f"empty_{os.getpid()}_{next(self._counter)}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a test's database, closing whatever connections the test's engines left open."""
        name = make_url(url).database
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server at once (nothing in it is worth keeping) and remove its folder."""
        if self._admin_engine is not None:
            self._admin_engine.dispose()
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
