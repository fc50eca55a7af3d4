"""Names and Role Provisioning Services 2.0: an LMS course's member list synced into the
organisation of the platform (only that one), when the platform's administrator switched
it on.

A launch that carries the NRPS claim asks for a sync of its course (at most once every
SYNC_INTERVAL); the background worker fetches every page of the list and only then
writes, in one transaction, so an LMS that fails half-way leaves nothing half-done and
the sync waits with a back-off (`manage.py send_lti_grades` retries what is due).

Who becomes a member: an active person on the list whose (issuer, user_id) is linked to
a Signaal account, i.e. who came to Signaal through this LMS before (the launch made the
account, or they confirmed the link themselves). Nobody gets an account, an invitation
or an email from a list: an email address on it does not link to a Signaal account
(that needs the person's own confirmation, as at a launch), and people who never came
are only counted, their first launch makes them members. We keep counts, no names."""

import datetime
import logging
from urllib.parse import urljoin

import requests
from django.db import transaction
from django.utils import timezone
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from requests.utils import parse_header_links

from organisations.api import add_members

from .models import LtiIdentity, Platform, RosterSync, SyncStatus, origin_of
from .retries import MAX_ATTEMPTS, TimeoutSession, backoff, enqueue_attempt
from .tool_conf import registration_for

logger = logging.getLogger(__name__)

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
# A course is synced again on a launch at most this often (a busy course launches often).
SYNC_INTERVAL = datetime.timedelta(hours=1)
# A list longer than this many pages is refused rather than followed forever.
MAX_PAGES = 200


class RosterError(Exception):
    pass


def request_sync(platform: Platform, claims: dict) -> RosterSync | None:
    """On a launch: queue a sync of the launch's course when the platform syncs members,
    the launch offers the service, and the course was not synced (or tried) lately."""
    if not platform.sync_members:
        return None
    url = str((claims.get(NRPS_CLAIM) or {}).get("context_memberships_url") or "")
    if not origin_of(url) or len(url) > 500:
        return None
    title = str((claims.get(CONTEXT_CLAIM) or {}).get("title", ""))[:255]
    now = timezone.now()
    row, created = RosterSync.objects.get_or_create(
        platform=platform, memberships_url=url, defaults={"context_title": title}
    )
    if not created:
        last = row.synced_at if row.status == SyncStatus.DONE else row.next_attempt_at
        if row.status == SyncStatus.PENDING or (last and now - last < SYNC_INTERVAL):
            return row  # queued already, or fresh enough
        # Conditional: of two launches at once only one queues it again.
        requeued = (
            RosterSync.objects.filter(pk=row.pk)
            .exclude(status=SyncStatus.PENDING)
            .update(status=SyncStatus.PENDING, attempts=0, next_attempt_at=now, context_title=title)
        )
        if not requeued:
            return row
    transaction.on_commit(lambda: enqueue(row.pk))
    return row


def enqueue(sync_id: int, *, run_after: datetime.datetime | None = None) -> None:
    from .tasks import sync_roster

    enqueue_attempt(sync_roster, sync_id, run_after=run_after)


def _next_page(headers: dict, url: str) -> str | None:
    """The Link header's rel="next" (NRPS §2.4.2). pylti1p3 lowercases the whole header
    before it reads the URL, which breaks case-sensitive paths (Moodle's
    /CourseSection/...), so we read it ourselves. Only on the list's own origin."""
    link = next((value for name, value in headers.items() if name.lower() == "link"), "")
    for entry in parse_header_links(link.replace("\n", " ")) if link else []:
        if "next" in entry.get("rel", "").split():
            following = urljoin(url, entry["url"])
            if origin_of(following) != origin_of(url):
                raise RosterError(f"next page on another origin: {following}")
            return following
    return None


def fetch_members(sync: RosterSync) -> list[dict]:
    """Every page of the course's member list (pylti1p3: client-credentials token with the
    contextmembership.readonly scope, then GET with the membership container's media
    type). Raises on any failure, so that a partial list is never used."""
    connector = ServiceConnector(registration_for(sync.platform), TimeoutSession())
    service = NamesRolesProvisioningService(
        connector, {"context_memberships_url": sync.memberships_url}
    )
    members: list[dict] = []
    url: str | None = sync.memberships_url
    for _page in range(MAX_PAGES):
        answer = service.get_nrps_data(url)
        body = answer.get("body")
        if not isinstance(body, dict) or not isinstance(body.get("members", []), list):
            raise RosterError("the answer is not a membership container")
        members += [member for member in body.get("members", []) if isinstance(member, dict)]
        url = _next_page(answer["headers"], url)
        if url is None:
            return members
    raise RosterError(f"more than {MAX_PAGES} pages")


