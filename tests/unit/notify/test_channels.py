"""The notification channels without a server: the MIME they build, the checks before
connecting, the outbox folder, choosing channels and SMS length. Delivery against real
local servers (aiosmtpd, an HTTP gateway) is in tests/integration/test_notify_channels.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.servers.smtp import free_port
from tests.unit.notify.helpers import (
    SENDER,
    USERNAME,
    assert_reminder,
    parse,
    reminder,
    smtp_settings,
)
from zwxx.config.settings import Settings
from zwxx.notify.channels import (
    Channel,
    Email,
    Outbox,
    SendError,
    Sms,
    SmsGateway,
    SmtpChannel,
    build_mime,
    channels_for,
    fit_sms,
    sms_segments,
)

# ---------------------------------------------------------------------------------------
# build_mime


def test_build_mime_headers_and_encodings() -> None:
    data = build_mime(reminder(), SENDER)
    head, _, _ = data.partition(b"\r\n\r\n")
    assert data.isascii()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert re.search(rb"^Subject: =\?utf-8\?[bq]\?", head, re.MULTILINE | re.IGNORECASE)
    assert re.search(rb"^From: ?\r?\n? ?=\?utf-8\?[bq]\?", head, re.MULTILINE | re.IGNORECASE)
    assert b"MIME-Version: 1.0" in head
    # RFC 2231 file names on Content-Disposition, RFC 2047 names on Content-Type.
    assert b"filename*=utf-8''" in data or b"filename*0*=utf-8''" in data
    assert re.search(rb'name="=\?utf-8\?b\?', data, re.IGNORECASE)
    assert_reminder(data)


def test_build_mime_without_html_or_attachments() -> None:
    data = build_mime(Email(to=["a@example.cn"], subject="月报", text="正文"), "a@example.cn")
    message = parse(data)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "正文"
    assert message["Subject"] == "月报"


# ---------------------------------------------------------------------------------------
# Checks before connecting


def test_smtp_rejects_bad_addresses_before_connecting() -> None:
    channel = SmtpChannel(smtp_settings(free_port(), "none"))
    with pytest.raises(SendError, match="没有收件人"):
        channel.send(Email(to=[], subject="s", text="t"))
    with pytest.raises(SendError, match="收件邮箱地址无效"):
        channel.send(Email(to=["区发改委"], subject="s", text="t"))


# ---------------------------------------------------------------------------------------
# Outbox


def test_outbox_email(tmp_path: Path) -> None:
    folder = tmp_path / "outbox" / "new"
    outbox = Outbox(folder, sender=SENDER)
    written = Path(outbox.send(reminder()))
    assert outbox.via == "outbox"
    assert written.parent == folder
    assert re.fullmatch(r"\d{8}-\d{6}-1-fgw@laiwu\.example\.cn\.eml", written.name)
    assert_reminder(written.read_bytes())
    assert [p.name for p in folder.iterdir()] == [written.name]  # no temp files left


def test_outbox_sms(tmp_path: Path) -> None:
    text = "测" * 71
    written = Path(Outbox(tmp_path).send(Sms("13800000011", text)))
    assert written.name.endswith("-13800000011.sms.txt")
    lines = written.read_text(encoding="utf-8").splitlines()
    assert "收件号码：13800000011" in lines
    assert f"短信内容：{text}" in lines
    assert "计费条数：2" in lines


def test_outbox_cuts_sms_like_the_gateway(tmp_path: Path) -> None:
    written = Path(Outbox(tmp_path, sms_max_chars=70).send(Sms("138", "字" * 200)))
    content = written.read_text(encoding="utf-8")
    assert f"短信内容：{'字' * 69}…\n" in content and "计费条数：1" in content


def test_outbox_never_overwrites(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    paths = [Path(outbox.send(Sms("13800000012", f"第{i}条"))) for i in range(5)]
    assert len(set(paths)) == 5
    assert [p.read_text(encoding="utf-8").count(f"第{i}条") for i, p in enumerate(paths)] == [1] * 5
    mails = {outbox.send(reminder()) for _ in range(3)}
    assert len(mails) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [p.name for p in paths] + [Path(m).name for m in mails]
    )


def test_outbox_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SendError, match=r"无法写入发件箱文件夹 .*\[outbox\] path"):
        Outbox(blocker / "outbox").send(Sms("138", "测试"))


# ---------------------------------------------------------------------------------------
# Choosing channels


def test_channels_for(tmp_path: Path) -> None:
    settings = Settings(outbox={"path": tmp_path})
    email_channel, sms_channel = channels_for(settings)
    assert isinstance(email_channel, Outbox) and isinstance(sms_channel, Outbox)
    assert email_channel.path == tmp_path

    settings = Settings(
        outbox={"path": tmp_path},
        smtp={"host": "smtp.163.com", "username": USERNAME},
        sms={"url": "https://sms.example.cn/send"},
    )
    email_channel, sms_channel = channels_for(settings)
    assert isinstance(email_channel, SmtpChannel) and isinstance(sms_channel, SmsGateway)
    assert (email_channel.via, sms_channel.via) == ("smtp", "gateway")
    assert isinstance(email_channel, Channel) and isinstance(sms_channel, Channel)

    email_channel, sms_channel = channels_for(settings, dry_run=True)
    assert isinstance(email_channel, Outbox) and isinstance(sms_channel, Outbox)
    assert email_channel.sender == USERNAME
    assert email_channel.sms_max_chars == settings.sms.max_chars


# ---------------------------------------------------------------------------------------
# SMS length


@pytest.mark.parametrize(
    ("length", "segments"), [(0, 0), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3)]
)
def test_sms_segments(length: int, segments: int) -> None:
    assert sms_segments("字" * length) == segments


def test_fit_sms() -> None:
    assert fit_sms("短信", 70) == "短信"
    assert fit_sms("字" * 70, 70) == "字" * 70
    cut = fit_sms("字" * 71, 70)
    assert cut == "字" * 69 + "…" and len(cut) == 70
    assert fit_sms("一二三 四五六", 5) == "一二三…"  # no space before the mark
    assert sms_segments(fit_sms("字" * 500, 201)) == 3
