"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, in a thread of the test process.

:func:`smtp_server` starts an aiosmtpd ``Controller`` on a free port with a handler that
keeps every envelope; security ``"none"``, ``"starttls"`` or ``"ssl"`` (implicit TLS) with a
self-signed certificate made by :func:`make_certificate`, and AUTH LOGIN/PLAIN checked
against a username and a password when ``username`` is given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate (and checks the host name)."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for ``localhost`` and ``127.0.0.1``, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_path, key_path)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # the message as received
    login: str | None  # the authenticated username, if any


@dataclass
class StoringHandler:
    """Keeps every message; refuses the recipients in ``refuse`` with 550."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        login = session.auth_data.login.decode() if session.authenticated else None
        data = envelope.original_content or b""
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(data), login)
        )
        return "250 Message accepted for delivery"


class PasswordAuthenticator:
    """Accepts one username and password (AUTH LOGIN and PLAIN)."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.attempts = 0

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.attempts += 1
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd answers "535 5.7.8 Authentication credentials invalid".
        return AuthResult(success=False, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: StoringHandler
    certificate: Certificate | None
    authenticator: PasswordAuthenticator | None


@contextlib.contextmanager
def smtp_server(
    security: Literal["none", "starttls", "ssl"] = "none",
    *,
    folder: Path | None = None,
    username: str | None = None,
    password: str | None = None,
    refuse: set[str] | None = None,
) -> Iterator[SmtpServer]:
    """Run an aiosmtpd server for the ``with`` block.

    ``folder`` holds the certificate (needed for ``starttls`` and ``ssl``). With
    ``username``, AUTH is offered and checked: on a STARTTLS server only after STARTTLS, on
    an implicit-TLS or plain server at once.
    """
    handler = StoringHandler(refuse={address.lower() for address in refuse or set()})
    certificate = make_certificate(folder) if security != "none" and folder else None
    if security != "none" and certificate is None:
        raise ValueError("a TLS server needs a folder for its certificate")
    kwargs: dict[str, Any] = {}
    authenticator = None
    if username is not None:
        authenticator = PasswordAuthenticator(username, password or "")
        kwargs["authenticator"] = authenticator
        # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is encrypted all along.
        kwargs["auth_require_tls"] = security == "starttls"
    if security == "starttls" and certificate:
        kwargs["tls_context"] = certificate.server_context()
        kwargs["require_starttls"] = True
    if security == "ssl" and certificate:
        kwargs["ssl_context"] = certificate.server_context()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler, certificate, authenticator)
    finally:
        controller.stop()
