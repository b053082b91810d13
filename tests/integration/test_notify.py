"""Notifications end to end: the weekly reminder, the monthly digest, receipts, the
quarterly notice's SMS — sent to a real SMTP server (aiosmtpd) and a local HTTP server
standing in for the SMS gateway, through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import Session, select

from tests.integration.test_import_report import ledger_rows, write_csv
from tests.servers.http import Reply, http_server
from tests.servers.smtp import smtp_server
from zwxx import notifications
from zwxx.app import load_app
from zwxx.config.roster import UnitEntry
from zwxx.config.settings import ScheduleSettings
from zwxx.notify.compose import pace
from zwxx.notify.postman import Delivery
from zwxx.records.models import Notification
from zwxx.scheduler import Timed, _guarded, missed_run, timed_jobs

ROSTER = Path(__file__).resolve().parents[2] / "config" / "units.toml"
TZ = ZoneInfo("Asia/Shanghai")

# Contacts given to a few units; every other unit has none (unreachable).
CONTACTS = {
    "区发展和改革委员会": {"emails": ["fgw@laiwu.test"], "officer_phone": "13800000001"},
    "口镇": {
        "emails": ["kz@laiwu.test", "kz2@laiwu.test"],
        "officer_phone": "13800000002",
        "head_phone": "13900000002",
    },
    "区民政局": {"emails": ["mzj@laiwu.test"], "head_phone": "13900000003", "receipt": True},
    "区审计局": {"officer_phone": "13800000004", "head_phone": "13900000004"},
}


def roster_with(target: Path, contacts: dict[str, dict]) -> Path:
    """The default roster with contacts filled in for some units (edited as text, the way
    the office edits it)."""
    text = ROSTER.read_text(encoding="utf-8")
    for name, values in contacts.items():
        start = text.index(f'name = "{name}"\n')
        end = text.find("[[unit]]", start)
        end = len(text) if end < 0 else end
        block = text[start:end]
        for key, value in values.items():
            if key == "receipt":
                block = block.rstrip("\n") + "\nreceipt = true\n\n"
                continue
            shown = json.dumps(value, ensure_ascii=False)
            block = re.sub(rf"(?m)^{key} = .*$", f"{key} = {shown}", block, count=1)
        text = text[:start] + block + text[end:]
    target.write_text(text, encoding="utf-8")
    return target


def configure(workdir: Path, smtp_port: int, sms_url: str, **extra: str) -> None:
    """The work directory's settings plus contacts, SMTP, the SMS gateway and leaders
    (written from the original each time, so a test can point at a new server)."""
    roster_with(workdir / "units.toml", CONTACTS)
    settings, base = workdir / "zwxx.toml", workdir / "zwxx.base.toml"
    if not base.exists():
        base.write_bytes(settings.read_bytes())
    settings.write_text(
        base.read_text(encoding="utf-8")
        + '\n[roster]\npath = "units.toml"\n'
        + f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        + 'sender = "莱芜区政府办公室信息科 <lcqzwxx@laiwu.test>"\n'
        + f'\n[sms]\nurl = "{sms_url}send"\nsuccess = \'"code":\\s*0\'\n'
        + 'headers = { Authorization = "Bearer {{ secret }}" }\n'
        + '\n[leaders]\nemails = ["leader@laiwu.test"]\nphones = ["13700000001"]\n'
        + '\n[outbox]\npath = "outbox"\n'
        + "".join(f"\n{line}\n" for line in extra.values()),
        encoding="utf-8",
    )


SMS_ENV = {"ZWXX_SMS_SECRET": "s3cret"}


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def by_recipient(received) -> dict[str, list[email.message.EmailMessage]]:
    out: dict[str, list] = {}
    for r in received:
        for to in r.rcpt_tos:
            out.setdefault(to, []).append(parse(r.data))
    return out


def seed_november(zwxx, workdir: Path) -> None:
    rows = ledger_rows("区发改委", "2026-11", 12, research=1)  # on pace, duty done
    rows += ledger_rows("口镇", "2026-11", 12, research=1)  # on pace, 专报 missing
    rows += ledger_rows("区民政局", "2026-11", 3)  # below pace
    rows += ledger_rows("区审计局", "2026-11", 6)  # tier 2 pace met, research open
    zwxx("import", "items", str(write_csv(workdir / "nov.csv", rows)))


def test_pace_rounds_up_and_counts_whole_days() -> None:
    assert pace(20, datetime(2026, 11, 16, 9, tzinfo=TZ), TZ) == (15, 15, 10)
    assert pace(20, datetime(2026, 11, 1, 9, tzinfo=TZ), TZ) == (0, 30, 0)
    assert pace(10, datetime(2026, 2, 28, 23, tzinfo=TZ), TZ) == (27, 1, 10)  # 9.64 -> 10
    assert pace(20, datetime(2026, 10, 2, 9, tzinfo=TZ), TZ) == (1, 30, 1)  # 0.65 -> 1
    # The office's timezone decides the day: 2026-11-15 17:00 UTC is the 16th in Jinan.
    assert pace(20, datetime(2026, 11, 15, 17, tzinfo=UTC), TZ) == (15, 15, 10)


def test_weekly_reminder_once_per_unit_across_runs_and_restarts(
    zwxx, workdir: Path, tmp_path: Path
) -> None:
    seed_november(zwxx, workdir)
    with smtp_server() as smtp, http_server() as gateway:
        configure(workdir, smtp.port, gateway.url)
        now = "2026-11-16T09:00"  # a Monday; 15 whole days of 30 gone: pace 10 (tier 2: 5)
        first = zwxx("remind", "weekly", "--now", now, env=SMS_ENV).stdout
        # A second run, in a new process (a restart), and the scheduler catching up later:
        second = zwxx("remind", "weekly", "--now", now, env=SMS_ENV).stdout
        zwxx("remind", "weekly", "--now", "2026-11-16T20:00", env=SMS_ENV)

        mails = by_recipient(smtp.handler.received)
        assert sorted(mails) == ["kz2@laiwu.test", "kz@laiwu.test", "mzj@laiwu.test"]
        assert all(len(m) == 1 for m in mails.values())  # one message per unit address
        phones = [json.loads(r.body)["mobile"] for r in gateway.requests]
        assert sorted(phones) == ["13800000002", "13800000004"]  # 口镇 and 区审计局 officers

    assert "56 个单位需要提醒" in first  # 区发改委 is on pace with its research done
    assert "新增 5 条" in first and "发送成功 5 条" in first
    assert "5 条此前已发送" in second and "新增 0 条" in second
    assert "无法通知" in first and "区财政局" in first  # no contact: listed, not lost

    mzj = mails["mzj@laiwu.test"][0]
    assert mzj["Subject"] == "【催报】区民政局11月政务信息报送提醒（截至11月16日）"
    assert mzj["From"].addresses[0].display_name == "莱芜区政府办公室信息科"
    text = mzj.get_body(("plain",)).get_content()
    assert "本月已报送政务信息 3 条" in text and "按进度应不少于 10 条" in text
    assert "按进度还差 7 条" in text and "还剩 15 天" in text
    assert "区民政局2026-11第3条" in text  # the list of what was received, to check
    html = mzj.get_body(("html",)).get_content()
    assert "<td>区民政局2026-11第1条</td>" in html

    kz = mails["kz@laiwu.test"][0].get_body(("plain",)).get_content()
    assert "本月还需报送市专报信息 2 篇" in kz and "按进度还差" not in kz
    sms = [json.loads(r.body) for r in gateway.requests]
    audit = next(s for s in sms if s["mobile"] == "13800000004")["content"]
    assert "区审计局本月计入任务的信息6条" in audit and "调研任务未完成" in audit
    assert gateway.requests[0].headers["authorization"] == "Bearer s3cret"

    records = json.loads(zwxx("notifications", "--json").stdout)
    assert len(records) == 5 and {r["status"] for r in records} == {"sent"}
    assert {r["period"] for r in records} == {"2026-W47"}
    assert all(r["segments"] == 1 for r in records if r["channel"] == "sms")


def test_dry_run_writes_the_outbox_and_records_nothing(zwxx, workdir: Path) -> None:
    seed_november(zwxx, workdir)
    configure(workdir, 1, "http://127.0.0.1:1/")  # nothing listens there: must not be used
    out = zwxx("remind", "weekly", "--now", "2026-11-16T09:00", "--dry-run").stdout
    assert "试运行" in out
    files = sorted(p.name for p in (workdir / "outbox").iterdir())
    assert len([f for f in files if f.endswith(".eml")]) == 3
    assert len([f for f in files if f.endswith(".sms.txt")]) == 2
    eml = next((workdir / "outbox").glob("*mzj*.eml"))
    assert parse(eml.read_bytes())["Subject"].startswith("【催报】区民政局")
    assert json.loads(zwxx("notifications", "--json").stdout) == []


def test_gateway_errors_are_retried_with_back_off_and_reported(
    zwxx, workdir: Path, monkeypatch
) -> None:
    monkeypatch.setenv("ZWXX_SMS_SECRET", "s3cret")  # for the sends made in this process
    seed_november(zwxx, workdir)
    with smtp_server() as smtp, http_server(Reply(status=500, body="busy")) as gateway:
        configure(workdir, smtp.port, gateway.url, schedule="[schedule]\nmax_attempts = 3")
        out = zwxx("remind", "weekly", "--now", "2026-11-16T09:00", env=SMS_ENV, check=False)
        assert "发送失败 2 条，其中 2 条稍后自动重试" in out.stdout and "HTTP 500" in out.stderr
        assert out.returncode == 3  # a cron job sees that something did not go out

        a = load_app(workdir / "zwxx.toml")
        failed = json.loads(zwxx("notifications", "--status", "failed", "--json").stdout)
        assert len(failed) == 2 and all(f["attempts"] == 1 for f in failed)
        assert all(f["next_attempt_at"] for f in failed)

        clock = [datetime.now(UTC)]
        man = notifications.postman(a)
        man.clock = lambda: clock[0]
        man.deliver_due(result := Delivery())
        assert result.sent == 0 and result.failed == 0  # not due yet: back-off
        clock[0] += timedelta(minutes=6)  # retry_minutes 5
        gateway.reply = Reply(status=200, body='{"code": 1, "msg": "余额不足"}')
        man.deliver_due(result := Delivery())
        assert result.failed == 2 and "余额不足" in result.errors[0]  # success regex unmet
        clock[0] += timedelta(minutes=11)  # doubled: 10 minutes
        gateway.reply = Reply()
        requests_before = len(gateway.requests)
        man.deliver_due(result := Delivery())
        assert result.sent == 2
        assert len(gateway.requests) == requests_before + 2
        clock[0] += timedelta(days=1)
        man.deliver_due(result := Delivery())
        assert result.sent == 0 and len(gateway.requests) == requests_before + 2  # never twice
        a.engine.dispose()

    records = json.loads(zwxx("notifications", "--json").stdout)
    sms = [r for r in records if r["channel"] == "sms"]
    assert {r["status"] for r in sms} == {"sent"} and {r["attempts"] for r in sms} == {3}


def test_given_up_and_interrupted_sends_stay_visible(zwxx, workdir: Path) -> None:
    seed_november(zwxx, workdir)
    with smtp_server() as smtp, http_server(Reply(status=503)) as gateway:
        configure(workdir, smtp.port, gateway.url, schedule="[schedule]\nmax_attempts = 1")
        zwxx("remind", "weekly", "--now", "2026-11-16T09:00", env=SMS_ENV, check=False)
    a = load_app(workdir / "zwxx.toml")
    with Session(a.engine) as session:
        rows = session.exec(select(Notification).where(Notification.channel == "sms")).all()
        assert {(r.status, r.next_attempt_at) for r in rows} == {("failed", None)}  # given up
        mail = session.exec(select(Notification).where(Notification.channel == "email")).first()
        assert mail is not None
        # A process killed while sending: the row stays "sending" with an old claim.
        mail.status, mail.claimed_at = "sending", datetime.now(UTC) - timedelta(hours=1)
        session.add(mail)
        session.commit()
        stuck = mail.id
    notifications.retry_due(a)
    with Session(a.engine) as session:
        row = session.get(Notification, stuck)
        assert row is not None and row.status == "failed" and "不能确定是否已送达" in row.error
    listed = zwxx("notifications", "--status", "failed").stdout
    assert "失败" in listed and "13800000002" in listed
    with smtp_server() as smtp:  # the clerk checked: it did not arrive, send it again
        configure(workdir, smtp.port, "http://127.0.0.1:1/")
        out = zwxx("notifications", "--resend", str(stuck)).stdout
        assert "已重新排队" in out and len(smtp.handler.received) == 1
    a.engine.dispose()


def test_monthly_digest_with_workbook_to_leaders_once(zwxx, workdir: Path) -> None:
    rows = ledger_rows("区发改委", "2026-10", 21, research=1)
    rows += ledger_rows("口镇", "2026-10", 20, research=1, special=2)
    rows += ledger_rows("区民政局", "2026-10", 17)
    zwxx("import", "items", str(write_csv(workdir / "oct.csv", rows)))
    with smtp_server() as smtp, http_server() as gateway:
        configure(workdir, smtp.port, gateway.url)
        out = zwxx("digest", "monthly", "--now", "2026-11-01T09:00", env=SMS_ENV).stdout
        zwxx("digest", "monthly", "2026-10", "--now", "2026-11-01T10:00", env=SMS_ENV)
        assert "2026年10月月报" in out
        assert len(smtp.handler.received) == 1 and len(gateway.requests) == 1
    mail = parse(smtp.handler.received[0].data)
    assert smtp.handler.received[0].rcpt_tos == ["leader@laiwu.test"]
    assert mail["Subject"] == "2026年10月全区政务信息报送情况"
    text = mail.get_body(("plain",)).get_content()
    assert "共报送政务信息 58 条" in text and "2 个单位完成条数任务" in text
    assert "区民政局" in text.split("未完成条数任务的单位：")[1].split("\n")[0]
    assert "未登记邮箱和手机" in text and "区财政局" in text
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "2026年10月政务信息月报.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert book.sheetnames[:3] == ["工业区、镇（街道）", "第一数量级单位", "第二数量级单位"]
    tier1 = {row[1]: row for row in book["第一数量级单位"].iter_rows(min_row=3, values_only=True)}
    assert tier1["区发展和改革委员会"][0] == 1  # rank
    assert tier1["区发展和改革委员会"][2] == 21 and tier1["区发展和改革委员会"][-1] == 30
    assert tier1["区民政局"][-1] == -6
    sms = json.loads(gateway.requests[0].body)
    assert sms["mobile"] == "13700000001" and "10月全区报送政务信息58条" in sms["content"]


def test_receipts_for_units_that_asked(zwxx, workdir: Path) -> None:
    with smtp_server() as smtp:
        configure(workdir, smtp.port, "http://127.0.0.1:1/")
        folder = workdir / "drop" / "区民政局"
        folder.mkdir()
        (folder / "养老.txt").write_text(
            "全区新建养老服务站5处\n今年以来，区民政局新建村级养老服务站5处，服务老人1200人次。\n",
            encoding="utf-8",
        )
        (workdir / "drop" / "区发改委").mkdir()
        (workdir / "drop" / "区发改委" / "项目.txt").write_text(
            "重点项目开工\n区发改委推动重点项目开工12个。\n", encoding="utf-8"
        )
        zwxx("poll")
        a = load_app(workdir / "zwxx.toml")
        first = notifications.receipts(a, datetime.now(UTC))
        again = notifications.receipts(a, datetime.now(UTC))
        a.engine.dispose()
        assert first.delivery.sent == 1 and again.delivery.queued == 0
        (received,) = smtp.handler.received
    assert received.rcpt_tos == ["mzj@laiwu.test"]  # 区发改委 did not ask for receipts
    mail = parse(received.data)
    assert mail["Subject"] == "【回执】已收到《全区新建养老服务站5处》"
    (item,) = [i for i in json.loads(zwxx("items", "--json").stdout) if i["unit"] == "区民政局"]
    text = mail.get_body(("plain",)).get_content()
    assert f"已收到《全区新建养老服务站5处》，分类：动态信息，字数：{item['chars']}。" in text
    assert item["chars"] > 20  # the body was counted, not the title


def test_notice_docx_and_sms_to_unit_heads(zwxx, workdir: Path) -> None:
    rows = ledger_rows("口镇", "2026-07", 20, research=1, special=2)
    rows += ledger_rows("区审计局", "2026-08", 10, research=1)
    zwxx("import", "items", str(write_csv(workdir / "q.csv", rows)))
    with http_server() as gateway:
        configure(workdir, 1, gateway.url)
        target = workdir / "通报.docx"
        args = ("notice", "quarter", "2026Q3", "--out", str(target), "--number", "7")
        early = zwxx(*args, "--sms", "--now", "2026-09-30T09:00", env=SMS_ENV, check=False)
        assert early.returncode == 2 and "尚未结束" in early.stderr  # no SMS mid-quarter
        out = zwxx(*args, "--sms", "--now", "2026-10-08T09:00", env=SMS_ENV).stdout
        zwxx(*args, "--sms", "--now", "2026-10-08T10:00", env=SMS_ENV)  # again: no new SMS
        assert target.is_file() and "2026年第三季度通报已生成" in out
        sent = [json.loads(r.body) for r in gateway.requests]
        assert len(sent) == 3  # the heads of 口镇, 区民政局 and 区审计局; once each
    assert "未登记主要负责人手机号" in out
    report = json.loads(
        zwxx("report", "quarter", "2026Q3", "--json", "--now", "2026-10-08T09:00").stdout
    )
    scores = {u["unit"]: u for u in report["units"]}
    texts = {s["mobile"]: s["content"] for s in sent}
    kz, audit = scores["口镇"], scores["区审计局"]
    assert (
        f"口镇2026年第三季度政务信息工作得分{kz['total']}分，"
        f"在工业区、镇（街道）中排第{kz['rank']}名（共16个）"
    ) in texts["13900000002"]
    assert (
        f"区审计局2026年第三季度政务信息工作得分{audit['total']}分，"
        f"在第二数量级单位中排第{audit['rank']}名（共18个）"
    ) in texts["13900000004"]


def test_periods_not_over_and_future_times_are_refused(zwxx, workdir: Path) -> None:
    configure(workdir, 1, "http://127.0.0.1:1/")
    early = zwxx("digest", "monthly", "2026-11", "--now", "2026-11-20T09:00", check=False)
    assert early.returncode == 2 and "2026年11月尚未结束" in early.stderr
    future = zwxx("remind", "weekly", "--now", "2099-01-05T09:00", check=False)
    assert future.returncode == 2 and "在将来" in future.stderr
    preview = zwxx("remind", "weekly", "--now", "2099-01-05T09:00", "--dry-run")
    assert preview.returncode == 0  # a preview may look ahead
    assert json.loads(zwxx("notifications", "--json").stdout) == []


def test_unreachable_server_postpones_the_rest_and_uncertain_sends_are_not_repeated(
    zwxx, workdir: Path, monkeypatch
) -> None:
    from tests.servers.smtp import free_port

    monkeypatch.setenv("ZWXX_SMS_SECRET", "s3cret")
    seed_november(zwxx, workdir)
    with http_server(Reply(delay=3)) as gateway:
        configure(workdir, free_port(), gateway.url)  # no SMTP server on that port
        settings = (workdir / "zwxx.toml").read_text(encoding="utf-8")
        (workdir / "zwxx.toml").write_text(
            settings.replace("[sms]\n", "[sms]\ntimeout_seconds = 1\n"), encoding="utf-8"
        )
        out = zwxx("remind", "weekly", "--now", "2026-11-16T09:00", env=SMS_ENV, check=False)
        assert out.returncode == 3
        # 3 e-mails: the first finds the server down, the other two wait for the next pass.
        assert "2 条因服务器无法连接推迟到下次" in out.stdout
        records = json.loads(zwxx("notifications", "--json").stdout)
        mails = [r for r in records if r["channel"] == "email"]
        assert sorted(r["attempts"] for r in mails) == [0, 0, 1]
        assert all(r["status"] in ("pending", "failed") for r in mails)
        # The gateway took the SMS but answered too late: maybe delivered, so not retried.
        texts = [r for r in records if r["channel"] == "sms"]
        assert all(r["status"] == "failed" and r["next_attempt_at"] is None for r in texts)
        assert all("可能已发出" in r["error"] and "未自动重发" in r["error"] for r in texts)
        assert len(gateway.requests) == 2


def test_one_claim_per_notification(db_url: str) -> None:
    """Two processes sending at once: the conditional UPDATE lets only one win a row."""
    from zwxx.config.settings import Settings
    from zwxx.notify.postman import Postman
    from zwxx.records.db import make_engine, upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    with Session(engine) as session:
        row = Notification(kind="weekly", period="2026-W47", recipient="a@b.cn", channel="email")
        session.add(row)
        session.commit()
        nid = row.id
    assert nid is not None
    one = Postman(engine, Settings(), email=None, sms=None)  # type: ignore[arg-type]
    two = Postman(engine, Settings(), email=None, sms=None)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    assert one._claim(nid, now) is True
    assert two._claim(nid, now) is False
    engine.dispose()


def test_missed_runs_within_the_grace_period_are_caught_up() -> None:
    monday = CronTrigger(day_of_week="mon", hour=9, minute=0, timezone=TZ)
    grace = timedelta(hours=12)
    due = datetime(2026, 11, 16, 9, 0, tzinfo=TZ)
    assert missed_run(monday, datetime(2026, 11, 16, 10, 30, tzinfo=TZ), grace) == due
    assert missed_run(monday, datetime(2026, 11, 16, 20, 59, tzinfo=TZ), grace) == due
    assert missed_run(monday, datetime(2026, 11, 16, 21, 1, tzinfo=TZ), grace) is None
    assert missed_run(monday, datetime(2026, 11, 16, 8, 59, tzinfo=TZ), grace) is None
    jobs = timed_jobs(
        ScheduleSettings(weekly_day="fri", weekly_time="8:30", digest_day=2), TZ, print, print
    )
    assert [j.label for j in jobs] == ["每周五 08:30 催报", "每月2日 09:00 月度报告"]
    after = jobs[1].trigger.get_next_fire_time(None, datetime(2026, 11, 26, tzinfo=TZ))
    assert after == datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    # A catch-up runs for the time it was due: a Sunday 20:00 reminder caught up on Monday
    # morning still makes that Sunday's week (its ISO week), not the new one.
    calls: list[datetime] = []
    sunday = datetime(2026, 11, 22, 20, 0, tzinfo=TZ)
    _guarded(Timed("weekly", "", monday, calls.append), sunday)()
    assert calls == [sunday] and sunday.isocalendar().week == 47


def test_office_templates_override_and_errors(tmp_path: Path) -> None:
    from zwxx.config.settings import OfficeSettings
    from zwxx.errors import ConfigError
    from zwxx.notify.compose import Templates

    (tmp_path / "receipt.txt").write_text(
        "回执：{{ item.title }}\n\n{{ unit.name }}：收到了。{{ office.signature }}\n", "utf-8"
    )
    (tmp_path / "weekly.sms").write_text("{% if %}\n", "utf-8")
    (tmp_path / "digest.sms").write_text("{{ nothing.here }}", "utf-8")
    t = Templates(OfficeSettings(templates=tmp_path, signature="信息科"))
    unit = UnitEntry(name="区民政局", group="tier1")
    subject, text, html = t.email("receipt", unit=unit, item={"title": "<b>养老</b>"})
    assert subject == "回执：<b>养老</b>" and text == "区民政局：收到了。信息科\n"
    assert html is None  # the office's plain text only: not the built-in HTML beside it
    with pytest.raises(ConfigError, match=r"weekly.sms 第 1 行有误"):
        t.sms("weekly")
    with pytest.raises(ConfigError, match=r"digest.sms 无法使用.*nothing"):
        t.sms("digest")
    # HTML is escaped (titles are written by units); the plain text is not.
    (tmp_path / "weekly.txt").write_text("主题\n\n{{ x }}\n", "utf-8")
    (tmp_path / "weekly.html").write_text("<p>{{ x }}</p>", "utf-8")
    _s, text, page = t.email("weekly", x="<script>“标题”</script>")
    assert page == "<p>&lt;script&gt;“标题”&lt;/script&gt;</p>"
    assert text == "<script>“标题”</script>\n"


def test_notification_key_is_unique_in_the_database(db_url: str) -> None:
    from zwxx.records.db import make_engine, upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    row = {"kind": "weekly", "period": "2026-W47", "recipient": "a@b.cn", "channel": "email"}
    with Session(engine) as session:
        session.add(Notification(**row))
        session.commit()
    with Session(engine) as session:
        session.add(Notification(**row))
        try:
            session.commit()
            raise AssertionError("the same notification was recorded twice")
        except sa.exc.IntegrityError:
            session.rollback()
    engine.dispose()


def test_roster_helper_edits_only_the_named_units(tmp_path: Path) -> None:
    from zwxx.config.roster import load_roster

    path = roster_with(tmp_path / "units.toml", CONTACTS)
    roster = load_roster(path, ["towns", "tier1", "tier2"])
    kz: UnitEntry = roster.by_name["口镇"]
    assert kz.emails == ("kz@laiwu.test", "kz2@laiwu.test") and kz.head_phone == "13900000002"
    assert roster.by_name["区民政局"].receipt and not kz.receipt
    assert not roster.by_name["区财政局"].emails


def test_service_catches_up_a_missed_weekly_run_once(zwxx, workdir: Path) -> None:
    """`zwxx run` started after the reminder's time (within the grace period) sends it;
    started again, it sends nothing more."""
    import signal
    import time

    from tests.conftest import start_service

    seed_november(zwxx, workdir)
    due = datetime.now(TZ) - timedelta(minutes=30)  # the reminder was due half an hour ago
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[due.weekday()]
    with smtp_server() as smtp, http_server() as gateway:
        configure(
            workdir,
            smtp.port,
            gateway.url,
            schedule=f'[schedule]\nweekly_day = "{day}"\nweekly_time = "{due:%H:%M}"\n'
            "poll_minutes = 60",
        )
        sent = []
        for _ in range(2):  # a start, then a restart
            proc = start_service(workdir, SMS_ENV)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    records = json.loads(zwxx("notifications", "--json").stdout)
                    if len(records) >= 1 and all(r["status"] == "sent" for r in records):
                        break
                    time.sleep(0.5)
                time.sleep(2)  # room for a (wrong) second sending
            finally:
                proc.send_signal(signal.SIGTERM)
                out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            assert "催报" in out and "weekly was due" in err
            sent.append((len(smtp.handler.received), len(gateway.requests)))
        records = json.loads(zwxx("notifications", "--json").stdout)
    assert {r["kind"] for r in records} == {"weekly", "weekly_sms"}  # no receipts for imports
    emails = sum(r["channel"] == "email" for r in records)
    assert emails >= 3 and sent[0] == (emails, len(records) - emails)
    assert sent[1] == sent[0]  # the restart sent nothing again


def test_bad_notification_settings_are_refused_in_chinese(tmp_path: Path) -> None:
    from tests.conftest import run_zwxx

    cases = {
        '[sms]\nbody_template = "{{ phone"\n': "“sms.body_template”模板语法错误",
        '[leaders]\nphones = ["138-abc"]\n': "“leaders.phones”“138-abc”不是有效的手机号码",
        '[leaders]\nemails = ["leader"]\n': "“leader”不是有效的邮箱地址",
        '[office]\ntemplates = "nowhere"\n': "“office.templates”指定的模板文件夹",
        '[schedule]\nweekly_time = "25:00"\n': "“25:00”不是有效的时间",
        '[smtp]\nsecurity = "tls"\n': "smtp.security",
    }
    for text, expected in cases.items():
        (tmp_path / "zwxx.toml").write_text(text, encoding="utf-8")
        proc = run_zwxx("--config", str(tmp_path / "zwxx.toml"), "notifications", cwd=tmp_path)
        assert proc.returncode == 2 and expected in proc.stderr, (text, proc.stderr)
        assert "Traceback" not in proc.stderr
