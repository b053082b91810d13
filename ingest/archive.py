"""Zip archives of several documents: members listed and read within limits.

Member names are only ever labels (never paths): nothing here touches the file system.
RAR is not supported: the Python readers (rarfile) shell out to an unrar binary, and no
pure-Python wheel exists; a .rar gets the "unknown format" reason.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from zwxx.errors import DocumentError

MAX_MEMBERS = 500  # entries in one archive
MAX_DOCUMENTS = 200  # documents taken from one archive tree
MAX_MEMBER_SIZE = 50 * 1024 * 1024
MAX_TOTAL = 100 * 1024 * 1024  # decompressed bytes of one archive tree, nesting included
MAX_DEPTH = 2  # the top archive is depth 1; an archive inside it depth 2

# Operating-system clutter, never a submission.
_CLUTTER = {".ds_store", "thumbs.db", "desktop.ini"}
# Pictures and media beside the documents: not submissions (as for e-mail attachments).
_MEDIA = {
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic",
    ".mp3", ".mp4", ".mov", ".avi", ".wav", ".wmv",
}  # fmt: skip


@dataclass
class Budget:
    """Decompressed bytes and documents still allowed for one archive tree."""

    bytes_left: int = MAX_TOTAL
    documents_left: int = MAX_DOCUMENTS


@dataclass
class Member:
    name: str  # decoded member name (a label)
    data: bytes | None = None
    error: str | None = None  # Chinese reason when the member cannot be taken out


def member_name(info: zipfile.ZipInfo) -> str:
    """Chinese Windows zip tools write GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def skipped(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    base = path.name.lower()
    return (
        name.endswith(("/", "\\"))
        or "__MACOSX" in path.parts
        or base.startswith("._")
        or base.startswith("~$")
        or base in _CLUTTER
        or path.suffix.lower() in _MEDIA
    )


def members(data: bytes, budget: Budget) -> Iterator[Member]:
    """Each member worth reading. Raises DocumentError if the archive as a whole is bad."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"压缩包已损坏，无法打开（{exc}）") from None
    if len(infos) > MAX_MEMBERS:
        raise DocumentError(f"压缩包内文件过多（{len(infos)} 个），疑似异常文件，未处理")
    declared = sum(i.file_size for i in infos if not skipped(member_name(i)))
    if declared > budget.bytes_left:
        raise DocumentError("压缩包解压后超过 100 MB，疑似压缩炸弹，未处理")
    with zf:
        for info in infos:
            name = member_name(info)
            if skipped(name):
                continue
            if info.flag_bits & 0x1:
                yield Member(name, error="压缩包内此文件设有密码，无法读取")
                continue
            if info.file_size > MAX_MEMBER_SIZE:
                yield Member(name, error="此文件解压后超过 50 MB，未处理")
                continue
            try:
                # zipfile stops at the declared size, so the budget check above holds.
                body = zf.read(info)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError):
                yield Member(name, error="压缩包内此文件已损坏，无法解压")
                continue
            budget.bytes_left -= len(body)
            yield Member(name, data=body)
