"""The notification channels against real local servers: aiosmtpd and an HTTP server."""

from __future__ import annotations

import email
import email.policy
import json
import re
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.servers.http import Reply, http_server
from tests.servers.smtp import free_port, smtp_server
from zwxx.config.settings import Settings, SmsSettings, SmtpSettings
from zwxx.notify.channels import (
    Attachment,
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


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to the local servers must not go through a proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)


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
# SMTP against aiosmtpd


def test_smtp_plain_delivers_the_message() -> None:
    with smtp_server("none") as server:
        channel = SmtpChannel(smtp_settings(server.port, "none"))
        reference = channel.send(reminder())
    assert channel.via == "smtp"
    [received] = server.handler.received
    assert received.mail_from == USERNAME
    assert received.rcpt_tos == ["fgw@laiwu.example.cn"]
    assert received.login is None
    message = parse(received.data)
    assert reference == str(message["Message-ID"])
    assert_reminder(received.data)


def test_smtp_plain_with_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with smtp_server("none", username=USERNAME, password=PASSWORD) as server:
        channel = SmtpChannel(smtp_settings(server.port, "none", username=USERNAME))
        channel.send(reminder(["a@example.cn", "b@example.cn"]))
    [received] = server.handler.received
    assert received.login == USERNAME
    assert received.rcpt_tos == ["a@example.cn", "b@example.cn"]
    assert_reminder(received.data)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_smtp_tls_with_auth(security: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with smtp_server(security, folder=tmp_path, username=USERNAME, password=PASSWORD) as server:
        assert server.certificate is not None
        channel = SmtpChannel(
            smtp_settings(server.port, security, username=USERNAME),
            ssl_context=server.certificate.client_context(),
        )
        reference = channel.send(reminder())
    [received] = server.handler.received
    assert received.login == USERNAME
    message = parse(received.data)
    assert reference == str(message["Message-ID"])
    assert_reminder(received.data)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_smtp_untrusted_certificate(
    security: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with smtp_server(security, folder=tmp_path, username=USERNAME, password=PASSWORD) as server:
        channel = SmtpChannel(smtp_settings(server.port, security, username=USERNAME))
        with pytest.raises(SendError, match="加密连接失败") as caught:
            channel.send(reminder())
    assert server.handler.received == []
    assert "[smtp] security" in caught.value.message


def test_smtp_wrong_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "WRONGWRONGWRONG1")
    with smtp_server("ssl", folder=tmp_path, username=USERNAME, password=PASSWORD) as server:
        assert server.certificate is not None
        channel = SmtpChannel(
            smtp_settings(server.port, "ssl", username=USERNAME),
            ssl_context=server.certificate.client_context(),
        )
        with pytest.raises(SendError) as caught:
            channel.send(reminder())
    message = caught.value.message
    assert message.startswith("SMTP 服务器拒绝登录（535")
    assert "[smtp] username" in message and "授权码" in message
    assert "WRONGWRONGWRONG1" not in message and PASSWORD not in message
    assert server.handler.received == []


def test_smtp_missing_secret_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with smtp_server("none", username=USERNAME, password=PASSWORD) as server:
        channel = SmtpChannel(smtp_settings(server.port, "none", username=USERNAME))
        with pytest.raises(SendError, match=f"请设置环境变量 {PASSWORD_ENV}"):
            channel.send(reminder())
    assert server.authenticator is not None and server.authenticator.attempts == 0


def test_smtp_non_ascii_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "我的登录密码")
    with smtp_server("none", username=USERNAME, password=PASSWORD) as server:
        channel = SmtpChannel(smtp_settings(server.port, "none", username=USERNAME))
        with pytest.raises(SendError, match="授权码只能由英文字母") as caught:
            channel.send(reminder())
    assert "我的登录密码" not in caught.value.message
    assert server.handler.received == []


def test_smtp_login_refused_on_plain_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A STARTTLS server offers no AUTH before TLS: security = "none" is a settings error."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with smtp_server("starttls", folder=tmp_path, username=USERNAME, password=PASSWORD) as srv:
        channel = SmtpChannel(smtp_settings(srv.port, "none", username=USERNAME))
        with pytest.raises(SendError, match=r"\[smtp\] security"):
            channel.send(reminder())
    assert srv.handler.received == []


