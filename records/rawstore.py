"""Content-addressed copies of every raw message/file, written before it is recorded."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_path(raw_dir: Path, digest: str) -> Path:
    return raw_dir / digest[:2] / digest[2:4] / digest


def store(raw_dir: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` once under its sha256 (atomic, fsynced); return (digest, path)."""
    digest = sha256(data)
    path = raw_path(raw_dir, digest)
    if path.exists():
        return digest, path
    if not path.parent.is_dir():  # a stat is cheaper than a failing mkdir per message
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest, path
