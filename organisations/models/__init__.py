"""Organisations, their people, and the national expertise agreements ('wie moet wat weten').

Frameworks, roles and requirements are data that platform administrators maintain; the
status of each member against each requirement is computed by
organisations.compliance.computation with the rule in organisations.compliance.rule;
MemberStanding and MemberRequirementStatus keep its latest results for the dashboard's
totals, refreshed by organisations.compliance.statuses.refresh_standings and marked stale by
organisations.signals.

One module per part (frameworks, members, audit, compliance, evidence); import them from here."""

from .audit import AuditAction, AuditLogEntry, AuditSubject
from .compliance import (
    ComplianceSnapshot,
    ExportJob,
    ExportStatus,
    MemberRequirementStatus,
    MemberStanding,
    ReminderSchedule,
)
from .evidence import ComplianceStatement
from .frameworks import ExpertiseFramework, Requirement, RequirementLevel, Role
from .members import (
    ImportUpload,
    Invitation,
    Membership,
    MembershipQuerySet,
    Organisation,
    Team,
    active_on,
    current_on,
    new_invitation_token,
)

__all__ = [
    "AuditAction",
    "AuditLogEntry",
    "AuditSubject",
    "ComplianceSnapshot",
    "ComplianceStatement",
    "ExpertiseFramework",
    "ExportJob",
    "ExportStatus",
    "ImportUpload",
    "Invitation",
    "MemberRequirementStatus",
    "MemberStanding",
    "Membership",
    "MembershipQuerySet",
    "Organisation",
    "ReminderSchedule",
    "Requirement",
    "RequirementLevel",
    "Role",
    "Team",
    "active_on",
    "current_on",
    "new_invitation_token",
]
