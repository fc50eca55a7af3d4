"""Outgoing email: built one way (`compose`: in the recipient's language, from a template
set), sent at once, or kept when the mail server did not take it and sent again later (the
queue, `QueuedEmail`). Emails that go once per item and period (reminders, the completion
email) go through `send_once`, which records them in THE ledger, `SentEmail`."""

import contextlib
import datetime
import logging
import smtplib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .models import QueuedEmail, SentEmail

logger = logging.getLogger(__name__)

# Minutes to wait after the first, second, ... failed attempt; then every hour.
RETRY_DELAYS_MINUTES = (1, 5, 15, 30)
RETRY_DELAY_LIMIT = datetime.timedelta(hours=1)


def compose(
    *, to: str, language: str | None, template: str, context: dict
) -> EmailMultiAlternatives:
    """THE way an email is built: `<template>_subject.txt`, `<template>_message.txt` and, when
    it exists, `<template>_message.html`, rendered in the recipient's language (the site's
    when they have none); the subject on one line, after ACCOUNT_EMAIL_SUBJECT_PREFIX."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}_message.txt", context)
        try:
            html = get_template(f"{template}_message.html").render(context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), text, to=[to]
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


def send_or_queue(message: EmailMessage, *, kind: str, key: str | None = None) -> bool:
    """Send one email now; when the mail server fails, keep it for `send_queued_emails`
    instead of raising, so nothing is lost and the caller goes on. True: sent now; False:
    queued. An email with the same key still waiting (default: same kind and address) is
    replaced, or dropped when this one goes out, so an outage never makes two of it.

    Only messages of text and HTML alternatives are kept (all of ours): an attachment
    would not survive the queue, so such a message raises as before."""
    key = key or f"{kind}:{_address_of(message)}"
    try:
        message.send()
    except Exception as error:
        if message.attachments:
            raise
        _queue(message, kind=kind, key=key, error=error)
        return False
    forget_queued_email(key=key)
    return True


@dataclass
class MailConnection:
    """One connection to the mail server for a batch of emails (SMTP would otherwise
    connect for each), remembering when the server proved unreachable, so the rest of the
    batch is queued without waiting for a timeout per email."""

    connection: object
    unreachable: Exception | None = None

    def failed(self, error: Exception) -> None:
        if _server_unreachable(error):
            self.unreachable = error
        # A broken connection is opened again for the next email.
        with contextlib.suppress(Exception):
            self.connection.close()


@contextlib.contextmanager
def mail_connection() -> Iterator[MailConnection]:
    """THE shared connection for a batch (`send_or_queue_each`, `send_once`); opened on
    the first email and closed at the end, whatever happened."""
    mail = MailConnection(get_connection())
    try:
        yield mail
    finally:
        try:
            mail.connection.close()
        except Exception:
            logger.warning("Closing the mail connection failed", exc_info=True)


def send_or_queue_each(messages: list[tuple[EmailMessage, str]], *, kind: str) -> int:
    """`send_or_queue` for several emails (each with its key) over one connection; returns
    how many were sent now. Once the server proves unreachable the rest are queued without
    trying, so a large batch during an outage does not wait for a timeout per email."""
    sent = 0
    with mail_connection() as mail:
        for message, key in messages:
            message.connection = mail.connection
            if mail.unreachable is not None:
                _queue(message, kind=kind, key=key, error=mail.unreachable)
                continue
            try:
                message.send()
            except Exception as error:
                _queue(message, kind=kind, key=key, error=error)
                mail.failed(error)
                continue
            forget_queued_email(key=key)
            sent += 1
    return sent


class Sent(StrEnum):
    SENT = "sent"  # the mail server took it
    QUEUED = "queued"  # recorded and queued: `send_queued_emails` sends it
    ALREADY = "already"  # recorded before (earlier, or by a parallel run): nothing sent


def send_once(
    message: EmailMessage,
    *,
    user_id: int,
    about: Iterable[tuple[str, str, str]],
    kind: str | None = None,
    mail: MailConnection | None = None,
) -> Sent:
    """THE way an email goes once: what it is `about`, as (kind, item, period) entries, is
    recorded in the ledger (`SentEmail`, unique per user, kind, item and period) in one
    transaction with the message in the queue (`QueuedEmail`); then it is sent at once and
    leaves the queue in the same transaction as the server takes it, exactly as
    `send_queued_emails` does. `kind` names the email in logs (default: the first entry's).

    So: a parallel run recording the same entries fails on the unique index and sends
    nothing; a mail server that is down (or a crash after the commit) leaves the email
    queued, and `send_queued_emails` sends it once the server is back: nothing is lost and
    nothing goes twice (except a run killed between the server taking it and the commit,
    as for any queued email). Any entry recorded already: nothing is sent or recorded.
    Call it outside a transaction: inside one, the email could go out for entries that are
    then rolled back."""
    about = list(about)
    if not about:
        raise ValueError("An email sent once needs at least one (kind, item, period).")
    if message.attachments:
        raise ValueError("Emails sent once go through the queue, which keeps no attachments.")
    now = timezone.now()
    kind = kind or about[0][0]
    try:
        with transaction.atomic():
            SentEmail.objects.bulk_create(
                SentEmail(user_id=user_id, kind=k, item=item, period=period, sent_at=now)
                for k, item, period in about
            )
            queued = QueuedEmail.objects.create(
                key="once:{}:{}:{}:{}".format(user_id, *about[0]),
                kind=kind,
                to_address=_address_of(message),
                message=_stored_message(message),
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                last_error="",
            )
    except IntegrityError:
        return Sent.ALREADY
    if mail is not None and mail.unreachable is not None:
        _failed(queued, mail.unreachable, now=now)
        return Sent.QUEUED
    with contextlib.ExitStack() as stack:
        if mail is None:
            mail = stack.enter_context(mail_connection())
        with transaction.atomic():
            # Locked while it is sent; a queue run that got to it first sends it instead.
            queued = (
                QueuedEmail.objects.select_for_update(skip_locked=True).filter(pk=queued.pk).first()
            )
            if queued is None:
                return Sent.QUEUED
            try:
                _rebuilt_message(queued, mail.connection).send()
            except Exception as error:
                _failed(queued, error, now=now)
                mail.failed(error)
                return Sent.QUEUED
            queued.delete()
    return Sent.SENT


def _count_failed_attempt(queued: QueuedEmail, error: Exception, *, now: datetime.datetime) -> None:
    """An attempt at a queued email failed: the next one waits longer."""
    queued.attempts += 1
    queued.next_attempt_at = now + _retry_delay(queued.attempts)
    queued.last_error = type(error).__name__
    queued.save(update_fields=["attempts", "next_attempt_at", "last_error"])


def _failed(queued: QueuedEmail, error: Exception, *, now: datetime.datetime) -> None:
    _count_failed_attempt(queued, error, now=now)
    logger.warning(
        "Email %s could not be sent now (%s); queued to be sent again",
        queued.kind,
        type(error).__name__,
    )


def _queue(message: EmailMessage, *, kind: str, key: str, error: Exception) -> None:
    logger.warning(
        "Email %s could not be sent now (%s); queued to be sent again",
        kind,
        type(error).__name__,
    )
    now = timezone.now()
    QueuedEmail.objects.update_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to_address": _address_of(message),
            "message": _stored_message(message),
            "created_at": now,
            "attempts": 1,
            "next_attempt_at": now + _retry_delay(1),
            "last_error": type(error).__name__,
        },
    )


def _address_of(message: EmailMessage) -> str:
    if len(message.recipients()) != 1:
        raise ValueError("Queued emails go to one address each.")
    return message.recipients()[0].lower()


def forget_queued_email(*, key: str) -> None:
    """Drop an email still waiting to be sent (a newer one went out, or its reason is gone:
    a withdrawn invitation)."""
    QueuedEmail.objects.filter(key=key).delete()


@dataclass
class QueueRun:
    sent: int = 0
    failed: int = 0  # tried again later
    dropped: int = 0  # refused for good by the server, or older than EMAIL_RETRY_HOURS
    waiting: int = 0  # not tried this run: the server was unreachable

    @property
    def problems(self) -> bool:
        return bool(self.failed or self.dropped or self.waiting)


def send_queued_emails(*, now: datetime.datetime | None = None, limit: int = 1000) -> QueueRun:
    """Try the queued emails whose time has come, oldest first, over one connection. Each
    is locked while it is sent (a parallel run skips it) and deleted once the server took
    it, in the same transaction. A run killed between the server taking an email and that
    commit leaves it to be sent again: the one case that can send an email twice. When
    the server cannot be reached, the run stops and the rest wait for the next run
    without counting an attempt."""
    now = now or timezone.now()
    run = QueueRun()
    too_old = now - datetime.timedelta(hours=settings.EMAIL_RETRY_HOURS)
    with mail_connection() as mail:
        connection = mail.connection
        # A row tried is deleted or moved past `now`, so no row comes round twice.
        for _ in range(limit):
            with transaction.atomic():
                queued = (
                    QueuedEmail.objects.select_for_update(skip_locked=True)
                    .filter(next_attempt_at__lte=now)
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if queued is None:
                    break
                if queued.created_at < too_old:
                    logger.error(
                        "Queued email %s (%s) dropped: not delivered in %s attempts",
                        queued.pk,
                        queued.kind,
                        queued.attempts,
                    )
                    queued.delete()
                    run.dropped += 1
                    continue
                try:
                    _rebuilt_message(queued, connection).send()
                except Exception as error:
                    if _refused_for_good(error):
                        logger.error(
                            "Queued email %s (%s) dropped: the mail server refused it (%s)",
                            queued.pk,
                            queued.kind,
                            type(error).__name__,
                        )
                        queued.delete()
                        run.dropped += 1
                        continue
                    if _server_unreachable(error):
                        logger.warning(
                            "Mail server unreachable (%s); queued emails wait for the next run",
                            type(error).__name__,
                        )
                        run.waiting = QueuedEmail.objects.filter(next_attempt_at__lte=now).count()
                        break
                    _count_failed_attempt(queued, error, now=now)
                    logger.warning(
                        "Queued email %s (%s) failed again (%s), attempt %s",
                        queued.pk,
                        queued.kind,
                        type(error).__name__,
                        queued.attempts,
                    )
                    run.failed += 1
                    # A broken connection is opened again for the next email.
                    with contextlib.suppress(Exception):
                        connection.close()
                    continue
                queued.delete()
                run.sent += 1
    return run


def _retry_delay(attempts: int) -> datetime.timedelta:
    if attempts <= len(RETRY_DELAYS_MINUTES):
        return datetime.timedelta(minutes=RETRY_DELAYS_MINUTES[attempts - 1])
    return RETRY_DELAY_LIMIT


def _refused_for_good(error: Exception) -> bool:
    """A permanent (5xx) refusal of the recipient, sender or message: trying again would
    only be refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False


def _server_unreachable(error: Exception) -> bool:
    unreachable = (
        ConnectionError,
        TimeoutError,
        smtplib.SMTPConnectError,
        smtplib.SMTPServerDisconnected,
    )
    return isinstance(error, unreachable)


def _stored_message(message: EmailMessage) -> dict:
    return {
        "subject": message.subject,
        "body": message.body,
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def _rebuilt_message(queued: QueuedEmail, connection) -> EmailMultiAlternatives:
    stored = queued.message
    message = EmailMultiAlternatives(
        subject=stored["subject"],
        body=stored["body"],
        from_email=stored["from_email"],
        to=stored["to"],
        cc=stored["cc"],
        bcc=stored["bcc"],
        reply_to=stored["reply_to"],
        headers=stored["headers"],
        connection=connection,
    )
    message.content_subtype = stored["content_subtype"]
    for content, mimetype in stored["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message
