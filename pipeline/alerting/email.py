"""Alerts by e-mail over SMTP, upgraded with STARTTLS before any credentials or content."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from pipeline.alerting.model import Alert
from pipeline.errors import PermanentError, ServiceTimeoutError, ServiceUnavailableError


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send; ``ca_file`` trusts a private CA (tests, internal relays)."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    ca_file: Path | None = None
    timeout: float = 10.0


def alert_email(alert: Alert, config: SmtpConfig, *, resolved: bool) -> EmailMessage:
    """The message: the shared text layout, with a subject that sorts by severity."""
    message = EmailMessage()
    state = "RESOLVED" if resolved else alert.severity.value
    message["Subject"] = f"[PhishX {state}] {alert.title}"
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    lines = [f"RESOLVED - {alert.title}", alert.message] if resolved else alert.lines()
    message.set_content("\n".join(lines) + "\n")
    return message


class EmailAlertHandler:
    """Sends each alert as one e-mail to the configured recipients.

    Note:
        With ``starttls`` on, a server that does not offer STARTTLS is refused
        (PermanentError): alerts are never sent, nor credentials given, in clear.
    """

    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, alert: Alert) -> None:
        """Mail the alert."""
        self._deliver(alert_email(alert, self.config, resolved=False))

    def resolve(self, alert: Alert) -> None:
        """Mail that the alert cleared."""
        self._deliver(alert_email(alert, self.config, resolved=True))

    def _deliver(self, message: EmailMessage) -> None:
        config = self.config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
                if config.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=config.ca_file))
                if config.username and config.password:
                    smtp.login(config.username, config.password)
                smtp.send_message(message)
        except smtplib.SMTPNotSupportedError as error:
            raise PermanentError("the SMTP server offers no STARTTLS") from error
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused) as error:
            raise PermanentError(f"SMTP refused: {type(error).__name__}") from error
        except TimeoutError as error:
            raise ServiceTimeoutError("the SMTP server did not answer in time") from error
        except (smtplib.SMTPException, OSError) as error:
            raise ServiceUnavailableError(f"SMTP failed: {type(error).__name__}") from error
