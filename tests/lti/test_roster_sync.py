"""Names and Role Provisioning: a launch from a course whose LMS offers its member list
syncs the list into the platform's organisation, in the background (immediate in tests),
when the platform's administrator switched it on. Over HTTP against the test LMS's
NRPS endpoint (tests/lti/nrps.py), in pages."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from lti.models import LtiIdentity, Platform, RosterSync, SyncStatus
from lti.roster import sync_due
from organisations.models import AuditAction, AuditLogEntry, Invitation, Membership
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

from .conftest import register
from .nrps import member, nrps_claim
from .test_launch import launch_claims

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def syncing(lms, tool_url, module) -> Platform:
    return register(lms, tool_url, sync_members=True)


def came_before(platform: Platform, subject: str, name: str) -> User:
    """Someone this LMS launched before (their account is linked to it)."""
    user = UserFactory(full_name=name)
    LtiIdentity.objects.create(
        platform=platform, issuer=platform.issuer, subject=subject, user=user
    )
    return user


def course(lms, *members) -> None:
    lms.rosters.members["course-7"] = [member("moodle-user-17"), *members]


def launch_with_roster(browser, lms, tool_url, module):
    claims = {**launch_claims(lms, tool_url, module), **nrps_claim(lms)}
    answer = browser.launch(claims)
    assert answer.status_code == 302, answer.text
    return answer


def members_of(organisation) -> set[str]:
    return set(
        Membership.objects.current()
        .filter(organisation=organisation)
        .values_list("user__full_name", flat=True)
    )


def test_the_member_list_syncs_into_the_platforms_organisation_only(
    browser, lms, tool_url, syncing, module
):
    organisation = syncing.organisation
    elsewhere = OrganisationFactory()
    anna = came_before(syncing, "moodle-user-21", "Anna Aalders")
    MembershipFactory(user=anna, organisation=elsewhere)
    ben = came_before(syncing, "moodle-user-22", "Ben Bakker")
    # Linked through the same LMS's registration for another organisation: not ours.
    theirs = Platform.objects.create(
        **{
            field: getattr(syncing, field)
            for field in ("name", "member_role", "issuer", "auth_login_url", "auth_token_url")
        },
        jwks_url=syncing.jwks_url,
        deployment_ids="other",
        client_id="another-client",
        organisation=elsewhere,
    )
    cor = came_before(theirs, "moodle-user-23", "Cor Claessen")
    # An account with the address the list shows, never linked to this LMS: not joined.
    dina = UserFactory(full_name="Dina Dekker", email="dina@zorggroep.example.nl")
    course(
        lms,
        member("moodle-user-21", email="anna@zorggroep.example.nl"),
        member("moodle-user-22"),
        member("moodle-user-23"),
        member("moodle-user-24", email="dina@zorggroep.example.nl", name="Dina Dekker"),
        member("moodle-user-25", email="eva@zorggroep.example.nl", name="Eva Evers"),
    )
    accounts_before = User.objects.count()

    launch_with_roster(browser, lms, tool_url, module)

    assert members_of(organisation) == {"Lotte de Vries", "Anna Aalders", "Ben Bakker"}
    assert members_of(elsewhere) == {"Anna Aalders"}
    assert not Membership.objects.filter(user__in=[cor, dina], organisation=organisation)
    # Nobody on the list gets an account or an invitation; only the launcher got one.
    assert User.objects.count() == accounts_before + 1
    assert not Invitation.objects.exists()
    sync = RosterSync.objects.get()
    assert sync.status == SyncStatus.DONE and sync.context_title == "Verplichte scholing 2026"
    assert sync.counts == {
        "added": 2,
        "already_members": 1,
        "not_on_signaal": 3,
        "left_course": 0,
    }
    # Three pages of two, the next link followed as the LMS wrote it (capitals and all).
    assert lms.rosters.requests == [
        "/CourseSection/course-7/memberships",
        "/CourseSection/course-7/memberships?page=2",
        "/CourseSection/course-7/memberships?page=3",
    ]
    # Each membership made is in the organisation's audit log, about that person.
    entries = AuditLogEntry.objects.filter(
        organisation=organisation, action=AuditAction.CHANGED_MEMBERSHIP
    )
    assert sorted(e.subjects.get().user_id for e in entries) == sorted([anna.pk, ben.pk])
    assert all(e.detail["joined_through_lms_course"].startswith(syncing.name) for e in entries)
    assert not AuditLogEntry.objects.filter(organisation=elsewhere).exists()


def test_syncing_is_off_unless_switched_on(browser, lms, tool_url, registered, module):
    assert registered.sync_members is False
    came_before(registered, "moodle-user-21", "Anna Aalders")
    course(lms, member("moodle-user-21"))

    launch_with_roster(browser, lms, tool_url, module)

    assert members_of(registered.organisation) == {"Lotte de Vries"}
    assert lms.rosters.requests == []
    assert not RosterSync.objects.exists()


def test_people_who_left_the_course_are_not_added(browser, lms, tool_url, syncing, module):
    came_before(syncing, "moodle-user-21", "Anna Aalders")
    came_before(syncing, "moodle-user-22", "Ben Bakker")
    came_before(syncing, "moodle-user-26", "Fleur Fransen")
    course(
        lms,
        member("moodle-user-21", status="Inactive"),
        member("moodle-user-22", status="Deleted"),
        {"user_id": "moodle-user-26", "roles": []},  # no status: active (NRPS §2.3)
    )

    launch_with_roster(browser, lms, tool_url, module)

    assert members_of(syncing.organisation) == {"Lotte de Vries", "Fleur Fransen"}
    assert RosterSync.objects.get().counts["left_course"] == 2


def test_launching_again_does_not_duplicate_memberships_or_their_audit(
    browser, lms, tool_url, syncing, module
):
    came_before(syncing, "moodle-user-21", "Anna Aalders")
    course(lms, member("moodle-user-21"))
    launch_with_roster(browser, lms, tool_url, module)
    asked = len(lms.rosters.requests)
    audited = AuditLogEntry.objects.filter(action=AuditAction.CHANGED_MEMBERSHIP).count()

    # Within the hour a launch does not ask the LMS again ...
    launch_with_roster(browser, lms, tool_url, module)
    assert len(lms.rosters.requests) == asked
    # ... later it does, and finds everyone a member already.
    RosterSync.objects.update(synced_at=timezone.now() - datetime.timedelta(hours=2))
    launch_with_roster(browser, lms, tool_url, module)

    assert len(lms.rosters.requests) == asked + 1
    assert Membership.objects.filter(organisation=syncing.organisation).count() == 2
    assert AuditLogEntry.objects.filter(action=AuditAction.CHANGED_MEMBERSHIP).count() == audited
    sync = RosterSync.objects.get()
    assert sync.counts["added"] == 0 and sync.counts["already_members"] == 2


def test_an_lms_down_half_way_leaves_nothing_half_done_and_the_sync_is_retried(
    browser, lms, tool_url, syncing, module
):
    for number, name in ((21, "Anna Aalders"), (22, "Ben Bakker"), (23, "Cor Claessen")):
        came_before(syncing, f"moodle-user-{number}", name)
    course(lms, member("moodle-user-21"), member("moodle-user-22"), member("moodle-user-23"))
    lms.rosters.down_pages = {2}

    # The launch itself goes on as usual.
    launch_with_roster(browser, lms, tool_url, module)

    sync = RosterSync.objects.get()
    assert sync.status == SyncStatus.PENDING and sync.attempts == 1
    assert "503" in sync.last_error
    assert sync.next_attempt_at > timezone.now()
    # Page 1 came in, page 2 did not: nobody from page 1 was added.
    assert members_of(syncing.organisation) == {"Lotte de Vries"}
    assert not AuditLogEntry.objects.filter(action=AuditAction.CHANGED_MEMBERSHIP).exists()

    assert sync_due() == 0  # not due yet
    lms.rosters.down_pages = set()
    assert sync_due(now=sync.next_attempt_at) == 1

    assert members_of(syncing.organisation) == {
        "Lotte de Vries",
        "Anna Aalders",
        "Ben Bakker",
        "Cor Claessen",
    }
    sync.refresh_from_db()
    assert sync.status == SyncStatus.DONE and sync.attempts == 2 and sync.last_error == ""
    assert sync_due(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_a_sync_waiting_when_the_lms_is_switched_off_fetches_nothing(
    browser, lms, tool_url, syncing, module
):
    came_before(syncing, "moodle-user-21", "Anna Aalders")
    course(lms, member("moodle-user-21"))
    lms.rosters.down_pages = {1}
    launch_with_roster(browser, lms, tool_url, module)
    asked = len(lms.rosters.requests)
    Platform.objects.filter(pk=syncing.pk).update(sync_members=False)
    lms.rosters.down_pages = set()

    assert sync_due(now=timezone.now() + datetime.timedelta(hours=1)) == 0

    assert len(lms.rosters.requests) == asked
    assert RosterSync.objects.get().status == SyncStatus.FAILED
    assert members_of(syncing.organisation) == {"Lotte de Vries"}
