"""The Dovecot fixture itself: a real IMAP server whose UIDs, UIDVALIDITY, INTERNALDATE
and PEEK behave as the mailbox tests rely on."""

from __future__ import annotations

import os
import pwd
import socket
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError

if TYPE_CHECKING:
    from tests.servers.dovecot import DovecotServer, ImapAccount


pytestmark = pytest.mark.integration

CST = timezone(timedelta(hours=8))


def _mail(subject: str, body: str = "正文") -> bytes:
    return (
        f"From: =?utf-8?b?5Yqe5YWs5a6k?= <office@example.gov.cn>\r\n"
        f"To: zwxx@example.gov.cn\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{subject}@example.gov.cn>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n"
        f"\r\n"
        f"{body}\r\n"
    ).encode()


def test_append_gives_increasing_uids_and_keeps_internaldate(imap_account: ImapAccount) -> None:
    when = datetime(2024, 3, 5, 9, 30, 15, tzinfo=CST)
    uids = [imap_account.append(_mail(f"m{i}"), internaldate=when) for i in range(3)]

    assert uids == sorted(uids)
    assert len(set(uids)) == 3
    with imap_account.client() as client:
        client.normalise_times = False  # aware datetimes, as the server sent them
        client.select_folder("INBOX", readonly=True)
        data = client.fetch(uids, [b"INTERNALDATE"])
    for uid in uids:
        assert data[uid][b"INTERNALDATE"] == when
        # The server runs in Asia/Shanghai (SERVER_TZ), so even the offset comes back.
        assert data[uid][b"INTERNALDATE"].utcoffset() == timedelta(hours=8)
    # Another offset is kept as the same instant, reported in the server's zone.
    utc_when = datetime(2024, 3, 4, 23, 59, 59, tzinfo=UTC)
    uid = imap_account.append(_mail("utc"), internaldate=utc_when)
    with imap_account.client() as client:
        client.normalise_times = False
        client.select_folder("INBOX", readonly=True)
        got = client.fetch([uid], [b"INTERNALDATE"])[uid][b"INTERNALDATE"]
    assert got == utc_when
    assert got.isoformat() == "2024-03-05T07:59:59+08:00"


def test_body_peek_leaves_seen_unset_and_body_fetch_sets_it(imap_account: ImapAccount) -> None:
    raw = _mail("peek")
    uid = imap_account.append(raw, flags=[b"\\Flagged"])

    with imap_account.client() as client:
        client.select_folder("INBOX")  # read-write: a plain BODY[] would set \Seen
        fetched = client.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"]
    assert fetched == raw
    flags = imap_account.flags("INBOX", uid)
    assert b"\\Flagged" in flags
    assert b"\\Seen" not in flags

    # The control: the same server does set \Seen on a non-PEEK fetch.
    with imap_account.client() as client:
        client.select_folder("INBOX")
        client.fetch([uid], [b"BODY[]"])
    assert b"\\Seen" in imap_account.flags("INBOX", uid)


def test_flags_helper_is_read_only(imap_account: ImapAccount) -> None:
    uid = imap_account.append(_mail("ro"))
    for _ in range(2):
        assert b"\\Seen" not in imap_account.flags("INBOX", uid)
    with pytest.raises(KeyError):
        imap_account.flags("INBOX", uid + 100)


def test_chinese_folders_are_created_listed_and_selectable(imap_account: ImapAccount) -> None:
    imap_account.create_folder("政务信息/已处理")
    imap_account.create_folder("报送")
    uid = imap_account.append(_mail("filed"), folder="政务信息/已处理")

    with imap_account.client() as client:
        names = {name for _flags, _sep, name in client.list_folders()}
        assert {"INBOX", "政务信息", "政务信息/已处理", "报送"} <= names
        info = client.select_folder("政务信息/已处理", readonly=True)
        assert info[b"EXISTS"] == 1
        assert client.search("ALL") == [uid]
        assert client.select_folder("报送", readonly=True)[b"EXISTS"] == 0
    # On the wire the names are modified UTF-7, as a real client sends them.
    with imap_account.client() as client:
        client.folder_encode = False
        raw_names = {name for _flags, _sep, name in client.list_folders()}
    assert b"&YqWQAQ-" in raw_names  # 报送: U+62A5 U+9001 in modified base64


@pytest.mark.parametrize("folder", ["报送", "政务信息/已处理", "INBOX"])
def test_recreate_folder_changes_uidvalidity(imap_account: ImapAccount, folder: str) -> None:
    if folder != "INBOX":
        imap_account.create_folder(folder)
    imap_account.append(_mail("old"), folder=folder)
    before = imap_account.uidvalidity(folder)

    after = imap_account.recreate_folder(folder)

    assert after != before
    assert imap_account.uidvalidity(folder) == after
    assert imap_account.uids(folder) == []
    uid = imap_account.append(_mail("new"), folder=folder)
    assert imap_account.uids(folder) == [uid]


def test_stop_cuts_connections_and_start_brings_back_the_same_mail(
    dovecot_private: DovecotServer,
) -> None:
    account = dovecot_private.add_account()
    uids = [account.append(_mail(f"keep{i}")) for i in range(2)]
    validity = account.uidvalidity()
    port = dovecot_private.port

    client = account.client(timeout=5)
    client.select_folder("INBOX", readonly=True)
    dovecot_private.stop()
    assert not dovecot_private.running
    with pytest.raises((IMAPClientAbortError, OSError)):
        client.fetch(uids, [b"BODY.PEEK[]"])
    with pytest.raises(OSError):
        IMAPClient(account.host, port=port, ssl=False, timeout=2)

    dovecot_private.start()
    assert dovecot_private.port == port
    assert account.uids() == uids
    assert account.uidvalidity() == validity
    with account.client() as client:
        client.select_folder("INBOX", readonly=True)
        bodies = client.fetch(uids, [b"BODY.PEEK[]"])
    assert [bodies[uid][b"BODY[]"] for uid in uids] == [_mail("keep0"), _mail("keep1")]


def test_wrong_password_is_refused(imap_account: ImapAccount) -> None:
    client = IMAPClient(imap_account.host, port=imap_account.port, ssl=False, timeout=5)
    try:
        with pytest.raises(Exception, match=r"(?i)authenticat"):
            client.login(imap_account.user, imap_account.password + "x")
    finally:
        client.shutdown()


def test_accounts_are_separate(dovecot_server: DovecotServer) -> None:
    first, second = dovecot_server.add_account(), dovecot_server.add_account()
    first.append(_mail("only-first"))
    assert len(first.uids()) == 1
    assert second.uids() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="privilege separation applies when run as root")
def test_as_root_mail_belongs_to_nobody(
    dovecot_server: DovecotServer, imap_account: ImapAccount
) -> None:
    imap_account.append(_mail("owner"))
    maildir = dovecot_server.home_dir / imap_account.user / "Maildir"
    assert pwd.getpwuid(maildir.stat().st_uid).pw_name == "nobody"
    assert oct(dovecot_server.root.stat().st_mode & 0o777) == "0o755"
    config = dovecot_server.config_path.read_text()
    assert "default_login_user = dovenull" in config
    assert "default_internal_user = dovecot" in config


def test_startup_failure_reports_the_log_tail() -> None:
    from tests.servers import dovecot

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = dovecot.DovecotServer(port=busy.getsockname()[1])
        try:
            with pytest.raises(RuntimeError, match="Address already in use") as info:
                server.start(timeout=10)
        finally:
            server.close()
    assert "dovecot.log" in str(info.value)
    assert not server.root.exists()
