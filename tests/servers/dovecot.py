"""A private, real Dovecot IMAP server for tests (DESIGN.md, "Tests that use real parts").

Dovecot runs in the foreground (``dovecot -F -c <config>``) from a config written to a
temp directory, on a free port on 127.0.0.1, with plaintext IMAP, passwd-file auth
(``{PLAIN}`` passwords) and maildir storage. The system's /etc/dovecot and its service
are never touched.

Fixtures (enable them with ``pytest_plugins = ["tests.servers.dovecot"]``):

``dovecot_server`` (session)
    One Dovecot for the whole test session. Do not ``stop()`` it from a test; use
    ``dovecot_private`` for that.
``imap_account`` (function)
    A fresh user on ``dovecot_server``: an :class:`ImapAccount`.
``dovecot_private`` (function)
    A Dovecot of its own for one test, which the test may ``stop()`` and ``start()``
    freely (same port, same data). Make accounts with ``dovecot_private.add_account()``.

Users: as root (CI), login processes run as ``dovenull``, internal ones as ``dovecot`` and
the mail user is ``nobody:nogroup``. As an ordinary user, everything runs as that user.

Each account has its own passwd-file (``passwd.d/<user>``, found through ``%u`` in the
passdb path): Dovecot stats a passwd-file at most once a second, so a user appended to a
shared file can be missed by a login in the same second; a new file is always read.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.conftest import need

HOST = "127.0.0.1"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
STRAGGLER_GRACE = 1.0
CLIENT_TIMEOUT = 10.0
# Maildir keeps INTERNALDATE as the file's mtime, so Dovecot reports it in its own time
# zone, whatever offset APPEND gave; like the office's server, use China Standard Time.
SERVER_TZ = "Asia/Shanghai"
GREETING = "zwxx test Dovecot ready."

_SBIN_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"]
)
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)
_user_counter = itertools.count(1)


def dovecot_binary() -> str:
    """The dovecot binary, or skip (locally) / fail (CI) when it is not installed."""
    path = shutil.which("dovecot", path=_SBIN_PATH)
    if path is None:
        need("dovecot-imapd is not installed (apt-get install dovecot-imapd)")
    assert path is not None
    return path


def dovecot_version(binary: str) -> tuple[int, ...]:
    out = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
    ).stdout
    match = re.match(r"\s*(\d+)\.(\d+)(?:\.(\d+))?", out)
    if not match:
        raise RuntimeError(f"cannot parse `dovecot --version` output: {out!r}")
    return tuple(int(part) for part in match.groups() if part is not None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to SIGTERM Dovecot if the test process dies without cleaning up."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in process group ``pgid`` (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


class _PortInUseError(RuntimeError):
    pass


@dataclass(frozen=True)
class _RunAs:
    login_user: str
    internal_user: str
    internal_group: str
    mail_uid: int
    mail_gid: int
    root: bool

    @classmethod
    def detect(cls) -> _RunAs:
        if os.geteuid() == 0:
            return cls(
                login_user="dovenull",
                internal_user="dovecot",
                internal_group="dovecot",
                mail_uid=pwd.getpwnam("nobody").pw_uid,
                mail_gid=grp.getgrnam("nogroup").gr_gid,
                root=True,
            )
        uid, gid = os.getuid(), os.getgid()
        return cls(
            login_user=pwd.getpwuid(uid).pw_name,
            internal_user=pwd.getpwuid(uid).pw_name,
            internal_group=grp.getgrgid(gid).gr_name,
            mail_uid=uid,
            mail_gid=gid,
            root=False,
        )


def _config_23(root: Path, port: int, run_as: _RunAs) -> str:
    """Dovecot 2.3 configuration; nothing is included from /etc/dovecot."""
    no_chroot = ""
    if not run_as.root:
        # chroot needs root; a rootless Dovecot must switch it off for these services.
        no_chroot = "".join(
            f"service {name} {{\n  chroot =\n}}\n"
            for name in ("ipc", "old-stats", "imap-urlauth-login")
        )
    return f"""\
# Private test Dovecot, written by tests/servers/dovecot.py. Not the system's config.
base_dir = {root}/run
state_dir = {root}/state
instance_name = zwxx-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "

protocols = imap
listen = {HOST}
login_greeting = {GREETING}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
shutdown_clients = yes

default_login_user = {run_as.login_user}
default_internal_user = {run_as.internal_user}
default_internal_group = {run_as.internal_group}
first_valid_uid = 1
first_valid_gid = 1

mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
  prefix =
}}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd.d/%u
}}
userdb {{
  driver = static
  args = uid={run_as.mail_uid} gid={run_as.mail_gid} home={root}/home/%u allow_all_users=yes
}}

