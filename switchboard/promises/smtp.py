"""Sending mail: the standard library's SMTP client, run off the event loop."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout_s: float = 10.0


class SmtpMailer:
    """One connection per message: mail is rare here, and a stale connection never lingers."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def _send(self, msg: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password)
            smtp.send_message(msg)

    async def send(self, msg: EmailMessage) -> None:
        """Raises OSError / smtplib.SMTPException when the server does not take it."""
        await asyncio.to_thread(self._send, msg)
