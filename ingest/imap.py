"""The office mailbox over IMAP (SPEC §1.1): incremental, read-only, exactly once.

Per mailbox+folder the checkpoint (UIDVALIDITY, highest UID taken) lives in the records
and advances in the transaction that records the message. Folders are opened with
EXAMINE and messages fetched with BODY.PEEK[], so the clerk's unread marks never change.
A poll with nothing new costs a login, ID, EXAMINE per folder and logout: UIDNEXT from
EXAMINE says whether anything is new, whatever the mailbox size.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import sqlalchemy as sa
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.util import to_unicode
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from zwxx.config.settings import MailboxSettings
from zwxx.errors import ConfigError, SourceUnavailable
from zwxx.records.models import ImapCheckpoint
from zwxx.records.rawstore import sha256
from zwxx.types import Incoming

log = logging.getLogger(__name__)

SIZE_FETCH_CHUNK = 1000  # UIDs per RFC822.SIZE/INTERNALDATE fetch
_HEADER_ID = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"

try:
    _VERSION = version("zwxx")
except PackageNotFoundError:  # running from a source tree
    _VERSION = "dev"

CLIENT_ID = {"name": "zwxx", "version": _VERSION, "vendor": "laiwu-zwxx"}


@dataclass
class FolderState:
    """What EXAMINE said about a folder, and where our checkpoint stands."""

    name: str
    exists: int
    uidvalidity: int
    uidnext: int | None
    last_uid: int
    rescan: bool  # UIDVALIDITY changed since the checkpoint: take the folder again


def _where(box: MailboxSettings) -> str:
    return f"{box.host}:{box.port}"


def connect(box: MailboxSettings) -> IMAPClient:
    """Connect, log in and identify (RFC 2971 ID: 163.com refuses SELECT without it).

    Raises SourceUnavailable with a Chinese sentence saying what to fix.
    """
    secret = box.secret()
    if not secret:
        where = f"文件 {box.password_file}" if box.password_file else f"环境变量 {box.password_env}"
        what = "访问令牌" if box.auth == "xoauth2" else "授权码"
        raise ConfigError(f"未找到邮箱 {box.username} 的{what}：请在{where}中提供")
    try:
        client = IMAPClient(
            box.host,
            port=box.port,
            ssl=box.tls,
            timeout=box.timeout_seconds,
            ssl_context=ssl.create_default_context() if box.tls else None,
        )
    except TimeoutError:
        raise SourceUnavailable(
            f"连接邮箱服务器 {_where(box)} 超时：请检查网络，或稍后再试"
        ) from None
    except ssl.SSLError as exc:
        raise SourceUnavailable(
            f"与邮箱服务器 {_where(box)} 建立加密连接失败（{exc.reason}）：请确认端口"
            "（163 邮箱为 993）和 tls 设置"
        ) from None
    except OSError as exc:
        raise SourceUnavailable(
            f"无法连接邮箱服务器 {_where(box)}（{exc.strerror or exc}）："
            "请检查服务器地址、端口和网络"
        ) from None
    client.normalise_times = False  # keep INTERNALDATE's own offset: months are local
    try:
        if box.auth == "xoauth2":
            client.oauth2_login(box.username, secret)
        else:
            client.login(box.username, secret)
        if client.has_capability("ID"):
            client.id_(CLIENT_ID)
    except LoginError:
        close_quietly(client)
        raise SourceUnavailable(
            f"邮箱 {box.username} 登录失败：请确认已开启IMAP服务并使用授权码（不是网页登录密码）"
        ) from None
    except (IMAPClientError, OSError) as exc:
        close_quietly(client)
        raise SourceUnavailable(f"邮箱 {box.username} 登录时出错（{exc}）：请稍后再试") from None
    return client


def close_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection may already be gone
        with contextlib.suppress(Exception):
            client.shutdown()


def resolve_folders(client: IMAPClient, box: MailboxSettings) -> list[str]:
    """Configured names, with SPECIAL-USE flags (\\Junk, \\Sent …) looked up."""
    names: list[str] = []
    for wanted in box.folders:
        if wanted.startswith("\\"):
            found = client.find_special_folder(wanted.encode())
            if found is None:
                raise SourceUnavailable(
                    f"邮箱 {box.username} 中没有标记为 {wanted} 的文件夹：请检查 folders 设置"
                )
            names.append(to_unicode(found) if isinstance(found, bytes) else found)
        else:
            names.append(wanted)
    return names


def examine(client: IMAPClient, box: MailboxSettings, folder: str) -> dict:
    """EXAMINE (read-only SELECT) with a Chinese error for every way it can be refused."""
    try:
        return client.select_folder(folder, readonly=True)
    except IMAPClientError as exc:
        text = str(exc)
        if "unsafe login" in text.lower():
            raise SourceUnavailable(
                f"邮箱服务器拒绝打开“{folder}”（Unsafe Login）：请确认已开启IMAP并使用授权码"
            ) from None
        try:
            existing = "、".join(str(f[2]) for f in client.list_folders())
        except (IMAPClientError, OSError):
            existing = "（无法列出）"
        raise SourceUnavailable(
            f"邮箱 {box.username} 无法打开文件夹“{folder}”（{text}）。现有文件夹：{existing}"
        ) from None


class ImapSource:
    """A Source over one configured mailbox (all of its folders)."""

    name = "imap"

    def __init__(
        self,
        box: MailboxSettings,
        engine: Engine,
        connector: Callable[[MailboxSettings], IMAPClient] = connect,
    ) -> None:
        self.box = box
        self.engine = engine
        self.connector = connector
        self.client: IMAPClient | None = None

    # -- checkpoint ------------------------------------------------------------------
    def checkpoint(self, folder: str) -> ImapCheckpoint | None:
        with Session(self.engine) as session:
            return session.exec(
                select(ImapCheckpoint).where(
                    ImapCheckpoint.mailbox == self.box.key, ImapCheckpoint.folder == folder
                )
            ).first()

    def in_transaction(self, session: Session, item: Incoming) -> None:
        """Advance the folder's checkpoint to this UID (never backwards): one UPDATE,
        an INSERT only the first time a folder is seen."""
        prov = item.provenance
        # SQLModel sets __table__ on table models but does not declare it in its types.
        table: sa.Table = ImapCheckpoint.__table__  # type: ignore[attr-defined]
        where = (table.c.mailbox == self.box.key) & (table.c.folder == prov["folder"])
        uid, uidvalidity = prov["uid"], prov["uidvalidity"]
        # Same UIDVALIDITY: raise last_uid (an expression, so a concurrent poll cannot
        # lower it). A new UIDVALIDITY (re-scan): start over from this UID.
        last_uid = sa.case(
            (table.c.uidvalidity != uidvalidity, uid),
            (table.c.last_uid < uid, uid),
            else_=table.c.last_uid,
        )
        values = {"uidvalidity": uidvalidity, "last_uid": last_uid, "updated_at": datetime.now(UTC)}
        if session.exec(sa.update(table).where(where).values(**values)).rowcount == 0:
            session.add(
                ImapCheckpoint(
                    mailbox=self.box.key,
                    folder=prov["folder"],
                    uidvalidity=uidvalidity,
                    last_uid=uid,
                    updated_at=values["updated_at"],
                )
            )

    def after_commit(self, item: Incoming, status: str, reason: str | None) -> None:
        if self.box.after_recording == "mark_seen" and self.client is not None:
            try:
                self.client.select_folder(item.provenance["folder"])
                self.client.add_flags([item.provenance["uid"]], [b"\\Seen"])
                self.client.select_folder(item.provenance["folder"], readonly=True)
            except (IMAPClientError, OSError) as exc:
                log.warning("could not mark uid %s seen: %s", item.provenance["uid"], exc)

    # -- fetching --------------------------------------------------------------------
    def folder_state(self, client: IMAPClient, folder: str) -> FolderState:
        info = examine(client, self.box, folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        uidnext = int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None
        cp = self.checkpoint(folder)
        rescan = cp is not None and cp.uidvalidity != uidvalidity
        last = cp.last_uid if cp is not None and not rescan else 0
        if cp is not None and rescan:
            log.warning(
                "UIDVALIDITY of %s/%s changed (%s -> %s): re-scanning the folder",
                self.box.key,
                folder,
                cp.uidvalidity,
                uidvalidity,
            )
        return FolderState(folder, int(info.get(b"EXISTS", 0)), uidvalidity, uidnext, last, rescan)

    def incoming(self) -> Iterator[Incoming]:
        client = self.connector(self.box)
        self.client = client
        try:
            for folder in resolve_folders(client, self.box):
                yield from self._folder(client, folder)
        except (imaplib.IMAP4.abort, OSError, IMAPClientError) as exc:
            # The connection dropped mid-way: what was committed stays; the rest waits.
            raise SourceUnavailable(
                f"读取邮箱 {self.box.username} 时连接中断（{exc}）：已收取的邮件已保存，下次将继续"
            ) from None
        finally:
            self.client = None
            close_quietly(client)

    def _folder(self, client: IMAPClient, folder: str) -> Iterator[Incoming]:
        state = self.folder_state(client, folder)
        if state.exists == 0 or (state.uidnext is not None and state.uidnext <= state.last_uid + 1):
            return  # nothing new: no search, no fetch
        uids = sorted(
            u for u in client.search(["UID", f"{state.last_uid + 1}:*"]) if u > state.last_uid
        )
        limit = int(self.box.max_message_mb * 1024 * 1024)
        for start in range(0, len(uids), SIZE_FETCH_CHUNK):
            chunk = uids[start : start + SIZE_FETCH_CHUNK]
            meta = client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
            for batch_start in range(0, len(chunk), self.box.batch_size):
                batch = [
                    u for u in chunk[batch_start : batch_start + self.box.batch_size] if u in meta
                ]
                small = [u for u in batch if meta[u].get(b"RFC822.SIZE", 0) <= limit]
                bodies = client.fetch(small, ["BODY.PEEK[]", _HEADER_ID]) if small else {}
                for uid in batch:
                    if uid in small and uid not in bodies:
                        # Listed but its body did not come back: stop this folder here so
                        # the checkpoint never passes it; the next poll asks again (and
                        # moves on if the message was really deleted meanwhile).
                        log.warning(
                            "no body for %s/%s UID %s; retrying next poll",
                            self.box.key,
                            folder,
                            uid,
                        )
                        return
                    yield self._incoming(folder, state, uid, meta[uid], bodies.get(uid), limit)

    def _incoming(
        self, folder: str, state: FolderState, uid: int, meta: dict, body: dict | None, limit: int
    ) -> Incoming:
        size = int(meta.get(b"RFC822.SIZE", 0))
        received = meta.get(b"INTERNALDATE") or datetime.now(UTC)
        if received.tzinfo is None:  # a server that sends no offset: treat as UTC
            received = received.replace(tzinfo=UTC)
        prov = {
            "mailbox": self.box.key,
            "folder": folder,
            "uidvalidity": state.uidvalidity,
            "uid": uid,
        }
        name = f"{folder} UID {uid}"
        # One envelope per message: the same bytes under another UID are another
        # message (a copy, recorded as such), this UID again is this message.
        identity = uid_identity(prov)
        if body is None:  # too large: recorded, not fetched
            failure = (
                f"邮件大小 {size / 1024 / 1024:.1f} MB，超过 {limit / 1024 / 1024:.0f} MB 上限，"
                "未下载；请在网页邮箱中查看"
            )
            return Incoming(
                "imap",
                b"",
                name,
                received,
                provenance=prov,
                failure=failure,
                identity=identity,
                is_message=True,
            )
        raw = body.get(b"BODY[]") or b""
        # Only a re-scanned folder needs the Message-ID to recognise what it gave before.
        message_id = _message_id(body.get(_HEADER_ID) or b"") if state.rescan else None
        return Incoming(
            "imap",
            raw,
            name,
            received,
            provenance=prov,
            message_id=message_id,
            identity=identity,
            is_message=True,
        )


def uid_identity(prov: dict) -> str:
    """The identity of one message: its mailbox, folder, UIDVALIDITY and UID."""
    key = "\0".join(str(prov[k]) for k in ("mailbox", "folder", "uidvalidity", "uid"))
    return sha256(f"imap\0{key}".encode())


def _message_id(header: bytes) -> str | None:
    text = header.decode("ascii", errors="replace")
    _, _, value = text.partition(":")
    value = " ".join(value.split())
    return value or None
