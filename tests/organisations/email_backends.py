"""Email backends for reminder tests: one that fails for chosen addresses (a mail server
refusing or down), one that waits so two runs overlap."""

import threading

from django.core.mail.backends import locmem

FAIL_FOR: set[str] = set()
FAIL_ALL = "*"


class FlakyEmailBackend(locmem.EmailBackend):
    """Like locmem (mail.outbox), but raises for any message to an address in FAIL_FOR
    (or for every message when FAIL_FOR holds '*')."""

    def send_messages(self, messages):
        for message in messages:
            if FAIL_ALL in FAIL_FOR or FAIL_FOR & set(message.to):
                raise ConnectionRefusedError("the mail server is down")
        return super().send_messages(messages)


SENDING = threading.Event()
RELEASE = threading.Event()


class SlowEmailBackend(locmem.EmailBackend):
    """Signals SENDING, then waits for RELEASE before 'sending' (so a second run starts
    while the first one is sending)."""

    def send_messages(self, messages):
        SENDING.set()
        RELEASE.wait(timeout=10)
        return super().send_messages(messages)


REFUSAL: list[Exception] = []
REFUSE_TO: set[str] = set()


class RefusingEmailBackend(locmem.EmailBackend):
    """Like locmem, but raises the exception in REFUSAL (a server's reply to one message:
    a temporary or a permanent refusal) while REFUSAL holds one: for messages to the
    addresses in REFUSE_TO, or for every message when REFUSE_TO is empty."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSAL and (not REFUSE_TO or REFUSE_TO & set(message.to)):
                raise REFUSAL[0]
        return super().send_messages(messages)


def overlapping_runs(run, *, settings, pause: float = 0.0) -> None:
    """Two runs of `run` in threads that overlap: the second starts while the first is
    sending its first email (SlowEmailBackend), and both finish. `pause`: how long the
    first waits after the second started. Each thread closes its database connection."""
    import time

    from django.db import connections

    settings.EMAIL_BACKEND = "tests.organisations.email_backends.SlowEmailBackend"
    SENDING.clear()
    RELEASE.clear()

    def in_thread():
        try:
            run()
        finally:
            connections.close_all()

    first = threading.Thread(target=in_thread)
    first.start()
    assert SENDING.wait(timeout=10)
    second = threading.Thread(target=in_thread)
    second.start()
    time.sleep(pause)
    RELEASE.set()
    first.join()
    second.join()