def apply_members(sync: RosterSync, members: list[dict]) -> dict:
    """Memberships of the platform's organisation for the active people on the list that
    this LMS linked to an active account. Returns the counts kept on the sync."""
    platform = sync.platform
    # NRPS 2.0 §2.3: a member without status is active; Inactive and Deleted left.
    active = {
        str(member["user_id"])
        for member in members
        if member.get("user_id") and member.get("status", "Active") == "Active"
    }
    linked = dict(
        # Linked through this platform (so for this organisation), not only its issuer:
        # LMSs hosted for many schools share one (Canvas's).
        LtiIdentity.objects.filter(
            platform=platform,
            issuer=platform.issuer,
            subject__in=active,
            user__is_active=True,
            user__removed_at__isnull=True,
        ).values_list("subject", "user_id")
    )
    added = add_members(
        organisation=platform.organisation,
        role=platform.member_role,
        user_ids=linked.values(),
        via=f"{platform.name} ({sync.context_title or sync.memberships_url})",
    )
    return {
        "added": len(added),
        "already_members": len(set(linked.values())) - len(added),
        "not_on_signaal": len(active - set(linked)),
        "left_course": len({str(m.get("user_id")) for m in members} - active),
    }


def _claim(sync_id: int, now: datetime.datetime) -> RosterSync | None:
    """Take a due sync for one attempt: the attempt is counted and the next one set before
    the LMS is asked, so another worker does not fetch the same list meanwhile and the
    launch that asks for a sync never waits for a row lock held over HTTP."""
    with transaction.atomic():
        sync = (
            RosterSync.objects.select_for_update(skip_locked=True)
            .select_related("platform__organisation", "platform__member_role")
            .filter(pk=sync_id, status=SyncStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if sync is None:
            return None
        sync.attempts += 1
        sync.next_attempt_at = now + backoff(sync.attempts)
        sync.save(update_fields=["attempts", "next_attempt_at"])
        return sync


def run_sync(sync_id: int, *, now: datetime.datetime | None = None) -> str:
    """One attempt at a waiting, due sync; returns its status afterwards."""
    now = now or timezone.now()
    claimed = _claim(sync_id, now)
    if claimed is None:
        current = RosterSync.objects.filter(pk=sync_id).values_list("status", flat=True).first()
        return current or "missing"
    platform = claimed.platform
    if not (platform.is_active and platform.sync_members):
        # Switched off since the launch asked: the list is not fetched at all.
        claimed.status = SyncStatus.FAILED
        claimed.last_error = "member sync switched off for this LMS"
        claimed.save(update_fields=["status", "last_error"])
        return claimed.status
    try:
        members = fetch_members(claimed)
        with transaction.atomic():
            claimed.counts = apply_members(claimed, members)
            claimed.status = SyncStatus.DONE
            claimed.synced_at = timezone.now()
            claimed.last_error = ""
            claimed.save(update_fields=["counts", "status", "synced_at", "last_error"])
        return claimed.status
    except (LtiException, LtiServiceException, RosterError, requests.RequestException) as error:
        claimed.last_error = str(error)[:2000]
        if claimed.attempts >= MAX_ATTEMPTS:
            claimed.status = SyncStatus.FAILED
            claimed.next_attempt_at = timezone.now()
        claimed.save(update_fields=["last_error", "status", "next_attempt_at"])
        logger.warning(
            "LTI member list %s not synced (attempt %s): %s",
            claimed.pk,
            claimed.attempts,
            claimed.last_error,
        )
        if claimed.status == SyncStatus.PENDING:
            enqueue(claimed.pk, run_after=claimed.next_attempt_at)
        return claimed.status


def sync_due(*, now: datetime.datetime | None = None) -> int:
    """Every waiting sync whose next attempt is due; returns how many were done."""
    now = now or timezone.now()
    due = RosterSync.objects.filter(status=SyncStatus.PENDING, next_attempt_at__lte=now)
    return sum(
        run_sync(pk, now=now) == SyncStatus.DONE for pk in list(due.values_list("pk", flat=True))
    )
