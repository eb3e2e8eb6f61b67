#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python.

    python3 dev.py demo   # set everything up, build the demo world, serve the web app on 127.0.0.1
    python3 dev.py test   # set everything up, then run every test (what .ci/run calls)
    python3 dev.py lock   # re-resolve both lock files after changing pyproject.toml

Set-up installs the locked development dependencies (``requirements.lock``: runtime, tests, Spark) into
``.venv`` at the repository root and is skipped when the lock file has not changed since the last install,
so repeated runs start at once. ``requirements-runtime.lock`` holds only what a server needs (the Dockerfile
and docs/deploy.md install it); ``lock`` resolves both, the runtime one within the development one's
versions so that tests run what production runs.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info < (3, 11):
    sys.exit(f"Lantern needs Python 3.11+; this is {sys.version.split()[0]} ({sys.executable}).")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
RUNTIME_LOCK = ROOT / "requirements-runtime.lock"
STAMP = VENV / ".lantern-lock.sha256"
UV_VERSION = "0.13.8"


def _venv_bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _run(cmd: list[str | Path], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)


def _lock_digest() -> str:
    digest = hashlib.sha256(LOCK.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create .venv and install the lock file into it, unless it is already current."""
    python = _venv_bin("python")
    if not python.exists():
        _run([sys.executable, "-m", "venv", VENV])
    if STAMP.exists() and STAMP.read_text().strip() == _lock_digest():
        return
    _run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", f"uv=={UV_VERSION}"])
    _run([_venv_bin("uv"), "pip", "sync", "-q", "--compile-bytecode", "--python", python, LOCK])
    _run([_venv_bin("uv"), "pip", "install", "-q", "--python", python, "--no-deps", "-e", ROOT])
    STAMP.write_text(_lock_digest())


def ensure_bytecode() -> None:
    """Compile Lantern's own modules to ``__pycache__`` now, once, rather than in every process.

    Python skips writing bytecode when ``PYTHONDONTWRITEBYTECODE`` is set (as on some CI and container
    images), and then every process compiles every module it imports from source: ``lantern --help``
    took 6.5 s that way against 1.7 s with bytecode on disk, and each ingest worker and each CLI test
    pays it again. ``compileall`` writes regardless and skips files whose bytecode is current; the
    dependencies get theirs from ``uv pip sync --compile-bytecode``.
    """
    python = _venv_bin("python")
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", "src"], cwd=ROOT, check=False)


def ensure_native() -> None:
    """Compile the extraction modules with mypyc when their sources changed (lantern/extract/native.py).

    Optional: without a C compiler, or with ``LANTERN_PURE_PYTHON=1``, Lantern runs them as Python.
    """
    python = _venv_bin("python")
    print("+ compiled extraction:", end=" ", flush=True)
    build = "from lantern.extract.native import build; print(build())"
    subprocess.run([str(python), "-c", build], cwd=ROOT, check=False)


def _postgres_installed() -> bool:
    """Whether PostgreSQL's server binaries are here: on PATH, or where Debian puts them (not on PATH)."""
    if shutil.which("initdb"):
        return True
    return any(Path(p).exists() for p in glob.glob("/usr/lib/postgresql/*/bin/initdb"))


LOCK_EXTRAS = ("dev", "spark")


def relock() -> int:
    """Resolve every dependency (with the test and Spark extras) into requirements.lock, then the runtime
    dependencies alone into requirements-runtime.lock at the same versions, both with hashes."""
    ensure_venv()
    extras = [arg for extra in LOCK_EXTRAS for arg in ("--extra", extra)]
    command = [_venv_bin("uv"), "pip", "compile", "pyproject.toml", "--python-version", "3.11"]
    _run([*command, *extras, "--generate-hashes", "-q", "-o", LOCK.name])
    _run([*command, "--constraint", LOCK.name, "--generate-hashes", "-q", "-o", RUNTIME_LOCK.name])
    return 0


def _is_root() -> bool:
    """Whether this runs as root (POSIX); never on Windows, which has no ``os.geteuid``."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_test_services() -> None:
    """System packages the tests need, installed when missing and permitted (root with apt-get).

    Debian's Chromium: Playwright drives /usr/bin/chromium; it never downloads a browser of its own.
    Debian's PostgreSQL (15 on Debian 12): the tests start a throw-away cluster of their own on
    127.0.0.1 (tests/pgserver.py) and run the store's tests against it as well as against SQLite; the
    package's own cluster is never started or used.
    """
    missing = []
    if not Path("/usr/bin/chromium").exists():
        missing += ["chromium", "fonts-dejavu-core"]
    if not _postgres_installed():
        missing += ["postgresql"]
    if not missing or os.environ.get("LANTERN_SKIP_SYSTEM_PACKAGES"):
        return
    if not _is_root() or not Path("/usr/bin/apt-get").exists():
        print(
            f"note: {', '.join(missing)} missing and apt-get is not usable; "
            "browser and PostgreSQL tests will be skipped where they cannot run"
        )
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update", "-qq"], env=env)
    _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"setup", "demo", "test", "lock"}:
        print(__doc__)
        return 2
    if argv[0] == "lock":
        return relock()
    ensure_venv()
    ensure_bytecode()
    ensure_native()
    verb, rest = argv[0], argv[1:]
    if verb == "setup":
        return 0
    if verb == "demo":
        return subprocess.call([str(_venv_bin("lantern")), "demo", *rest], cwd=ROOT)
    ensure_test_services()
    env = dict(os.environ)
    code = subprocess.call([str(_venv_bin("python")), "-m", "pytest", *rest], cwd=ROOT, env=env)
    return 0 if code == 5 else code  # pytest's 5 means "no tests collected": not a failure of the setup


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