service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{"  chroot =" if not run_as.root else ""}
}}
{no_chroot}
protocol imap {{
  mail_max_userip_connections = 200
}}
# No auth penalty: after a failed login Dovecot delays the next login from the same IP
# (2 s, 4 s, ... up to 15 s), and every test logs in from 127.0.0.1. Moving anvil's
# penalty socket away makes the auth process find none and switch penalties off.
service anvil {{
  unix_listener anvil-auth-penalty {{
    path = anvil-auth-penalty-unused
  }}
{"  chroot =" if not run_as.root else ""}
}}
"""


class DovecotServer:
    """One private Dovecot: config, data and log under ``root``, listening on ``port``."""

    host: str = HOST

    def __init__(
        self, root: Path | None = None, port: int | None = None, tz: str = SERVER_TZ
    ) -> None:
        self.binary = dovecot_binary()
        version = dovecot_version(self.binary)
        if version[:2] != (2, 3):
            need(
                f"Dovecot {'.'.join(map(str, version))} is installed; "
                "tests/servers/dovecot.py writes a Dovecot 2.3 config"
            )
        self.version = version
        self.tz = tz
        self.run_as = _RunAs.detect()
        if root is None:
            # Not pytest's tmp_path: /tmp/pytest-of-<user> is 0700 and `nobody` must
            # be able to reach the mail directories.
            root = Path(tempfile.mkdtemp(prefix="zwxx-dovecot-"))
        self.root = root
        self.root.chmod(0o755)
        self._auto_port = port is None
        self._started_once = False
        self.port = port or free_port()
        self.config_path = self.root / "dovecot.conf"
        self.log_path = self.root / "dovecot.log"
        self.stderr_path = self.root / "dovecot.stderr"
        self.passwd_dir = self.root / "passwd.d"
        self.home_dir = self.root / "home"
        for directory in (self.passwd_dir, self.home_dir, self.root / "state"):
            directory.mkdir(mode=0o755, exist_ok=True)
            directory.chmod(0o755)
        self._write_config()
        self._proc: subprocess.Popen[bytes] | None = None
        self.last_start_seconds: float | None = None
        self.last_stop_seconds: float | None = None

    def _write_config(self) -> None:
        self.config_path.write_text(_config_23(self.root, self.port, self.run_as))

    # -- lifecycle -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start Dovecot and wait until it greets on ``port``. No-op if running.

        Raises RuntimeError with the log's tail if it does not come up. A port that was
        picked automatically and is taken by someone else before the first start is
        replaced by another free one; a restart always uses the same port.
        """
        if self.running:
            return
        for attempt in range(3):
            try:
                self._start_once(timeout)
            except _PortInUseError:
                if self._started_once or not self._auto_port or attempt == 2:
                    raise
                self.port = free_port()
                self._write_config()
            else:
                self._started_once = True
                return

    def _start_once(self, timeout: float) -> None:
        began = time.monotonic()
        err_size = self.stderr_path.stat().st_size if self.stderr_path.exists() else 0
        with self.stderr_path.open("ab") as err:
            self._proc = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                env={**os.environ, "TZ": self.tz},
                stdout=err,
                stderr=err,
                cwd=self.root,
                start_new_session=True,  # its own process group, for stop()
                preexec_fn=_die_with_parent,
            )
        deadline = began + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            status = self._proc.poll()
            if status is not None:
                self._proc = None
                message = f"dovecot exited with status {status} while starting; "
                with self.stderr_path.open("rb") as err_file:
                    err_file.seek(err_size)
                    if b"Address already in use" in err_file.read():
                        raise _PortInUseError(message + self._diagnostics())
                raise RuntimeError(message + self._diagnostics())
            try:
                with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
                    sock.settimeout(2.0)
                    greeting = sock.recv(1024)
                if greeting.startswith(b"* OK") and GREETING.encode() in greeting:
                    self.last_start_seconds = time.monotonic() - began
                    return
                last_error = RuntimeError(f"unexpected greeting {greeting!r}")
            except OSError as exc:
                last_error = exc
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(
            f"dovecot did not greet on {self.host}:{self.port} within {timeout:.0f} s "
            f"(last error: {last_error}); {self._diagnostics()}"
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop Dovecot at once and cut every IMAP connection; the mail data stays.

        SIGTERM goes to the whole process group: Dovecot 2.3's master alone leaves
        running ``imap`` processes serving their clients after it exits. Stragglers
        get SIGKILL a second later. Returns once the port refuses connections.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return
        began = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
        # A process forked while the signal was sent can miss it; give stragglers a
        # moment, then SIGKILL them (maildir writes are atomic, indexes self-repair).
        grace = time.monotonic() + STRAGGLER_GRACE
        while _group_members(proc.pid) and time.monotonic() < grace:
            time.sleep(0.02)
        if _group_members(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    pass
            except OSError:
                break
            time.sleep(0.02)
        else:
            raise RuntimeError(f"port {self.port} still accepts connections after stop()")
        self.last_stop_seconds = time.monotonic() - began

    def close(self) -> None:
        """Stop Dovecot and delete its directory."""
        try:
            self.stop()
        finally:
            for _ in range(5):
                shutil.rmtree(self.root, ignore_errors=True)
                if not self.root.exists():
                    break
                time.sleep(0.1)

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- accounts and tools ----------------------------------------------------------

    def add_account(self, user: str | None = None, password: str | None = None) -> ImapAccount:
        """Add a user (own passwd-file, empty home owned by the mail user)."""
        user = user or f"user{next(_user_counter)}-{secrets.token_hex(3)}"
        password = password or secrets.token_urlsafe(12)
        if not re.fullmatch(r"[A-Za-z0-9._@+-]+", user) or ":" in password:
            raise ValueError(f"unsupported test user name or password: {user!r}")
        home = self.home_dir / user
        home.mkdir(mode=0o700)
        if self.run_as.root:
            os.chown(home, self.run_as.mail_uid, self.run_as.mail_gid)
        entry = self.passwd_dir / user
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(f"{user}:{{PLAIN}}{password}::::::\n")
        tmp.chmod(0o644)
        tmp.replace(entry)
        return ImapAccount(server=self, user=user, password=password)

    def doveadm(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``doveadm -c <config> ARGS`` against this server; raise on failure."""
        doveadm = shutil.which("doveadm", path=_SBIN_PATH)
        if doveadm is None:
            raise RuntimeError("doveadm is not installed")
        proc = subprocess.run(
            [doveadm, "-c", str(self.config_path), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"doveadm {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}"
            )
        return proc

    def log_tail(self, lines: int = 40) -> str:
        chunks = []
        for path in (self.stderr_path, self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                chunks.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(chunks) or "(no log written)"

    def _diagnostics(self) -> str:
        return f"config {self.config_path}\n{self.log_tail()}"


@dataclass
class ImapAccount:
    """A user on a test Dovecot, with helpers that each use a fresh connection."""

    server: DovecotServer = field(repr=False)
    user: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    def client(self, timeout: float = CLIENT_TIMEOUT) -> IMAPClient:
        """A logged-in ``IMAPClient`` (plaintext); the caller logs out (or uses ``with``)."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        try:
            client.login(self.user, self.password)
        except Exception:
            with contextlib.suppress(Exception):
                client.shutdown()
            raise
        return client

    def append(
        self,
        raw: bytes,
        folder: str = "INBOX",
        internaldate: datetime | None = None,
        flags: Iterable[bytes | str] = (),
    ) -> int:
        """APPEND a message; return its UID. A naive ``internaldate`` is local time."""
        with self.client() as client:
            response = client.append(folder, raw, flags=tuple(flags), msg_time=internaldate)
            match = _APPENDUID.search(response or b"")
            if match:
                return int(match.group(2))
            info = client.select_folder(folder, readonly=True)
            return int(info[b"UIDNEXT"]) - 1

    def create_folder(self, name: str) -> None:
        """CREATE a folder (any Unicode name; sent as modified UTF-7; "/" nests)."""
        with self.client() as client:
            client.create_folder(name)

    def recreate_folder(self, name: str) -> int:
        """Delete and re-create ``name`` (empty) so its UIDVALIDITY changes; return it.

        INBOX cannot be deleted: its messages are expunged and its UIDVALIDITY is
        raised with ``doveadm mailbox update --uid-validity`` instead.
        """
        with self.client() as client:
            old = int(client.folder_status(name, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
            if name.upper() == "INBOX":
                client.select_folder(name)
                uids = client.search("ALL")
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
                client.unselect_folder()
            else:
                client.delete_folder(name)
                client.create_folder(name)
                new = int(client.folder_status(name, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
                if new != old:
                    return new
        # Same UIDVALIDITY (INBOX, or a re-create within the same second): force it.
        self.server.doveadm(
            "mailbox", "update", "-u", self.user, "--uid-validity", str(old + 1), name
        )
        new = self.uidvalidity(name)
        if new == old:
            raise AssertionError(f"UIDVALIDITY of {name!r} did not change ({old})")
        return new

    def flags(self, folder: str, uid: int) -> set[bytes]:
        """The message's flags, read after EXAMINE (read-only: changes nothing)."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            data = client.fetch([uid], [b"FLAGS"])
            if uid not in data:
                raise KeyError(f"no UID {uid} in {folder!r}")
            return set(data[uid][b"FLAGS"])

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as client:
            return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def uids(self, folder: str = "INBOX") -> list[int]:
        """All UIDs in the folder, ascending (read-only)."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return sorted(client.search("ALL"))


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """The session's Dovecot. Tests must not stop it (use ``dovecot_private``)."""
    server = DovecotServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def imap_account(dovecot_server: DovecotServer) -> ImapAccount:
    """A fresh user with an empty INBOX on the session's Dovecot."""
    if not dovecot_server.running:  # a test stopped it against the rules: recover
        dovecot_server.start()
    return dovecot_server.add_account()


@pytest.fixture
def dovecot_private() -> Iterator[DovecotServer]:
    """A Dovecot of this test's own, started; the test may stop() and start() it."""
    server = DovecotServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
