"""The OA drop folder (SPEC §1.2).

Layouts: ``<drop>/<unit name or alias>/<file>``, ``<drop>/<file>.eml``, and
``<drop>/<file>`` with a sidecar ``<file>.json`` ({"unit", "sender", "received_at"}).
A file is taken only once it has stopped changing. After its envelope is committed it
moves to ``archive/<date>/``; a file that cannot be read moves to ``failed/<date>/`` with
``<name>.error.txt`` beside it. Nothing is ever deleted; names never collide.

Every file is one envelope: its identity is the file as it lies here (path, inode, mtime,
bytes), so a file seen again after a crash is known; its content key (bytes and unit)
makes a second file with the same bytes a recorded copy (``duplicate``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from zwxx.records.rawstore import sha256
from zwxx.types import Incoming, safe_text

log = logging.getLogger(__name__)

ARCHIVE, FAILED = "archive", "failed"
_SKIP_PREFIXES = (".", "~$", "~", "_")
_SKIP_SUFFIXES = (".tmp", ".part", ".crdownload", ".json", ".error.txt", ".swp")
MAX_FILE = 50 * 1024 * 1024


class DropFolder:
    """A Source over one folder tree."""

    name = "dropfolder"

    def __init__(
        self,
        root: Path,
        tz: ZoneInfo,
        settle_seconds: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.tz = tz
        self.settle = settle_seconds
        self.clock = clock
        self.problems: list[str] = []  # Chinese notes for the poll summary
        self._read_as: dict[str, tuple[int, int, int, int]] = {}  # rel path -> identity

    # -- discovery -------------------------------------------------------------------
    def candidates(self) -> list[Path]:
        """Files ready to take, oldest first; unit sub-folders one level deep."""
        if not self.root.is_dir():
            return []
        found: list[Path] = []
        for entry in sorted(self.root.iterdir()):
            if entry.name in (ARCHIVE, FAILED) or entry.name.startswith(_SKIP_PREFIXES):
                continue
            if entry.is_dir():
                try:
                    children = sorted(entry.iterdir())
                except OSError as exc:  # vanished or unreadable: the rest still runs
                    self.problems.append(
                        f"文件夹“{entry.name}”无法读取（{exc.strerror}），下次再试"
                    )
                    continue
                found.extend(p for p in children if self._wanted(p))
                nested = [p.name for p in children if p.is_dir()]
                if nested:
                    self.problems.append(
                        f"“{entry.name}”下的子文件夹（{'、'.join(nested)}）不会被收取："
                        "请把文件直接放在单位文件夹中"
                    )
            elif self._wanted(entry):
                found.append(entry)
        ready = [p for p in found if self._settled(p)]
        return sorted(ready, key=_mtime)  # oldest first: a re-send never precedes its original

    def _wanted(self, path: Path) -> bool:
        name = path.name
        return (
            path.is_file()
            and not name.startswith(_SKIP_PREFIXES)
            and not name.lower().endswith(_SKIP_SUFFIXES)
        )

    def _settled(self, path: Path) -> bool:
        """Unchanged for ``settle`` seconds (with its sidecar, if there is one)."""
        now = self.clock()
        for p in (path, _sidecar(path)):
            try:
                if now - p.stat().st_mtime < self.settle:
                    return False
            except OSError:  # gone, or unreadable (e.g. a symlink loop): not now
                if p == path:
                    return False
        return True

    # -- Source ----------------------------------------------------------------------
    def incoming(self) -> Iterator[Incoming]:
        for path in self.candidates():
            item = self._read(path)
            if item is not None:
                yield item

    def _read(self, path: Path) -> Incoming | None:
        rel = path.relative_to(self.root)
        try:
            stat = path.stat()
            unread = None
            if stat.st_size > MAX_FILE:
                unread = f"文件大小超过 {MAX_FILE // 1024 // 1024} MB，未处理"
            elif stat.st_size == 0:
                unread = "文件为空（0 字节），请核对后重新报送"
            if unread:  # recorded as failed, identified by where and when it was
                return Incoming(
                    source="dropfolder",
                    raw=b"",
                    name=path.name,
                    received_at=datetime.fromtimestamp(stat.st_mtime, self.tz),
                    provenance={"path": str(rel)},
                    failure=unread,
                    identity=sha256(
                        f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}".encode(
                            "utf-8", "surrogateescape"
                        )
                    ),
                )
            data = path.read_bytes()
            if path.stat().st_mtime != stat.st_mtime or len(data) != stat.st_size:
                return None  # still being written: next poll
            self._read_as[str(rel)] = _identity(stat)
        except FileNotFoundError:
            log.info("file vanished before it was read: %s", rel)
            return None
        except OSError as exc:  # locked, no permission, a symlink loop ...
            self.problems.append(f"文件“{rel}”暂时无法读取（{exc.strerror or exc}），下次再试")
            return None
        digest = sha256(data)  # once: the file may be tens of MB
        incoming = Incoming(
            source="dropfolder",
            raw=data,
            name=path.name,
            received_at=datetime.fromtimestamp(stat.st_mtime, self.tz),
            folder_unit=rel.parts[0] if len(rel.parts) > 1 else None,
            provenance={"path": str(rel)},
        )
        side = _sidecar(path)
        side_bytes = b""
        try:
            side_bytes = side.read_bytes()
            self._apply_sidecar(incoming, side_bytes)
        except FileNotFoundError:
            pass  # no sidecar (or it went away): the file's own layout decides
        except (OSError, ValueError) as exc:
            # Recorded as failed under a content key that includes the sidecar, so the
            # same file with a corrected sidecar is taken normally later (not a copy).
            if isinstance(exc, IsADirectoryError):
                why = "同名的是文件夹，不是文件"
            elif isinstance(exc, OSError):
                why = f"无法读取（{exc.strerror or exc}）"
            else:
                why = str(exc)
            incoming.failure = f"附带说明文件 {side.name} 无法使用：{why}"
            # A copy of nothing else: the same file with a corrected sidecar is new.
            incoming.content_key = sha256(data + b"\0sidecar\0" + side_bytes)
        if incoming.failure is None:
            # One file sent by two units is two submissions: a copy is the same bytes
            # from the same unit.
            unit = incoming.sidecar_unit or incoming.folder_unit
            if unit:
                incoming.content_key = sha256(f"{unit}\0{digest}".encode())
        # A sidecar that failed is part of what failed: corrected, the file is new.
        content = sha256(data + side_bytes) if incoming.failure else digest
        incoming.identity = _file_identity(str(rel), stat, content)
        return incoming

    def _apply_sidecar(self, incoming: Incoming, raw: bytes) -> None:
        """Take unit, sender and received_at from a sidecar; ValueError (Chinese) if bad."""
        try:
            meta = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError("不是 UTF-8 编码的 JSON") from None
        if not isinstance(meta, dict):
            raise ValueError('内容应为 JSON 对象，如 {"unit": "区民政局"}')
        for key in ("unit", "sender", "received_at"):
            if meta.get(key) is not None and not isinstance(meta[key], str):
                raise ValueError(f"“{key}”应为文字（当前值：{meta[key]!r}）")
        if safe_text(meta.get("unit")).strip():
            incoming.sidecar_unit = safe_text(meta["unit"]).strip()
        if safe_text(meta.get("sender")).strip():
            incoming.sender = safe_text(meta["sender"]).strip().lower()
        if (meta.get("received_at") or "").strip():
            incoming.received_at = _parse_time(meta["received_at"], self.tz)

    def in_transaction(self, session: Session, item: Incoming) -> None:
        """No checkpoint: the envelope's identity (the file as it lies here) is the record."""

    def after_commit(self, item: Incoming, status: str, reason: str | None) -> None:
        rel = item.provenance["path"]
        path = self.root / rel
        try:
            now = _identity(path.stat())
        except FileNotFoundError:
            return  # someone else moved it; the record is what matters
        if self._read_as.pop(rel, now) != now:
            # Replaced while it was being recorded: what is there now was never read.
            # Leave it for the next poll instead of archiving an unrecorded file.
            log.warning("file changed while it was processed, left in place: %s", rel)
            self.problems.append(f"文件“{rel}”在处理期间被替换，新文件将在下次检查时处理")
            return
        if status == "failed":
            self._fail(path, reason or "无法读取")
        else:
            self._move(path, ARCHIVE)

    # -- moving ----------------------------------------------------------------------
    def _move(self, path: Path, where: str) -> Path | None:
        rel = path.relative_to(self.root)
        day = datetime.fromtimestamp(self.clock(), self.tz).strftime("%Y-%m-%d")
        target = _free_name(self.root / where / day / rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The sidecar goes first: a crash between the two moves then leaves the document,
        # which the next poll takes again (seen before: not counted twice), and never a
        # stray sidecar that would be read as the metadata of a later file of that name.
        side = _sidecar(path)
        if side.exists():
            with contextlib.suppress(FileNotFoundError):
                shutil.move(side, _sidecar(target))
        try:
            shutil.move(path, target)
        except FileNotFoundError:
            return None  # someone else moved it; the record is what matters
        return target

    def _fail(self, path: Path, reason: str) -> None:
        target = self._move(path, FAILED)
        if target is not None:
            target.with_name(target.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
        self.problems.append(f"“{path.relative_to(self.root)}”未能处理：{reason}")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _file_identity(rel: str, stat: os.stat_result, digest: str) -> str:
    """This file as it lies in the folder: path, inode, mtime and bytes. Seen again after
    a crash (recorded, not yet moved to archive/; its sidecar perhaps moved already) it
    is the same envelope; the same bytes dropped again (another name, or the same name
    after the first went to archive/, where its inode still is) are another file: a copy,
    recorded as one. The device number is left out: it may change when a share is
    mounted again."""
    key = f"{rel}\0{stat.st_ino}\0{stat.st_mtime_ns}\0{digest}"
    return sha256(f"file\0{key}".encode("utf-8", "surrogateescape"))  # any file name


def _free_name(target: Path) -> Path:
    """``target`` or ``name (2).ext``, ``name (3).ext`` ...: never overwrite."""
    candidate, n = target, 1
    while candidate.exists() or _sidecar(candidate).exists():
        n += 1
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
    return candidate


def _parse_time(value: str, tz: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"“received_at”的值“{value}”不是有效时间（应如 2026-10-09T10:12:00+08:00）"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
