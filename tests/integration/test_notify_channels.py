"""The notification channels against real local servers: aiosmtpd and an HTTP server.
What needs no server (the MIME built, the outbox, choosing channels, SMS length) is in
tests/unit/notify/test_channels.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.servers.http import Reply, http_server
from tests.servers.smtp import free_port, smtp_server
from tests.unit.notify.helpers import (
    PASSWORD,
    PASSWORD_ENV,
    SMS_SECRET,
    SMS_SECRET_ENV,
    SMS_TEXT,
    USERNAME,
    assert_reminder,
    parse,
    reminder,
    smtp_settings,
)
from zwxx.config.settings import SmsSettings
from zwxx.notify.channels import SendError, Sms, SmsGateway, SmtpChannel


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to the local servers must not go through a proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)


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
