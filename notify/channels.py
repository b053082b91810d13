"""The notification channel layer: e-mail over SMTP, SMS through an HTTP gateway, outbox.

One small interface (:class:`Channel`) with three implementations:

``SmtpChannel``
    Sends an :class:`Email` with :mod:`smtplib` (implicit TLS, STARTTLS or plain).
``SmsGateway``
    Sends an :class:`Sms` through an HTTP gateway (the government SMS platform or a cloud
    SMS API) whose request is described by Jinja2 templates in ``[sms]``.
``Outbox``
    Writes either kind to a folder (``.eml`` / ``.sms.txt``) for demos and dry runs.

Every failure is a :class:`SendError` whose ``message`` is a complete Chinese sentence
that can be shown to the clerk as is; it never contains the secret (授权码, token, key).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import smtplib
import socket
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email import base64mime, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from email.utils import quote as _quote
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import jinja2
import jinja2.meta

from zwxx.errors import ZwxxError

if TYPE_CHECKING:
    from zwxx.config.settings import Settings, SmsSettings, SmtpSettings

log = logging.getLogger(__name__)

__all__ = [
    "Attachment",
    "Channel",
    "Email",
    "Message",
    "Outbox",
    "SendError",
    "Sms",
    "SmsGateway",
    "SmtpChannel",
    "build_mime",
    "channels_for",
    "fit_sms",
    "sms_segments",
]

# SMS billing: one message holds 70 characters; a longer text is split into parts of 67.
SMS_SINGLE = 70
SMS_PART = 67
ELLIPSIS = "…"
REFERENCE_CHARS = 200  # a gateway's reference: the start of its response
SHOWN_CHARS = 200  # how much of a server's answer an error message quotes


# ---------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"  # "type/subtype"


@dataclass(frozen=True)
class Email:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str


Message = Email | Sms


class SendError(ZwxxError):
    """A notification could not be sent; ``message`` is Chinese, safe to show, secret-free.

    ``reference`` is set when the message nevertheless went out to some recipients (an
    SMTP server that refused only part of them): retrying would send it twice to those.
    ``unreachable``: the server could not be reached at all (nothing was sent; the other
    messages of this pass would fail the same way). ``uncertain``: the request went out
    but no answer came back, so it may have arrived; it must not be resent blindly.
    """

    def __init__(
        self,
        message: str,
        *,
        reference: str | None = None,
        unreachable: bool = False,
        uncertain: bool = False,
    ) -> None:
        super().__init__(message)
        self.reference = reference
        self.unreachable = unreachable
        self.uncertain = uncertain or reference is not None


@runtime_checkable
class Channel(Protocol):
    """Where a notification goes. ``send`` returns a short reference for the records."""

    via: str  # "smtp" | "gateway" | "outbox"

    def send(self, message: Message) -> str: ...


# ---------------------------------------------------------------------------------------
# SMS length


def sms_segments(text: str) -> int:
    """How many billed messages ``text`` takes: 70 characters in one, else parts of 67."""
    length = len(text)
    if length == 0:
        return 0
    if length <= SMS_SINGLE:
        return 1
    return math.ceil(length / SMS_PART)


def fit_sms(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` characters, ending with "…" when cut."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + ELLIPSIS


# ---------------------------------------------------------------------------------------
# MIME


def _one_line(value: str) -> str:
    return " ".join(value.split())


# An RFC 2047 encoded word holds at most 75 characters; 39 UTF-8 bytes make 64, which keeps
# each folded line of the Content-Type header below 78 characters.
_WORD_BYTES = 39


def _rfc2047_words(value: str) -> list[str]:
    """``value`` as RFC 2047 "B" encoded words, never splitting a character."""
    words: list[str] = []
    chunk = b""
    for char in value:
        encoded = char.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(base64mime.header_encode(chunk, "utf-8"))
            chunk = b""
        chunk += encoded
    if chunk:
        words.append(base64mime.header_encode(chunk, "utf-8"))
    return words


def _quote_param(value: str) -> str:
    return '"' + _quote(value) + '"'


def _name_param(ctype: str, filename: str) -> str:
    """A Content-Type value with ``name=`` as old clients (Outlook, Foxmail) read it: the
    file name in RFC 2047 encoded words inside the quotes (plain when it is ASCII)."""
    if filename.isascii():
        return f"{ctype};\n name={_quote_param(filename)}"
    return f'{ctype};\n name="' + "\n ".join(_rfc2047_words(filename)) + '"'


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2]
    return domain if "@" in address and domain else "zwxx.local"


# Headers the program sets are folded as usual; raw values (the Content-Type above) are
# written exactly as stored.
_WRITE_POLICY = policy.SMTP.clone(refold_source="none")


def _compose(mail: Email, sender: str, now: datetime | None = None) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    if sender:
        msg["From"] = _one_line(sender)
    msg["To"] = ", ".join(_one_line(address) for address in mail.to)
    msg["Subject"] = _one_line(mail.subject)
    msg["Date"] = format_datetime(now or datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=_domain(sender))
    msg["MIME-Version"] = "1.0"
    msg.set_content(mail.text, charset="utf-8", cte="base64")
    if mail.html is not None:
        msg.add_alternative(mail.html, subtype="html", charset="utf-8", cte="base64")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.mime.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        # Content-Disposition: filename*=utf-8''… (RFC 2231), the standard.
        msg.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
        # Content-Type: name="=?utf-8?b?…?=" (RFC 2047), what Outlook, Foxmail and the 163
        # web mail write and older clients read. The header classes of the email package
        # would decode and re-encode it per RFC 2231, so it is stored as the raw value the
        # package's parser would store, and written as is (see _WRITE_POLICY).
        part = list(msg.iter_parts())[-1]  # msg is multipart/mixed once it has an attachment
        ctype = part.get_content_type()
        del part["Content-Type"]
        part.set_raw("Content-Type", _name_param(ctype, _one_line(attachment.filename)))
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    return msg


def build_mime(mail: Email, sender: str) -> bytes:
    """The message as sent: multipart/alternative text + HTML (inside multipart/mixed when
    there are attachments), UTF-8, CRLF line ends, with Date and Message-ID.

    ``sender`` is "显示名 <address>" or an address; an empty sender leaves out From.
    """
    return _compose(mail, sender).as_bytes(policy=_WRITE_POLICY)


# ---------------------------------------------------------------------------------------
# Secrets in messages


def _redact(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    return text


def _shown(text: str) -> str:
    text = _one_line(text)
    if len(text) > SHOWN_CHARS:
        return text[:SHOWN_CHARS] + ELLIPSIS
    return text


def _missing_secret(section: str, settings: SmtpSettings | SmsSettings, what: str) -> str:
    """Which setting to fix when the secret ``what`` (e.g. "SMTP 授权码") is not found."""
    pad = " " if what[:1].isascii() else ""
    if settings.password_file is not None:
        return (
            f"无法读取{pad}{what}：[{section}] password_file 指定的文件 "
            f"{settings.password_file} 不存在、无法读取或为空"
        )
    if not settings.password_env:
        return (
            f"未设置{pad}{what}：请在 [{section}] password_env 中填写保存它的环境变量名，"
            f"或在 [{section}] password_file 中指定保存它的文件"
        )
    return (
        f"未找到{pad}{what}：请设置环境变量 {settings.password_env}"
        f"（或在 [{section}] password_file 中指定保存它的文件）"
    )


# ---------------------------------------------------------------------------------------
# SMTP


def _smtp_reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return _shown(f"{exc.smtp_code} {text}")


class SmtpChannel:
    """E-mail over SMTP: ``ssl`` (implicit TLS, e.g. smtp.163.com:465), ``starttls`` or
    ``none``. Logs in only when ``username`` is set, with the 授权码 from the settings."""

    via = "smtp"

    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context

    @property
    def sender(self) -> str:
        return self.settings.sender or self.settings.username

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def send(self, message: Message) -> str:
        """Send ``message`` (an :class:`Email`); returns its Message-ID."""
        if not isinstance(message, Email):
            raise TypeError(f"SmtpChannel sends Email, not {type(message).__name__}")
        settings = self.settings
        if not settings.host:
            raise SendError(
                "未设置 SMTP 服务器：请在设置文件 [smtp] host 中填写，例如 smtp.163.com"
            )
        sender = self.sender
        envelope_from = parseaddr(sender)[1]
        if not envelope_from or "@" not in envelope_from:
            raise SendError(
                "未设置发件邮箱：请在 [smtp] sender 中填写，例如 "
                "“莱芜区政府办公室信息科 <lcqzwxx@163.com>”，或填写 [smtp] username"
            )
        recipients = _recipients(message.to)
        secret: str | None = None
        if settings.username:
            secret = settings.secret()
            if not secret:
                raise SendError(_missing_secret("smtp", settings, "SMTP 授权码"))
            if not secret.isascii():
                raise SendError(
                    "SMTP 授权码只能由英文字母、数字和符号组成，请检查环境变量 "
                    f"{settings.password_env} 或 [smtp] password_file"
                    "（163 等邮箱须使用客户端授权码，不是登录密码）"
                )
        msg = _compose(message, sender)
        data = msg.as_bytes(policy=_WRITE_POLICY)
        message_id = str(msg["Message-ID"])
        try:
            refused = self._deliver(envelope_from, recipients, data, secret)
        except SendError as exc:
            exc.message = _redact(exc.message, secret)
            exc.args = (exc.message,)
            raise
        if refused:
            shown = "；".join(f"{rcpt}（{_smtp_reply_tuple(reply)}）" for rcpt, reply in refused)
            raise SendError(
                f"SMTP 服务器拒收部分收件人：{_redact(shown, secret)}；其余收件人已发出",
                reference=message_id,
            )
        log.info(
            "smtp: sent %s to %d recipient(s) via %s", message_id, len(recipients), self._where()
        )
        return message_id

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        host, port, timeout = settings.host or "", settings.port, settings.timeout_seconds
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=self._context())
        client = smtplib.SMTP(host, port, timeout=timeout)
        try:
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=self._context())
                client.ehlo()
        except BaseException:
            with contextlib.suppress(Exception):
                client.close()
            raise
        return client

    def _deliver(
        self, envelope_from: str, recipients: list[str], data: bytes, secret: str | None
    ) -> list[tuple[str, tuple[int, bytes]]]:
        settings = self.settings
        where = self._where()
        try:
            client = self._connect()
        except TimeoutError:
            raise SendError(
                f"连接 SMTP 服务器 {where} 超时（{settings.timeout_seconds:g} 秒），"
                "请检查 [smtp] host、port 和网络",
                unreachable=True,
            ) from None
        except ssl.SSLError as exc:
            raise SendError(
                f"与 SMTP 服务器 {where} 建立加密连接失败（{_shown(str(exc))}），"
                "请检查 [smtp] security（465 端口一般用 ssl，587 端口用 starttls，25 端口用 none）",
                unreachable=True,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise SendError(
                f"SMTP 服务器 {where} 不支持 STARTTLS 加密，请检查 [smtp] security 和 port",
                unreachable=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                f"SMTP 服务器 {where} 拒绝连接（{_smtp_reply(exc)}），请稍后再试或检查 [smtp] 设置",
                unreachable=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = _shown(str(exc)) or type(exc).__name__
            raise SendError(
                f"无法连接 SMTP 服务器 {where}（{reason}），"
                "请检查 [smtp] host、port、security 和网络",
                unreachable=True,
            ) from None
        try:
            if settings.username:
                self._login(client, secret or "")
            return list(client.sendmail(envelope_from, recipients, data).items())
        except smtplib.SMTPRecipientsRefused as exc:
            shown = "；".join(
                f"{rcpt}（{_smtp_reply_tuple(reply)}）" for rcpt, reply in exc.recipients.items()
            )
            raise SendError(f"SMTP 服务器拒收收件人：{shown}，请检查收件邮箱地址") from None
        except smtplib.SMTPSenderRefused as exc:
            raise SendError(
                f"SMTP 服务器拒绝发件人 {envelope_from}（{_smtp_reply(exc)}），"
                "请检查 [smtp] sender 是否与登录的邮箱一致；"
                "163 等邮箱还须在网页邮箱设置中开启 SMTP 服务"
            ) from None
        except smtplib.SMTPDataError as exc:
            raise SendError(
                f"SMTP 服务器拒收这封邮件（{_smtp_reply(exc)}），可能是内容或附件被判为垃圾邮件"
                "或超过大小限制"
            ) from None
        except smtplib.SMTPServerDisconnected as exc:
            raise SendError(
                f"SMTP 服务器 {where} 中途断开了连接（{_shown(str(exc))}），"
                "邮件可能已发出也可能没有",
                uncertain=True,
            ) from None
        except TimeoutError:
            raise SendError(
                f"SMTP 服务器 {where} 在 {settings.timeout_seconds:g} 秒内没有响应，"
                "邮件可能已发出也可能没有",
                uncertain=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP 服务器 {where} 返回错误（{_smtp_reply(exc)}）") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(
                f"向 SMTP 服务器 {where} 发送邮件失败（{_shown(str(exc)) or type(exc).__name__}）"
            ) from None
        finally:
            with contextlib.suppress(Exception):
                client.quit()
            with contextlib.suppress(Exception):
                client.close()

    def _login(self, client: smtplib.SMTP, secret: str) -> None:
        settings = self.settings
        try:
            client.login(settings.username, secret)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"SMTP 服务器拒绝登录（{_smtp_reply(exc)}），请检查 [smtp] username 和授权码"
                f"（163 等邮箱须使用客户端授权码，不是登录密码）"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise SendError(
                f"SMTP 服务器 {self._where()} 在当前连接上不允许登录，"
                "请检查 [smtp] security（通常须用 ssl 或 starttls 加密后才能登录）"
            ) from None
        except smtplib.SMTPException as exc:
            if isinstance(exc, smtplib.SMTPServerDisconnected):
                raise
            raise SendError(
                f"SMTP 服务器 {self._where()} 不支持可用的登录方式（{_shown(str(exc))}），"
                "请检查 [smtp] security"
            ) from None


def _smtp_reply_tuple(reply: tuple[int, bytes | str]) -> str:
    code, text = reply
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return _shown(f"{code} {shown}")


def _recipients(to: list[str]) -> list[str]:
    if not to:
        raise SendError("邮件没有收件人，请检查单位名册或 [leaders] emails 中的邮箱")
    addresses: list[str] = []
    for _, address in getaddresses(to):
        if not address or "@" not in address or any(c.isspace() for c in address):
            raise SendError(f"收件邮箱地址无效：“{'、'.join(to)}”，请检查单位名册或设置中的邮箱")
        addresses.append(address)
    return addresses


# ---------------------------------------------------------------------------------------
# SMS gateway


def _decode_body(raw: bytes, charset: str | None) -> str:
    for candidate in (charset, "utf-8", "gb18030"):
        if not candidate:
            continue
        try:
            return raw.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


class SmsGateway:
    """SMS through an HTTP gateway described by ``[sms]``: ``url``, ``method``, ``headers``
    and ``body_template`` (Jinja2 with ``phone``, ``text``, ``secret``; ``tojson`` and
    ``urlencode`` filters). For POST the rendered body is the request body; for GET it is
    the query string. Success is a 2xx status and, if set, ``success`` found in the reply.
    Texts longer than ``max_chars`` are cut (see :func:`fit_sms`)."""

    via = "gateway"

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self._env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)

    def _render(self, setting: str, source: str, values: dict[str, object]) -> str:
        try:
            return self._env.from_string(source).render(values)
        except jinja2.TemplateError as exc:
            secret = values.get("secret")
            reason = _redact(str(exc), secret if isinstance(secret, str) else None)
            raise SendError(
                f"短信平台设置有误：[sms] {setting} 模板无法使用（{_shown(reason)}），"
                "可用的变量只有 phone、text、secret"
            ) from None

    def _uses_secret(self) -> bool:
        sources = [("body_template", self.settings.body_template)]
        sources += [(f"headers.{name}", value) for name, value in self.settings.headers.items()]
        for setting, source in sources:
            try:
                names = jinja2.meta.find_undeclared_variables(self._env.parse(source))
            except jinja2.TemplateSyntaxError as exc:
                raise SendError(
                    f"短信平台设置有误：[sms] {setting} 模板语法错误"
                    f"（第 {exc.lineno} 行：{exc.message}）"
                ) from None
            if "secret" in names:
                return True
        return False

    def request(self, message: Sms) -> urllib.request.Request:
        """The HTTP request that sends ``message`` (rendered, not sent)."""
        settings = self.settings
        if not settings.url:
            raise SendError("未设置短信平台地址：请在设置文件 [sms] url 中填写")
        phone = message.phone.strip()
        if not phone:
            raise SendError("短信收件号码为空，请检查单位名册中的手机号码")
        secret = ""
        if self._uses_secret():
            secret = settings.secret() or ""
            if not secret:
                raise SendError(_missing_secret("sms", settings, "短信平台密钥"))
        values: dict[str, object] = {
            "phone": phone,
            "text": fit_sms(message.text, settings.max_chars),
            "secret": secret,
        }
        headers = {
            name: self._render(f"headers.{name}", value, values)
            for name, value in settings.headers.items()
        }
        body = self._render("body_template", settings.body_template, values)
        url = settings.url
        if settings.method == "GET":
            query = body.strip()
            if query:
                url += ("&" if "?" in url else "?") + query.lstrip("?&")
            return urllib.request.Request(url, headers=headers, method="GET")
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = (
                "application/json; charset=utf-8"
                if body.lstrip().startswith("{")
                else "application/x-www-form-urlencoded; charset=utf-8"
            )
        return urllib.request.Request(
            url, data=body.encode("utf-8"), headers=headers, method="POST"
        )

    def send(self, message: Message) -> str:
        """Send ``message`` (an :class:`Sms`); returns the first 200 characters of the reply."""
        if not isinstance(message, Sms):
            raise TypeError(f"SmsGateway sends Sms, not {type(message).__name__}")
        settings = self.settings
        request = self.request(message)
        secret = settings.secret()
        host = urllib.parse.urlsplit(request.full_url).netloc
        try:
            with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:
                status = response.status
                body = _decode_body(response.read(), response.headers.get_content_charset())
        except urllib.error.HTTPError as exc:
            raw = b""
            with contextlib.suppress(Exception):
                raw = exc.read()
            body = _decode_body(raw, exc.headers.get_content_charset() if exc.headers else None)
            shown = _shown(_redact(body, secret)) or "（无内容）"
            raise SendError(f"短信平台 {host} 返回错误 HTTP {exc.code}：{shown}") from None
        except TimeoutError:  # the request was sent; the answer did not come
            raise SendError(
                f"短信平台 {host} 在 {settings.timeout_seconds:g} 秒内没有答复，"
                "短信可能已发出也可能没有",
                uncertain=True,
            ) from None
        except urllib.error.URLError as exc:  # could not connect: nothing was sent
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise SendError(
                    f"连接短信平台 {host} 超时（{settings.timeout_seconds:g} 秒），"
                    "请检查 [sms] url 和网络",
                    unreachable=True,
                ) from None
            raise SendError(
                f"无法连接短信平台 {host}（{_shown(_redact(str(reason), secret))}），"
                "请检查 [sms] url 和网络",
                unreachable=True,
            ) from None
        except (OSError, ValueError) as exc:
            raise SendError(
                f"向短信平台 {host} 发送失败（{_shown(_redact(str(exc), secret))}），"
                "请检查 [sms] url 和网络"
            ) from None
        shown = _shown(_redact(body, secret)) or "（无内容）"
        if not 200 <= status < 300:
            raise SendError(f"短信平台 {host} 返回 HTTP {status}：{shown}")
        if settings.success and not re.search(settings.success, body):
            raise SendError(
                f"短信平台 {host} 未确认发送成功（HTTP {status}，回复中没有 [sms] success "
                f"规定的内容 {settings.success}）：{shown}"
            )
        log.info("sms: sent %d segment(s) via %s", sms_segments(message.text), host)
        reference = _redact(body.strip(), secret)[:REFERENCE_CHARS]
        return reference or f"HTTP {status}"


# ---------------------------------------------------------------------------------------
# Outbox


_UNSAFE = re.compile(r"[^0-9A-Za-z@._+-]+")


def _safe(value: str, limit: int = 60) -> str:
    return _UNSAFE.sub("_", value).strip("._")[:limit] or "unknown"


class Outbox:
    """Writes notifications to a folder instead of sending them (demos, dry runs, and when
    no SMTP server or SMS gateway is set).

    ``<YYYYmmdd-HHMMSS>-<n>-<recipient>.eml``: the exact bytes :func:`build_mime` makes;
    ``<YYYYmmdd-HHMMSS>-<n>-<phone>.sms.txt``: 收件号码, 计费条数 and 短信内容.
    Writes are atomic and never replace an existing file.
    """

    via = "outbox"

    def __init__(
        self,
        path: Path,
        *,
        sender: str = "",
        sms_max_chars: int | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        self.path = Path(path)
        self.sender = sender
        self.sms_max_chars = sms_max_chars
        self.tz = tz

    def send(self, message: Message) -> str:
        """Write ``message``; returns the path of the file written."""
        if isinstance(message, Email):
            data = build_mime(message, self.sender)
            first = parseaddr(message.to[0])[1] if message.to else ""
            name = _safe(first) + (f"+{len(message.to) - 1}" if len(message.to) > 1 else "")
            suffix = ".eml"
        elif isinstance(message, Sms):
            text = message.text
            if self.sms_max_chars is not None:
                text = fit_sms(text, self.sms_max_chars)
            data = (
                f"收件号码：{message.phone}\n计费条数：{sms_segments(text)}\n短信内容：{text}\n"
            ).encode()
            name, suffix = _safe(message.phone), ".sms.txt"
        else:
            raise TypeError(f"Outbox writes Email or Sms, not {type(message).__name__}")
        try:
            written = self._write(name, suffix, data)
        except OSError as exc:
            raise SendError(
                f"无法写入发件箱文件夹 {self.path}（{exc.strerror or exc}），请检查 [outbox] path"
            ) from None
        log.info("outbox: wrote %s", written.name)
        return str(written)

    def _write(self, name: str, suffix: str, data: bytes) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(self.tz).strftime("%Y%m%d-%H%M%S")
        fd, temp = tempfile.mkstemp(dir=self.path, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            number = 1
            while True:
                target = self.path / f"{stamp}-{number}-{name}{suffix}"
                if _place(Path(temp), target):
                    return target
                number += 1
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)


def _place(temp: Path, target: Path) -> bool:
    """Move ``temp`` to ``target`` atomically unless ``target`` exists; False if it does."""
    try:
        os.link(temp, target)  # atomic and fails when the target exists
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: check, then rename
        if target.exists():
            return False
        os.replace(temp, target)
        return True


# ---------------------------------------------------------------------------------------
# Choosing


def channels_for(settings: Settings, dry_run: bool = False) -> tuple[Channel, Channel]:
    """(e-mail channel, SMS channel): SMTP and the gateway when configured, else the
    outbox folder; with ``dry_run`` always the outbox."""
    outbox = Outbox(
        settings.outbox.path,
        sender=settings.smtp.sender or settings.smtp.username,
        sms_max_chars=settings.sms.max_chars,
        tz=settings.tz,
    )
    if dry_run:
        return outbox, outbox
    email: Channel = SmtpChannel(settings.smtp) if settings.smtp.host else outbox
    sms: Channel = SmsGateway(settings.sms) if settings.sms.url else outbox
    return email, sms
