"""Legacy word-processor files (.doc, .wps, .rtf, .odt) to .docx through LibreOffice.

Why convert to .docx and not to ``txt:Text``: the .docx goes through the same reader as a
submitted .docx, so headings (the title), tables and text boxes are handled one way for
every format; plain-text export drops heading styles and flattens tables.

Why one conversion at a time: LibreOffice refuses to run two instances on one user
profile, and a cold start builds the profile (slow). One private profile per uid is
kept under the system temp dir and reused; a thread lock serialises conversions inside
the process, an ``flock`` on a file beside the profile serialises ``zwxx run`` and
``zwxx poll`` running at the same time.

Every converter runs as a subprocess in its own session (process group) with a timeout;
on timeout the whole group is killed, so a hung ``soffice.bin`` never outlives the call.
Input is written under a fixed safe name (``input.doc``): the attachment name is never
used as a path.

Without LibreOffice, Word binary files (.doc/.wps) fall back to catdoc (text only).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from zwxx.errors import DocumentError

log = logging.getLogger(__name__)

# Seconds one conversion may take (a cold start that builds the profile included).
CONVERT_TIMEOUT = 120.0
# Seconds to wait for another process's conversion to finish before giving up.
LOCK_WAIT = 300.0
# A converted file larger than this is not read.
MAX_CONVERTED = 100 * 1024 * 1024

NO_CONVERTER = "无法读取此格式：请安装 LibreOffice"

_SUFFIX = {"ole2": ".doc", "rtf": ".rtf", "odt": ".odt"}
_LOCK = threading.Lock()


class ConverterMissing(DocumentError):
    """No program on this machine can read the format."""


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def find_catdoc() -> str | None:
    return shutil.which("catdoc")


def _private_base() -> Path:
    """``<tmp>/zwxx-lo-<uid>``: created 0700, refused if someone else owns it."""
    base = Path(tempfile.gettempdir()) / f"zwxx-lo-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        base.mkdir(mode=0o700)
    st = os.lstat(base)
    if not base.is_dir() or base.is_symlink() or st.st_uid != os.getuid():
        raise DocumentError("转换用临时目录不安全（被其他用户占用），请联系管理员")
    return base


@contextlib.contextmanager
def _exclusive(lock_path: Path, wait: float) -> Iterator[None]:
    """Thread lock, then a file lock shared with other zwxx processes."""
    if not _LOCK.acquire(timeout=wait):
        raise DocumentError("文件转换排队超时，请稍后重新解析")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DocumentError("文件转换排队超时，请稍后重新解析") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        _LOCK.release()


def _kill_group(proc: subprocess.Popen, wait: float = 5.0) -> None:
    """SIGKILL the converter's whole process group and wait (briefly) until it is gone."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        proc.poll()  # reap the leader; orphaned children are reaped by init
        try:
            os.killpg(proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)


def run_limited(cmd: list[str], timeout: float, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group; kill the whole group on timeout.

    Raises DocumentError on timeout. Leftover children of a finished run are killed too.
    """
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "SAL_USE_VCLPLUGIN": "svp", "HOME": str(cwd)},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise DocumentError(f"文件转换超时（超过 {timeout:g} 秒），已中止，原件已保存") from None
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    _kill_group(proc)  # a child that outlived its parent
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def soffice_to_docx(data: bytes, kind: str, *, timeout: float | None = None) -> bytes:
    """Convert with LibreOffice; raises ConverterMissing if it is not installed."""
    soffice = find_soffice()
    if soffice is None:
        raise ConverterMissing(NO_CONVERTER)
    timeout = CONVERT_TIMEOUT if timeout is None else timeout
    base = _private_base()
    profile = base / "profile"
    with (
        _exclusive(base / "convert.lock", LOCK_WAIT),
        tempfile.TemporaryDirectory(prefix="zwxx-conv-") as tmp,
    ):
        work = Path(tmp)
        src = work / f"input{_SUFFIX.get(kind, '.bin')}"
        src.write_bytes(data)
        outdir = work / "out"
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(outdir),
            str(src),
        ]
        started = time.monotonic()
        try:
            proc = run_limited(cmd, timeout, work)
        except DocumentError:
            # Killed mid-run: the profile's own lock file is stale now (we hold the
            # real lock), and LibreOffice would otherwise think the profile is in use.
            with contextlib.suppress(FileNotFoundError):
                (profile / ".lock").unlink()
            raise
        log.debug("soffice %s -> docx in %.2fs", kind, time.monotonic() - started)
        out = outdir / "input.docx"
        if not out.is_file():
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            log.info("soffice could not convert (%s): %s", kind, detail[-1:] or proc.returncode)
            raise DocumentError("文件已损坏或格式无法识别，LibreOffice 未能打开")
        if out.stat().st_size > MAX_CONVERTED:
            raise DocumentError("转换后的文件超过 100 MB，未处理")
        return out.read_bytes()


def catdoc_text(data: bytes, *, timeout: float | None = None) -> str:
    """Plain text of a Word binary file with catdoc; raises ConverterMissing if absent."""
    catdoc = find_catdoc()
    if catdoc is None:
        raise ConverterMissing(NO_CONVERTER)
    timeout = 30.0 if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="zwxx-catdoc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        # -w: no line wrapping (catdoc wraps at 72 columns, splitting Chinese sentences).
        proc = run_limited([catdoc, "-w", "-d", "utf-8", str(src)], timeout, Path(tmp))
    text = proc.stdout.decode("utf-8", "replace")
    # catdoc appends notes like "[This was fast-saved 1 times. ...]" in ASCII.
    text = "\n".join(
        line for line in text.splitlines() if not line.startswith("[This was fast-saved")
    )
    if proc.returncode != 0 or not text.strip():
        raise DocumentError("Word 97-2003 / WPS 文件已损坏，无法读取")
    return text
