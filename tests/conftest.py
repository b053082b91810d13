"""Shared fixtures. Real servers only; a missing server skips locally and fails in CI
(ZWXX_REQUIRE_INTEGRATION=1)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT  # noqa: F401  (re-exported: some tests import it from here)

pytest_plugins = ["tests.servers.dovecot"]  # dovecot_server, imap_account, dovecot_private

REQUIRE = os.environ.get("ZWXX_REQUIRE_INTEGRATION") == "1"
PG_URL = os.environ.get("ZWXX_TEST_POSTGRES_URL")


def need(reason: str) -> None:
    """Skip for a missing server on a developer machine; fail in CI."""
    if REQUIRE:
        pytest.fail(f"required for integration tests: {reason}")
    pytest.skip(reason)


def _pg_schema_url(base: str) -> Iterator[str]:
    """A fresh schema per test, selected through the connection's search_path."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        need(f"PostgreSQL at ZWXX_TEST_POSTGRES_URL is not reachable: {exc}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'zwxx.db'}"
        return
    if not PG_URL:
        need("ZWXX_TEST_POSTGRES_URL is not set")
    yield from _pg_schema_url(PG_URL)


@pytest.fixture
def workdir(tmp_path: Path, db_url: str) -> Path:
    """A settings file with a drop folder and raw store under tmp_path."""
    (tmp_path / "drop").mkdir()
    (tmp_path / "zwxx.toml").write_text(
        f'[database]\nurl = "{db_url}"\n\n'
        '[dropfolder]\npath = "drop"\nsettle_seconds = 0\n\n'
        '[storage]\nraw_dir = "raw"\n',
        encoding="utf-8",
    )
    return tmp_path


def run_zwxx(
    *args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ZWXX_")}
    full_env["COLUMNS"] = "200"
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "zwxx", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"zwxx {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def start_service(workdir: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`zwxx run` with the work directory's settings, as a real process (stop it with
    SIGTERM and ``communicate``)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ZWXX_")}
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "zwxx", "--config", str(workdir / "zwxx.toml"), "run"],
        cwd=workdir,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def zwxx(workdir: Path):
    """``zwxx("items", "--json")`` with the work directory's settings."""

    def call(*args: str, check: bool = True, env: dict[str, str] | None = None):
        return run_zwxx(
            "--config", str(workdir / "zwxx.toml"), *args, cwd=workdir, env=env, check=check
        )

    return call
