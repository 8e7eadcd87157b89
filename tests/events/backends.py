"""A real email backend for tests that dies while handing over the Nth message, as a
worker does when the machine is restarted in the middle of a batch."""

from __future__ import annotations

from typing import ClassVar

from django.core.mail.backends import locmem


class WorkerKilled(BaseException):
    """Not an Exception: like SystemExit, code that catches errors does not catch it."""


class CrashingEmailBackend(locmem.EmailBackend):
    crash_on_message: ClassVar[int | None] = None
    handed_over: ClassVar[int] = 0

    def send_messages(self, messages):
        for _message in messages:
            if self.crash_on_message is not None:
                type(self).handed_over += 1
                if self.handed_over >= self.crash_on_message:
                    type(self).crash_on_message = None  # the next run works again
                    type(self).handed_over = 0
                    raise WorkerKilled("worker killed")
        return super().send_messages(messages)
