"""The reminder mail and channel settings shared by the notification channel tests: the
unit tests (tests/unit/notify/test_channels.py) and the ones against real local servers
(tests/integration/test_notify_channels.py)."""

from __future__ import annotations

import email
import email.policy
import re
from email.header import decode_header, make_header
from email.message import EmailMessage

from zwxx.config.settings import SmtpSettings
from zwxx.notify.channels import Attachment, Email

PASSWORD_ENV = "ZWXX_TEST_SMTP_PASSWORD"
PASSWORD = "QWERTYUIOPASDF12"  # a 163 授权码 is 16 ASCII letters and digits
USERNAME = "lcqzwxx@163.com"
SENDER = "莱芜区政府办公室信息科 <lcqzwxx@163.com>"
SUBJECT = "【催报】区发改委11月信息报送提醒"
TEXT = "区发展和改革委员会：\n本月已报送政务信息 3 条，距月度任务 20 条尚差 17 条。"
HTML = "<p>区发展和改革委员会：</p><p>本月已报送政务信息 <b>3</b> 条。</p>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ATTACHMENTS = [
    Attachment("2026年10月政务信息月报.xlsx", b"PK\x03\x04xlsx" + bytes(range(256)), XLSX),
    Attachment(
        "关于2026年第三季度政务信息工作情况的通报.docx", b"PK\x03\x04docx\r\n\x00\xff" * 50, DOCX
    ),
]
SMS_SECRET_ENV = "ZWXX_TEST_SMS_SECRET"
SMS_SECRET = "sk-test-3f9a1c"
SMS_TEXT = "【莱芜区政府办公室】区发改委：11月已报送3条，距任务尚差17条，请抓紧报送。"


def reminder(to: list[str] | None = None) -> Email:
    return Email(
        to=to or ["区发改委信息员 <fgw@laiwu.example.cn>"],
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        attachments=ATTACHMENTS,
    )


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def assert_reminder(data: bytes) -> None:
    """``data`` is the reminder, decoded back exactly."""
    message = parse(data)
    assert message["Subject"] == SUBJECT
    sender = message["From"].addresses[0]
    assert sender.display_name == "莱芜区政府办公室信息科"
    assert sender.addr_spec == USERNAME
    assert message["Date"] is not None
    assert re.fullmatch(r"<[^<>@\s]+@163\.com>", str(message["Message-ID"]))
    assert message.get_content_type() == "multipart/mixed"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == TEXT
    assert html.get_content().replace("\r\n", "\n").rstrip("\n") == HTML
    parts = list(message.iter_attachments())
    assert [part.get_filename() for part in parts] == [a.filename for a in ATTACHMENTS]
    assert [part.get_content_type() for part in parts] == [a.mime for a in ATTACHMENTS]
    assert [part.get_content() for part in parts] == [a.data for a in ATTACHMENTS]
    # The RFC 2047 name= on Content-Type, as old clients read it, decodes to the same name.
    old = email.message_from_bytes(data, policy=email.policy.compat32)
    names = [
        str(make_header(decode_header(part.get_param("name"))))
        for part in old.walk()
        if part.get_param("name")
    ]
    assert names == [a.filename for a in ATTACHMENTS]


def smtp_settings(port: int, security: str, **kwargs: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": security,
        "sender": SENDER,
        "password_env": PASSWORD_ENV,
        "timeout_seconds": 5,
    }
    values.update(kwargs)
    return SmtpSettings(**values)
