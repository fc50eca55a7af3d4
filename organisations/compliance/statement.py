"""The dated compliance statement for an inspection (issue 20.11): per requirement how many
members it applies to and how many meet it on the day, signed by the platform.

The statement's claims (figures only, no one's name; a requirement about fewer than
MINIMUM_GROUP people shows none, as in the board's PDF) are rendered as a PDF with a code
and the address of the public verification page; the claims plus the PDF's SHA-256 are then
signed as a compact JWS with the platform's key (certificates.api.sign_document) and kept
(ComplianceStatement). An inspector opens the page by the code and sees the signed figures
and the digest the PDF in hand must have; the JWS itself can be downloaded and checked
against the published keys."""

import datetime
import hashlib
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from certificates.api import (
    compact_code,
    formatted_code,
    new_code,
    sign_document,
    verify_document,
)
from organisations.compliance.dashboard import figures_of
from organisations.compliance.figures import MINIMUM_GROUP, requirement_rows
from organisations.models import AuditAction, ComplianceStatement, Organisation
from organisations.services.audit import record_audit

TYP = "signaal-compliance-statement+jwt"


def statement_claims(
    organisation: Organisation,
    *,
    code: str,
    day: datetime.date,
    issued_at: datetime.datetime,
    verification_url: str,
) -> dict:
    """What the statement states, as plain JSON."""
    figures, requirements = figures_of(organisation, day=day)
    members_shown = figures.member_count >= MINIMUM_GROUP
    framework = organisation.framework
    lines = []
    for row in requirement_rows(requirements=requirements, figures=figures):
        requirement = row.requirement
        lines.append(
            {
                "module": requirement.module.title,
                "role": requirement.role.name if requirement.role_id else None,
                "level": requirement.level,
                "applies_to": None if row.is_small else row.people,
                "meeting": None if row.is_small else row.meeting,
            }
        )
    return {
        "jti": code,
        "iat": int(issued_at.timestamp()),
        "code": code,
        "verification_url": verification_url,
        "organisation": {
            "name": organisation.name,
            "sector": organisation.sector.name,
            "region": organisation.region,
        },
        "framework": (
            {
                "name": framework.name,
                "version": framework.version,
                "is_example": framework.is_example,
            }
            if framework
            else None
        ),
        "day": day.isoformat(),
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "minimum_group": MINIMUM_GROUP,
        "members": figures.member_count if members_shown else None,
        "compliant": figures.compliant_count if members_shown else None,
        "requirements": lines,
    }


@dataclass(frozen=True)
class IssuedStatement:
    statement: ComplianceStatement
    filename: str
    pdf: bytes


def _qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def render_statement_pdf(claims: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "organisations/statement_pdf.html",
        {
            "claims": claims,
            "day": datetime.date.fromisoformat(claims["day"]),
            "issued_at": datetime.datetime.fromisoformat(claims["issued_at"]),
            "code": formatted_code(claims["code"]),
            "qr_svg": _qr(claims["verification_url"]),
        },
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def issue_statement(
    organisation: Organisation, *, actor: User, base_url: str, now: datetime.datetime | None = None
) -> IssuedStatement:
    """A new signed statement of today's figures, kept and written to the audit log."""
    issued_at = timezone.localtime(now)
    code = new_code()
    verification_url = base_url.rstrip("/") + reverse("organisations:verify_statement", args=[code])
    claims = statement_claims(
        organisation,
        code=code,
        day=issued_at.date(),
        issued_at=issued_at,
        verification_url=verification_url,
    )
    pdf = render_statement_pdf(claims)
    digest = hashlib.sha256(pdf).hexdigest()
    jws = sign_document(claims | {"pdf_sha256": digest}, typ=TYP, base_url=base_url)
    statement = ComplianceStatement.objects.create(
        code=code,
        organisation=organisation,
        day=issued_at.date(),
        issued_at=issued_at,
        claims=claims,
        jws=jws,
        pdf_sha256=digest,
    )
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.EXPORTED,
        detail={"format": "pdf", "report": "compliance_statement", "statement": code},
    )
    return IssuedStatement(
        statement=statement,
        filename=f"signaal-{slugify(organisation.slug)}-verklaring-{issued_at.date()}.pdf",
        pdf=pdf,
    )


@dataclass(frozen=True)
class Verification:
    statement: ComplianceStatement
    claims: dict | None  # the signed claims; None when the signature does not verify


def verify_statement(code: str) -> Verification | None:
    """The statement with this code (any spelling: case, spaces, dashes) and its claims as
    signed, checked against the platform's keys; None for an unknown code."""
    statement = ComplianceStatement.objects.filter(code=compact_code(code)).first()
    if statement is None:
        return None
    claims = verify_document(statement.jws, typ=TYP)
    if claims is not None and (
        claims.get("code") != statement.code or claims.get("pdf_sha256") != statement.pdf_sha256
    ):
        claims = None
    return Verification(statement=statement, claims=claims)
