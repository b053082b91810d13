"""The mailbox source against a real Dovecot: incremental, read-only, exactly once."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from sqlmodel import Session, select

from tests.conftest import run_zwxx
from tests.helpers import ROOT
from tests.servers.dovecot import DovecotServer, ImapAccount
from zwxx.app import load_app
from zwxx.config.settings import MailboxSettings
from zwxx.ingest.imap import ImapSource, connect
from zwxx.pipeline import poll
from zwxx.records.models import Envelope, ImapCheckpoint

PW_ENV = "ZWXX_TEST_IMAP_PW"
CST = timezone(timedelta(hours=8))
CORPUS = ROOT.parent / "shared" / "corpus" / "mail"


def docx_bytes(title: str, body: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(title)
    for para in body.split("\n"):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def submission(n: int, unit: str = "区民政局", attach: bool = True, gbk: bool = False) -> bytes:
    """A realistic submission mail; ``gbk`` writes the subject the way old clients do."""
    title = f"{unit}推进第{n}项重点工作取得新进展"
    body = (
        f"今年以来，{unit}围绕第{n}项重点工作，完成投资{n}.5亿元，增长{n}%。\n（供稿单位：{unit}）"
    )
    msg = EmailMessage()
    msg["From"] = f"信息员 <sender{n}@example.cn>"
    msg["To"] = "lcqzwxx@163.com"
    msg["Message-ID"] = f"<sub-{n}-{unit.encode().hex()}@example.cn>"
    msg["Subject"] = f"【动态】{title}"
    if attach:
        msg.set_content("请查收。")
        msg.add_attachment(
            docx_bytes(title, body),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename=f"{title}.docx",
        )
    else:
        msg.set_content(f"{title}\n\n{body}")
    raw = msg.as_bytes()
    if gbk:  # the subject as old clients write it: an RFC 2047 word in GBK
        head, sep, rest = raw.partition(b"\n\n")
        lines = [ln for ln in head.split(b"\n") if not ln.startswith((b"Subject:", b" "))]
        word = Header(f"【动态】{title}", "gbk").encode().encode("ascii")
        raw = b"\n".join([*lines, b"Subject: " + word]) + sep + rest
    return raw


def write_settings(path: Path, db_url: str, account: ImapAccount, **box: object) -> Path:
    folders = box.pop("folders", ["INBOX"])
    extra = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in box.items())
    path.write_text(
        f'[database]\nurl = "{db_url}"\n\n[storage]\nraw_dir = "raw"\n\n'
        f'[[mailbox]]\nhost = "{account.host}"\nport = {account.port}\ntls = false\n'
        f'username = "{account.user}"\npassword_env = "{PW_ENV}"\n'
        f"folders = {json.dumps(folders, ensure_ascii=False)}\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def mailbox(tmp_path: Path, db_url: str, imap_account: ImapAccount, monkeypatch):
    """(account, settings path, cli) for a fresh Dovecot user and database."""
    monkeypatch.setenv(PW_ENV, imap_account.password)
    cfg = write_settings(tmp_path / "zwxx.toml", db_url, imap_account, batch_size=3)

    def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {PW_ENV: imap_account.password}
        return run_zwxx("--config", str(cfg), *args, cwd=tmp_path, env=env, check=check)

    return imap_account, cfg, cli


def items(cli) -> list[dict]:
    return json.loads(cli("items", "--json").stdout)


def envelopes(cli) -> list[dict]:
    return json.loads(cli("envelopes", "--json").stdout)


def test_new_messages_in_batches_without_touching_seen(mailbox) -> None:
    account, _cfg, cli = mailbox
    when = datetime(2026, 10, 31, 23, 30, tzinfo=CST)  # late on the last day of October
    uids = [account.append(submission(n, gbk=n % 2 == 0), internaldate=when) for n in range(1, 8)]
    out = cli("poll").stdout
    assert "本次处理 7 件" in out and "新计数 7 条" in out
    got = items(cli)
    assert len(got) == 7 and all(i["counted"] for i in got)
    assert {i["unit"] for i in got} == {"区民政局"}
    assert all(i["received_at"] == "2026-10-31T23:30:00+08:00" for i in got)  # INTERNALDATE
    assert all(i["category"] == "dynamic" and i["source"] == "imap" for i in got)
    assert any("第2项" in i["title"] for i in got)  # the GBK subject decoded
    envs = envelopes(cli)
    assert sorted(e["uid"] for e in envs) == uids
    assert all(e["folder"] == "INBOX" and e["uidvalidity"] for e in envs)
    for uid in uids:
        assert b"\\Seen" not in account.flags("INBOX", uid)
    # The raw copy is kept content-addressed before recording.
    raw_dir = _cfg.parent / "raw"
    for e in envs:
        sha = e["sha256"]
        assert (raw_dir / sha[:2] / sha[2:4] / sha).exists()


def test_nothing_new_costs_no_search_or_fetch(
    mailbox, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, cfg, cli = mailbox
    for n in range(3):
        account.append(submission(n))
    cli("poll")
    calls: list[str] = []

    def counting(box: MailboxSettings):
        client = connect(box)
        for name in ("search", "fetch"):
            original = getattr(client, name)

            def wrapped(*a, _name=name, _orig=original, **k):
                calls.append(_name)
                return _orig(*a, **k)

            setattr(client, name, wrapped)
        return client

    app = load_app(cfg)
    source = ImapSource(app.settings.mailbox[0], app.engine, connector=counting)
    summary = poll(app.job(), [source])
    assert summary.envelopes == 0 and summary.seen_before == 0
    assert calls == []
    assert "本次处理 0 件" in cli("poll").stdout
    account.append(submission(99))
    summary = poll(app.job(), [source])
    assert summary.envelopes == 1 and calls.count("search") == 1


def test_chinese_folder_and_special_use(mailbox, tmp_path: Path, db_url: str) -> None:
    account, _cfg, _cli = mailbox
    folder = "政务信息/报送"
    account.create_folder("政务信息")
    account.create_folder(folder)
    account.append(submission(1, unit="区审计局"), folder=folder)
    account.append(submission(2, unit="口镇"), folder="INBOX")
    cfg = write_settings(tmp_path / "cn.toml", db_url, account, folders=[folder, "INBOX"])
    env = {PW_ENV: account.password}
    run_zwxx("--config", str(cfg), "poll", cwd=tmp_path, env=env, check=True)
    got = json.loads(
        run_zwxx("--config", str(cfg), "items", "--json", cwd=tmp_path, env=env).stdout
    )
    assert sorted(i["unit"] for i in got) == ["区审计局", "口镇"]
    envs = json.loads(
        run_zwxx("--config", str(cfg), "envelopes", "--json", cwd=tmp_path, env=env).stdout
    )
    assert sorted(e["folder"] for e in envs) == ["INBOX", folder]
    # A SPECIAL-USE flag that no folder carries is a clear error, exit 3.
    bad = write_settings(tmp_path / "su.toml", db_url, account, folders=["\\Junk"])
    proc = run_zwxx("--config", str(bad), "poll", cwd=tmp_path, env=env)
    assert proc.returncode == 3 and "\\Junk" in proc.stderr


def test_uidvalidity_change_counts_nothing_twice(mailbox) -> None:
    account, _cfg, cli = mailbox
    raws = [submission(n) for n in range(4)]
    raws.append(raws[0])  # one mail delivered twice: two messages, one a copy
    account.create_folder("报送")
    for raw in raws:
        account.append(raw, folder="报送")
    text = _cfg.read_text(encoding="utf-8").replace('folders = ["INBOX"]', 'folders = ["报送"]')
    _cfg.write_text(text, encoding="utf-8")
    cli("poll")
    before = envelopes(cli)
    assert [e["status"] for e in before] == ["parsed"] * 4 + ["duplicate"]
    old = account.uidvalidity("报送")
    new = account.recreate_folder("报送")  # the mailbox is "rebuilt"
    assert new != old
    for raw in raws:  # the same messages come back under new UIDs
        account.append(raw, folder="报送")
    account.append(submission(50), folder="报送")  # and one genuinely new message
    account.append(raws[0], folder="报送")  # and a third delivery of the first
    out = cli("poll").stdout
    assert "新计数 1 条" in out and "此前已处理 5 件" in out and "重复收到 1 件" in out
    assert len(items(cli)) == 5
    envs = envelopes(cli)
    assert len(envs) == 7  # one per message the folder holds
    assert all(e["uidvalidity"] == new for e in envs)  # each found again under its new UID
    assert sorted(e["uid"] for e in envs) == list(range(1, 8))
    assert [e["duplicate_of"] for e in envs if e["status"] == "duplicate"] == [envs[0]["id"]] * 2


def test_oversized_message_recorded_failed_not_fetched(mailbox) -> None:
    account, cfg, cli = mailbox
    cfg.write_text(cfg.read_text(encoding="utf-8") + "max_message_mb = 0.01\n", encoding="utf-8")
    big = submission(1, attach=False).replace(b"\n\n", b"\n\n" + b"x" * 20_000 + b"\n", 1)
    account.append(big)
    account.append(submission(2, attach=False))
    cli("poll")
    envs = {e["uid"]: e for e in envelopes(cli)}
    assert envs[1]["status"] == "failed" and "MB" in envs[1]["reason"]
    assert envs[2]["status"] == "parsed"
    assert len(items(cli)) == 1
    assert "本次处理 0 件" in cli("poll").stdout  # not retried forever
    out = cli("reparse")  # no raw copy of the unfetched one: said, not a crash
    assert "未下载原件" in out.stderr and "已重新解析 2 件" in out.stdout


def test_mark_seen_only_when_configured(mailbox) -> None:
    account, cfg, cli = mailbox
    uid = account.append(submission(1))
    cfg.write_text(
        cfg.read_text(encoding="utf-8") + 'after_recording = "mark_seen"\n', encoding="utf-8"
    )
    cli("poll")
    assert b"\\Seen" in account.flags("INBOX", uid)


def test_wrong_password_and_server_down_exit_3(mailbox, tmp_path: Path, db_url: str) -> None:
    account, cfg, _cli = mailbox
    proc = run_zwxx("--config", str(cfg), "poll", cwd=tmp_path, env={PW_ENV: "wrong"})
    assert proc.returncode == 3
    assert "授权码" in proc.stderr and "Traceback" not in proc.stderr
    missing = run_zwxx("--config", str(cfg), "poll", cwd=tmp_path)
    assert missing.returncode == 2 and PW_ENV in missing.stderr
    down = cfg.read_text(encoding="utf-8").replace(f"port = {account.port}", "port = 1")
    cfg.write_text(down, encoding="utf-8")
    proc = run_zwxx("--config", str(cfg), "poll", cwd=tmp_path, env={PW_ENV: account.password})
    assert proc.returncode == 3 and "无法连接邮箱服务器" in proc.stderr


def test_server_stopped_mid_fetch_then_resumed(
    dovecot_private: DovecotServer, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = dovecot_private.add_account()
    monkeypatch.setenv(PW_ENV, account.password)
    for n in range(9):
        account.append(submission(n))
    cfg = write_settings(tmp_path / "z.toml", db_url, account, batch_size=2)
    app = load_app(cfg)
    done: list[str] = []

    def progress(name: str) -> None:
        done.append(name)
        if len(done) == 3:
            dovecot_private.stop()

    first = poll(app.job(), app.sources(), progress)
    assert first.errors and "连接中断" in first.errors[0]
    assert 3 <= first.envelopes < 9
    dovecot_private.start()
    second = poll(app.job(), app.sources())
    assert not second.errors
    assert first.envelopes + second.envelopes == 9
    with Session(app.engine) as session:
        assert len(session.exec(select(Envelope)).all()) == 9
        cp = session.exec(select(ImapCheckpoint)).one()
        assert cp.last_uid == 9


def _popen_poll(cfg: Path, cwd: Path, password: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZWXX_")}
    env[PW_ENV] = password
    return subprocess.Popen(
        [sys.executable, "-m", "zwxx", "--config", str(cfg), "poll"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_batch_then_rerun(mailbox) -> None:
    account, cfg, cli = mailbox
    total = 80
    for n in range(total):
        account.append(submission(n, attach=n % 3 == 0))
    proc = _popen_poll(cfg, cfg.parent, account.password)
    seen = 0
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("已处理"):
            seen += 1
            if seen >= 10:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    cli("poll")
    envs = envelopes(cli)
    assert len(envs) == total and len({e["uid"] for e in envs}) == total
    got = items(cli)
    assert len(got) == total and all(i["counted"] for i in got)


def test_two_polls_at_once(mailbox) -> None:
    account, cfg, cli = mailbox
    cli("envelopes")  # the database exists before the race
    total = 40
    for n in range(total):
        account.append(submission(n, attach=False))
    procs = [_popen_poll(cfg, cfg.parent, account.password) for _ in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    envs = envelopes(cli)
    assert len(envs) == total and len({e["uid"] for e in envs}) == total
    assert len(items(cli)) == total


def test_doctor_reports_counts(mailbox) -> None:
    account, _cfg, cli = mailbox
    account.append(submission(1))
    account.append(submission(2))
    out = cli("doctor").stdout
    assert "已连接并登录" in out and "共 2 封" in out and "待收取约 2 封" in out
    cli("poll")
    assert "已收取至 UID 2" in cli("doctor").stdout


def test_doctor_says_what_is_wrong(mailbox, tmp_path: Path) -> None:
    _account, cfg, _cli = mailbox
    proc = run_zwxx("--config", str(cfg), "doctor", cwd=tmp_path, env={PW_ENV: "wrong"})
    assert proc.returncode == 3
    assert "[问题]" in proc.stdout and "授权码" in proc.stdout


def test_reparse_keeps_item_ids(mailbox) -> None:
    account, _cfg, cli = mailbox
    account.append(submission(1))
    account.append(submission(2, attach=False))
    cli("poll")
    before = {i["id"]: (i["title"], i["counted"]) for i in items(cli)}
    out = cli("reparse").stdout
    assert "已重新解析 2 件" in out
    after = {i["id"]: (i["title"], i["counted"]) for i in items(cli)}
    assert after == before
    bad = cli("reparse", "--envelope", "999", check=False)
    assert bad.returncode == 2 and "999" in bad.stderr


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_corpus_mail_never_crashes(mailbox) -> None:
    account, _cfg, cli = mailbox
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() != ".tnef")
    assert len(files) > 10
    for path in files:
        account.append(path.read_bytes())
    proc = cli("poll", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    envs = envelopes(cli)
    assert len(envs) == len(files) and _seen(proc.stdout) == 0  # one row per message
    for e in envs:
        assert e["status"] in ("parsed", "ignored", "failed", "duplicate"), e
        if e["status"] != "parsed":
            assert e["reason"], e


def _seen(summary: str) -> int:
    match = re.search(r"此前已处理 (\d+) 件", summary)
    return int(match.group(1)) if match else 0


def test_a_body_the_server_does_not_return_is_fetched_next_time(mailbox) -> None:
    account, cfg, cli = mailbox
    for n in range(4):
        account.append(submission(n, attach=False))
    dropped: list[int] = []

    def flaky(box: MailboxSettings):
        client = connect(box)
        real_fetch = client.fetch

        def fetch(uids, items, *a, **k):
            data = real_fetch(uids, items, *a, **k)
            if "BODY.PEEK[]" in items and 2 in data and not dropped:
                dropped.append(2)
                del data[2]  # as if the server skipped it this once
            return data

        client.fetch = fetch
        return client

    app = load_app(cfg)
    first = poll(app.job(), [ImapSource(app.settings.mailbox[0], app.engine, connector=flaky)])
    assert dropped == [2] and first.envelopes == 1  # UID 1 only: the checkpoint stops at 1
    second = poll(app.job(), app.sources())
    assert second.envelopes == 3
    assert sorted(e["uid"] for e in envelopes(cli)) == [1, 2, 3, 4]
    assert all(e["status"] == "parsed" for e in envelopes(cli))


# ------------------------------------------------------------- every header order (issue 12)
def _mail(n: int, order: list[str], lead: bytes = b"", received: int = 0) -> tuple[bytes, str]:
    """A body-only submission with its header fields in ``order`` (and ``received``
    Received lines first); (raw, subject)."""
    subject = f"区民政局推进第{n}项养老服务工作"
    body = f"{subject}\n今年以来，区民政局新建养老服务站{n}处，服务老人{n}00人次。\n"
    fields = {
        "Return-Path": f"<order{n}@example.cn>",
        "Received": f"from mx{n}.example.cn by mx.163.com; Tue, 30 Apr 2019 16:30:00 +0000",
        "From": f"信息员 <order{n}@example.cn>",
        "To": "lcqzwxx@163.com",
        "Subject": Header(subject, "utf-8").encode(),
        "Date": "Tue, 30 Apr 2019 16:30:00 +0000",
        "Message-ID": f"<order-{n}@example.cn>",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Transfer-Encoding": "base64",
    }
    relays = [
        f"Received: from relay{r}.example.cn by relay{r + 1}.example.cn; {'x' * 60}"
        for r in range(received)
    ]
    head = [*relays, *(f"{k}: {fields[k]}" for k in order)]
    payload = base64.encodebytes(body.encode()).decode()
    return lead + ("\r\n".join(head) + "\r\n\r\n" + payload).encode(), subject


STANDARD = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
            "Content-Transfer-Encoding"]  # fmt: skip
# Content-Type first; an mbox "From " line first; Return-Path/Received first; Subject and
# From beyond the first 4 KB (after 60 Received lines). No name ends in .eml.
ORDERS: list[tuple[list[str], bytes, int]] = [
    (STANDARD, b"", 0),
    (
        [
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
            "Message-ID",
            "Date",
            "Subject",
            "To",
            "From",
        ],
        b"",
        0,
    ),
    (STANDARD, b"From order3@example.cn Tue Apr 30 16:30:00 2019\r\n", 0),  # mbox line
    (["Return-Path", "Received", *STANDARD], b"", 0),
    (
        [
            "Message-ID",
            "Date",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
            "To",
            "From",
            "Subject",
        ],
        b"",
        60,
    ),
]


def test_every_message_is_a_message_whatever_its_header_order(mailbox) -> None:
    account, _cfg, cli = mailbox
    sent = {}
    for n, (order, lead, received) in enumerate(ORDERS, start=1):
        raw, subject = _mail(n, order, lead, received)
        uid = account.append(raw, internaldate=datetime(2019, 4, 10, 9, 0, tzinfo=CST))
        sent[uid] = (n, subject)
    assert "本次处理 5 件" in cli("poll").stdout
    envs = {e["uid"]: e for e in envelopes(cli)}
    got = {i["envelope_id"]: i for i in items(cli)}
    assert len(got) == 5
    for uid, (n, subject) in sent.items():
        e = envs[uid]
        assert e["status"] == "parsed", e
        assert (e["subject"], e["sender"], e["message_id"]) == (
            subject,
            f"order{n}@example.cn",
            f"<order-{n}@example.cn>",
        )
        title = got[e["id"]]["title"]
        assert title == subject and "UID" not in title
        assert got[e["id"]]["chars"] < 60  # the text, not the headers and base64


def test_a_mail_received_just_after_midnight_on_may_1st_is_in_may(mailbox) -> None:
    account, _cfg, cli = mailbox
    raw, subject = _mail(7, STANDARD)  # its Date header says 30 April (UTC)
    account.append(raw, internaldate=datetime(2019, 5, 1, 0, 30, tzinfo=CST))
    cli("poll")
    (item,) = json.loads(cli("items", "--month", "2019-05", "--json").stdout)
    assert item["received_at"] == "2019-05-01T00:30:00+08:00"
    assert item["title"] == subject
    assert json.loads(cli("items", "--month", "2019-04", "--json").stdout) == []


# ------------------------------------------------------------- copies (issue 12)
def test_the_same_mail_delivered_twice_is_two_envelopes_one_item(mailbox, cfg_engine) -> None:
    account, cfg, cli = mailbox
    twice = submission(1)
    uids = [account.append(twice), account.append(submission(2)), account.append(twice)]
    out = cli("poll").stdout
    assert "本次处理 3 件" in out and "新计数 2 条" in out and "重复收到 1 件" in out
    envs = envelopes(cli)
    assert [e["uid"] for e in envs] == uids  # as many rows as the mailbox has messages
    first, _other, copy = envs
    assert (first["status"], first["duplicate_of"]) == ("parsed", None)
    assert (copy["status"], copy["duplicate_of"]) == ("duplicate", first["id"])
    assert (copy["subject"], copy["sender"], copy["message_id"]) == (
        first["subject"],
        first["sender"],
        first["message_id"],
    )
    assert len(items(cli)) == 2 and all(i["counted"] for i in items(cli))

    # The checkpoint lost (as after a crash that kept the records): the re-scan knows
    # every UID it recorded, the copy included, and records nothing again.
    with Session(cfg_engine(cfg)) as session:
        for cp in session.exec(select(ImapCheckpoint)).all():
            session.delete(cp)
        session.commit()
    again = cli("poll").stdout
    assert "本次处理 0 件" in again and "此前已处理 3 件" in again
    assert envelopes(cli) == envs
    assert len(items(cli)) == 2
    account.append(twice)  # a third delivery: a copy of the first again
    cli("poll")
    assert [e["duplicate_of"] for e in envelopes(cli)] == [None, None, first["id"], first["id"]]


@pytest.fixture
def cfg_engine():
    engines = []

    def make(cfg: Path):
        app = load_app(cfg)
        engines.append(app.engine)
        return app.engine

    yield make
    for engine in engines:
        engine.dispose()
