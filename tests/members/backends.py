"""A real email backend for tests: it refuses chosen addresses, as an SMTP server
does for an unknown mailbox, and delivers everything else to mail.outbox."""

from __future__ import annotations

import smtplib
from typing import ClassVar

from django.core.mail.backends import locmem


class RefusingEmailBackend(locmem.EmailBackend):
    refused: ClassVar[set[str]] = set()

    def send_messages(self, messages):
        for message in messages:
            refused = {
                address: (550, b"5.1.1 Mailbox unavailable")
                for address in message.recipients()
                if address in self.refused
            }
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
