"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): it accepts, refuses some
recipients, drops the connection after a number of messages, or is not there at all.

Tests read what the server received (`server.received`), never a mock."""

from __future__ import annotations

import email
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        drop_after = self.server.drop_after
        if drop_after is not None and len(self.server.received) >= drop_after:
            # The connection goes away mid-batch, without an answer.
            server.transport.close()
            return "421 4.3.2 Going away"
        message = email.message_from_bytes(envelope.content)
        for recipient in envelope.rcpt_tos:
            self.server.received.append((recipient, message))
        return "250 Message accepted"


class SMTPServer:
    """Start, stop and start again on the same port (an outage, then recovery)."""

    def __init__(self):
        self.port = _free_port()
        self.received: list[tuple[str, Message]] = []
        self.refused: set[str] = set()
        self.drop_after: int | None = None
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, *addresses: str) -> None:
        self.refused |= {a.lower() for a in addresses}

    def recipients(self) -> list[str]:
        return [recipient for recipient, _message in self.received]

    def subjects_to(self, address: str) -> list[str]:
        """The subjects this address received, decoded (accents included)."""
        from email.header import decode_header, make_header

        return [
            str(make_header(decode_header(m["Subject"]))) for r, m in self.received if r == address
        ]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server the site sends through (EMAIL_BACKEND = SMTP)."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
