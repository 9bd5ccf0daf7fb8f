"""Alert e-mails go to a real aiosmtpd server over STARTTLS with a self-signed certificate."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipeline.alerting.email import EmailAlertHandler, SmtpConfig
from pipeline.alerting.manager import AlertManager
from pipeline.alerting.model import Alert
from tests.gateway.harness import free_port


class _Inbox:
    """Keeps what the SMTP server received, and whether the session was upgraded."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, bool]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.content, session.ssl is not None))
        return "250 OK"


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[_Inbox, SmtpConfig]]:
    """An SMTP server on loopback requiring STARTTLS, and a config that trusts its certificate."""
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = _Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    config = SmtpConfig("127.0.0.1", port, "phishx@test", ("soc@test",), ca_file=cert, timeout=10)
    yield inbox, config
    controller.stop()


def test_alert_email_arrives_over_starttls(
    smtp: tuple[_Inbox, SmtpConfig], nlp_alert: Alert
) -> None:
    """The e-mail arrives on an upgraded session with the severity in the subject."""
    inbox, config = smtp
    manager = AlertManager(sleep=lambda _: None)
    manager.register_handler(EmailAlertHandler(config))

    manager.send_alert(nlp_alert)

    content, upgraded = inbox.messages[0]
    message = message_from_bytes(content)
    assert upgraded
    assert message["Subject"] == "[PhishX CRITICAL] NLP Service Availability"
    assert b"Source: INTEGRATION" in content
