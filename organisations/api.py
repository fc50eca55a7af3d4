"""What other apps may call from organisations: cms (the signed-in home, the admin audit,
accounts' data download and deletion), xapi, courses, certificates, quizzes, and their
tests.
They use these functions, never organisations' models, selectors or services directly (as
other apps use the Open edX certificates app's api.py), so organisations can change inside.

Add a function here only when another app needs it; everything else stays internal."""

from .access import (
    coordinator_area,
    coordinator_entry,
    organisations_left_without_coordinator,
    private,
)
from .compliance.computation import LearnerRequirement, learner_requirements, still_required
from .demo import ensure_demo_totp, load_demo_organisations
from .enrolment_channels import register_enrolment_channel
from .evidence_sections import register_evidence_section
from .models import AuditAction
from .selectors.memberships import member_organisation_ids
from .selectors.personal_data import personal_data
from .services.audit import purge_audit_log, record_audit
from .services.memberships import add_members, ensure_member, join_through_sign_in
from .services.personal_data import erase_person

__all__ = [
    # 'Mijn leren' and the signed-in home: what the person's organisations still ask.
    "LearnerRequirement",
    "learner_requirements",
    "still_required",
    # The header's way into the coordinator area, and wrapping another app's coordinator
    # page (xapi's statement export) in its access rule.
    "coordinator_entry",
    "coordinator_area",
    "private",
    # Another app's evidence on the evidence page (xapi's statement export).
    "register_evidence_section",
    # Where people took modules outside Signaal's pages (lti: 'via <LMS> (LTI)', SCORM),
    # on the person page.
    "register_enrolment_channel",
    # Which organisations a person counts for now (xapi: whose LRS receives their records).
    "member_organisation_ids",
    # The audit log (the admin's views of people's data are recorded here too).
    "AuditAction",
    "record_audit",
    "purge_audit_log",
    # Accounts: the data download, and what deleting an account does in organisations.
    "personal_data",
    "erase_person",
    "organisations_left_without_coordinator",
    # An LMS of the organisation launched someone (lti): their membership.
    "ensure_member",
    # ... and the LMS course's member list synced into the organisation (lti).
    "add_members",
    # identity: just-in-time membership after a sign-in through the organisation's IdP.
    "join_through_sign_in",
    # The demo (manage.py load_demo).
    "load_demo_organisations",
    "ensure_demo_totp",
]