def test_smtp_ssl_against_a_plain_server() -> None:
    with smtp_server("none") as server:
        channel = SmtpChannel(smtp_settings(server.port, "ssl"))
        with pytest.raises(SendError, match="加密连接失败"):
            channel.send(reminder())


def test_smtp_server_down() -> None:
    port = free_port()
    channel = SmtpChannel(smtp_settings(port, "none"))
    with pytest.raises(SendError) as caught:
        channel.send(reminder())
    assert caught.value.message.startswith(f"无法连接 SMTP 服务器 127.0.0.1:{port}")
    assert "[smtp] host" in caught.value.message


def test_smtp_recipient_refused() -> None:
    with smtp_server("none", refuse={"nobody@example.cn"}) as server:
        channel = SmtpChannel(smtp_settings(server.port, "none"))
        with pytest.raises(SendError) as caught:
            channel.send(reminder(["nobody@example.cn"]))
    assert caught.value.message.startswith("SMTP 服务器拒收收件人：nobody@example.cn（550")
    assert caught.value.reference is None
    assert server.handler.received == []


def test_smtp_some_recipients_refused() -> None:
    with smtp_server("none", refuse={"nobody@example.cn"}) as server:
        channel = SmtpChannel(smtp_settings(server.port, "none"))
        with pytest.raises(SendError, match="其余收件人已发出") as caught:
            channel.send(reminder(["nobody@example.cn", "fgw@example.cn"]))
    [received] = server.handler.received
    assert received.rcpt_tos == ["fgw@example.cn"]
    assert caught.value.reference == str(parse(received.data)["Message-ID"])


def test_smtp_rejects_bad_addresses_before_connecting() -> None:
    channel = SmtpChannel(smtp_settings(free_port(), "none"))
    with pytest.raises(SendError, match="没有收件人"):
        channel.send(Email(to=[], subject="s", text="t"))
    with pytest.raises(SendError, match="收件邮箱地址无效"):
        channel.send(Email(to=["区发改委"], subject="s", text="t"))


# ---------------------------------------------------------------------------------------
# SMS gateway against a local HTTP server


def gateway_settings(url: str, **kwargs: object) -> SmsSettings:
    values: dict[str, object] = {
        "url": url,
        "password_env": SMS_SECRET_ENV,
        "headers": {"Authorization": "Bearer {{ secret }}"},
        "success": r'"code":\s*0\b',
        "timeout_seconds": 5,
    }
    values.update(kwargs)
    return SmsSettings(**values)


@pytest.fixture
def sms_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SMS_SECRET_ENV, SMS_SECRET)
    return SMS_SECRET


def test_gateway_post_json(sms_secret: str) -> None:
    with http_server(Reply(body='{"code": 0, "msg": "提交成功", "id": "A1"}')) as server:
        gateway = SmsGateway(gateway_settings(server.url + "api/sms/send?v=2"))
        reference = gateway.send(Sms("13800000001", SMS_TEXT))
    assert gateway.via == "gateway"
    assert reference == '{"code": 0, "msg": "提交成功", "id": "A1"}'
    [request] = server.requests
    assert request.method == "POST"
    assert request.path == "/api/sms/send"
    assert request.query == {"v": ["2"]}
    assert request.headers["authorization"] == f"Bearer {sms_secret}"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(request.body) == {"mobile": "13800000001", "content": SMS_TEXT}


def test_gateway_post_form_with_own_headers(sms_secret: str) -> None:
    template = "mobile={{ phone }}&content={{ text | urlencode }}&sign={{ secret }}"
    with http_server(Reply(body="OK:1")) as server:
        settings = gateway_settings(
            server.url + "send",
            headers={"X-Api-Key": "{{ secret }}", "X-Phone": "{{ phone }}"},
            body_template=template,
            success="^OK",
        )
        assert SmsGateway(settings).send(Sms("13800000002", SMS_TEXT)) == "OK:1"
    [request] = server.requests
    assert request.headers["x-api-key"] == sms_secret
    assert request.headers["x-phone"] == "13800000002"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    from urllib.parse import parse_qs

    assert parse_qs(request.body.decode()) == {
        "mobile": ["13800000002"],
        "content": [SMS_TEXT],
        "sign": [sms_secret],
    }


