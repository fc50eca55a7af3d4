"""organisations.api.add_members: the bulk writer behind an LMS course's member list
(lti.roster). It opens memberships only where none is current, in this organisation
only, audits each one and marks stored statuses stale (bulk_create sends no signals)."""

import pytest

from organisations.api import add_members
from organisations.compliance.statuses import refresh_standings
from organisations.models import AuditAction, AuditLogEntry, Membership, MemberStanding

from .factories import MembershipFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_add_members_opens_missing_memberships_audits_them_and_marks_standings_stale(
    organisation,
):
    role = RoleFactory()
    member = MembershipFactory(organisation=organisation)
    elsewhere = MembershipFactory()
    refresh_standings(elsewhere.organisation)
    before = MemberStanding.objects.get(membership=elsewhere)
    assert before.computed_changes == before.changes  # fresh

    added = add_members(
        organisation=organisation,
        role=role,
        user_ids=[member.user_id, elsewhere.user_id, elsewhere.user_id],
        via="Moodle (Verplichte scholing)",
    )

    assert added == [elsewhere.user_id]
    new = Membership.objects.get(organisation=organisation, user=elsewhere.user)
    assert new.role == role and not new.is_coordinator
    member.refresh_from_db()
    assert member.role != role  # an existing membership stays as it was
    assert Membership.objects.filter(user=elsewhere.user).count() == 2
    # The person's stored statuses, in the other organisation too, are stale now.
    after = MemberStanding.objects.get(membership=elsewhere)
    assert after.changes > before.changes
    assert MemberStanding.objects.filter(membership=new).exists()
    (entry,) = AuditLogEntry.objects.filter(action=AuditAction.CHANGED_MEMBERSHIP)
    assert entry.organisation == organisation and entry.actor is None
    assert entry.detail["joined_through_lms_course"] == "Moodle (Verplichte scholing)"
    assert list(entry.subjects.values_list("user_id", flat=True)) == [elsewhere.user_id]

    assert (
        add_members(organisation=organisation, role=role, user_ids=[elsewhere.user_id], via="x")
        == []
    )
    assert AuditLogEntry.objects.filter(action=AuditAction.CHANGED_MEMBERSHIP).count() == 1