def test_gateway_get_query_string(sms_secret: str) -> None:
    template = "mobile={{ phone }}&content={{ text | urlencode }}&key={{ secret }}"
    with http_server() as server:
        settings = gateway_settings(
            server.url + "sms", method="GET", headers={}, body_template=template
        )
        SmsGateway(settings).send(Sms("13800000003", SMS_TEXT))
    [request] = server.requests
    assert request.method == "GET"
    assert request.path == "/sms"
    assert request.body == b""
    assert request.query == {
        "mobile": ["13800000003"],
        "content": [SMS_TEXT],
        "key": [sms_secret],
    }


def test_gateway_cuts_long_texts(sms_secret: str) -> None:
    long_text = "政务信息" * 100
    with http_server() as server:
        SmsGateway(gateway_settings(server.url, max_chars=134)).send(Sms("13800000004", long_text))
    sent = json.loads(server.requests[0].body)["content"]
    assert len(sent) == 134 and sent.endswith("…")
    assert long_text.startswith(sent[:-1])


def test_gateway_http_error(sms_secret: str) -> None:
    reply = Reply(status=500, body=f"Internal error: token {SMS_SECRET} rejected")
    with http_server(reply) as server, pytest.raises(SendError) as caught:
        SmsGateway(gateway_settings(server.url)).send(Sms("13800000005", SMS_TEXT))
    message = caught.value.message
    assert "HTTP 500" in message and "Internal error: token" in message
    assert SMS_SECRET not in message and "***" in message


def test_gateway_success_pattern_not_found(sms_secret: str) -> None:
    reply = Reply(body='{"code": 1001, "msg": "签名未报备"}')
    with http_server(reply) as server, pytest.raises(SendError) as caught:
        SmsGateway(gateway_settings(server.url)).send(Sms("13800000006", SMS_TEXT))
    message = caught.value.message
    assert "未确认发送成功" in message and "HTTP 200" in message
    assert "签名未报备" in message and "[sms] success" in message


def test_gateway_slow_server(sms_secret: str) -> None:
    with http_server(Reply(delay=2.0)) as server:
        settings = gateway_settings(server.url, timeout_seconds=0.5)
        with pytest.raises(SendError, match=r"0\.5 秒内没有答复，短信可能已发出") as caught:
            SmsGateway(settings).send(Sms("13800000007", SMS_TEXT))
    assert caught.value.uncertain and not caught.value.unreachable  # it reached the gateway
    assert len(server.requests) == 1


def test_gateway_down(sms_secret: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/sms"
    with pytest.raises(SendError, match=r"无法连接短信平台 .*\[sms\] url") as caught:
        SmsGateway(gateway_settings(url)).send(Sms("13800000008", SMS_TEXT))
    assert caught.value.unreachable and not caught.value.uncertain  # nothing was sent


def test_gateway_template_errors(sms_secret: str) -> None:
    with http_server() as server:
        bad_body = gateway_settings(server.url, body_template='{"m": "{{ mobile }}"}')
        with pytest.raises(SendError, match=r"\[sms\] body_template 模板无法使用"):
            SmsGateway(bad_body).send(Sms("13800000009", SMS_TEXT))
        # A syntax error is refused when the settings are read, before anything is sent.
        with pytest.raises(ValidationError, match="模板语法错误"):
            gateway_settings(server.url, headers={"Authorization": "Bearer {{ secret"})
    assert server.requests == []


def test_gateway_missing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SMS_SECRET_ENV, raising=False)
    with http_server() as server:
        with pytest.raises(SendError, match=f"请设置环境变量 {SMS_SECRET_ENV}"):
            SmsGateway(gateway_settings(server.url)).send(Sms("13800000010", SMS_TEXT))
        # A gateway that needs no secret works without one.
        SmsGateway(gateway_settings(server.url, headers={})).send(Sms("13800000010", "测试"))
    assert len(server.requests) == 1


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
