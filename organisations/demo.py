"""Demo data for organisations (load_demo, DEBUG only): three fictional organisations in
different sectors with teams and about 40 members in every state the compliance rule knows,
the example framework, a year of monthly compliance snapshots, and the demo coordinator
with a fixed TOTP secret so the coordinator area (which requires MFA) can be shown.

Everything is idempotent: people are found by email address, certificates and enrolments
are only added when the person has none for the module."""

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from certificates.api import ISSUER, certificate_expiry, new_code
from certificates.models import Certificate
from core.dates import add_months, month_start, shift_month
from courses.api import current_version
from courses.models import Enrolment, ModulePage, Sector
from organisations.compliance.computation import applicable_requirements
from organisations.compliance.dashboard import TREND_MONTHS
from organisations.compliance.snapshots import record_compliance_snapshot

from . import seed
from .models import Membership, Organisation, RequirementLevel, Role, Team

# Published on purpose, like the demo password: only ever loaded with DEBUG on. Base32,
# 32 characters (160 bits), as allauth generates them.
DEMO_TOTP_SECRET = "SIGNAALDEMOCOORDINATORTOTP234567"  # noqa: S105
DEMO_COORDINATOR = "coordinator@signaal.test"
DEMO_LEARNER = "leerling@signaal.test"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    sector: str
    region: str
    domain: str
    teams: tuple[str, ...]
    # (full name, team index, role slug, profile); see PROFILES
    people: tuple[tuple[str, int, str, str], ...]


# Profiles: how long ago the person joined, and which certificates they hold (issued how
# many days ago; None = none). `days_ago` values are spread a little per person.
#   compliant     every mandatory module, certificates well within their validity
#   expiring      certificates that stop counting within 60 days
#   expired       certificates that stopped counting a few weeks ago
#   overdue       joined months ago, nothing done
#   partial       the basic modules done, the longer-term mandatory ones overdue
#   in_progress   joined recently, working on the first module
#   new           joined last week: deadlines ahead
ORGANISATIONS = [
    DemoOrganisation(
        slug="veilig-thuis-regio-utrecht-demo",
        name="Veilig Thuis Regio Utrecht (demo)",
        sector="veilig-thuis",
        region="Utrecht",
        domain="vtu.demo.signaal.test",
        teams=("Advies en meldingen", "Onderzoek en veiligheid", "Crisisdienst"),
        people=(
            ("Annelies Verhoeven", 0, "uitvoerend-professional", "compliant"),
            ("Bas van den Berg", 0, "uitvoerend-professional", "compliant"),
            ("Chantal Mahabier", 0, "aandachtsfunctionaris", "expiring"),
            ("Daan Kuipers", 1, "gedragswetenschapper", "compliant"),
            ("Esra Yılmaz", 1, "vertrouwensarts", "partial"),
            ("Frank de Groot", 1, "uitvoerend-professional", "expired"),
            ("Gerda Smit", 1, "casusregisseur", "compliant"),
            ("Hamid El Amrani", 2, "uitvoerend-professional", "overdue"),
            ("Ilse Jansen", 2, "uitvoerend-professional", "in_progress"),
            ("Joost Bakker", 2, "leidinggevende", "compliant"),
            ("Karin Dijkstra", 0, "uitvoerend-professional", "new"),
            ("Lars Visser", 2, "uitvoerend-professional", "expiring"),
            ("Mirjam Hoekstra", 1, "procescoordinator-thv", "compliant"),
        ),
    ),
    DemoOrganisation(
        slug="politie-midden-nederland-demo",
        name="Politie Eenheid Midden-Nederland (demo)",
        sector="politie",
        region="Midden-Nederland",
        domain="pmn.demo.signaal.test",
        teams=(
            "Basisteam Utrecht-Centrum",
            "Basisteam Amersfoort",
            "Team Zeden en Huiselijk Geweld",
        ),
        people=(
            ("Noor van Leeuwen", 0, "uitvoerend-professional", "compliant"),
            ("Omar Bouzid", 0, "uitvoerend-professional", "overdue"),
            ("Petra Mulder", 0, "hulpofficier-van-justitie", "compliant"),
            ("Quinten de Wit", 1, "uitvoerend-professional", "partial"),
            ("Rianne Bos", 1, "uitvoerend-professional", "expired"),
            ("Sander Vermeulen", 1, "leidinggevende", "compliant"),
            ("Tamara Peters", 2, "aandachtsfunctionaris", "compliant"),
            ("Umut Demir", 2, "uitvoerend-professional", "in_progress"),
            ("Vera Hendriks", 2, "uitvoerend-professional", "expiring"),
            ("Wouter van Dam", 0, "uitvoerend-professional", "new"),
            ("Xandra Koster", 1, "uitvoerend-professional", "overdue"),
            ("Youssef Haddou", 2, "uitvoerend-professional", "compliant"),
            ("Zoë Brouwer", 0, "uitvoerend-professional", "compliant"),
            ("Arjen Prins", 1, "uitvoerend-professional", "new"),
        ),
    ),
    DemoOrganisation(
        slug="buurtteams-amersfoort-demo",
        name="Buurtteams Amersfoort (demo)",
        sector="buurt-en-wijkteams",
        region="Amersfoort",
        domain="bta.demo.signaal.test",
        teams=("Buurtteam Noord", "Buurtteam Zuid", "Buurtteam Vathorst"),
        people=(
            ("Bregje Wolters", 0, "leidinggevende", "compliant"),
            ("Cem Aksoy", 0, "specialist-hgkm", "compliant"),
            ("Dewi Soekhoe", 0, "uitvoerend-professional", "partial"),
            ("Eva Lambregts", 1, "aandachtsfunctionaris", "expired"),
            ("Fleur Meijer", 1, "uitvoerend-professional", "compliant"),
            ("Gijs Willems", 1, "uitvoerend-professional", "overdue"),
            ("Hanna Schouten", 2, "uitvoerend-professional", "in_progress"),
            ("Ivo Claassen", 2, "uitvoerend-professional", "new"),
            ("Jamila Ouali", 2, "specialist-hgkm", "expiring"),
            ("Kees Timmermans", 0, "uitvoerend-professional", "compliant"),
            ("Linda Vos", 1, "uitvoerend-professional", "compliant"),
            ("Mehmet Kaya", 2, "uitvoerend-professional", "compliant"),
        ),
    ),
]
# Who coordinates each organisation besides the demo coordinator (index into people).
COORDINATOR_INDEX = {org.slug: 0 for org in ORGANISATIONS}
COORDINATOR_INDEX["veilig-thuis-regio-utrecht-demo"] = 9  # Joost Bakker, leidinggevende
COORDINATOR_INDEX["politie-midden-nederland-demo"] = 5  # Sander Vermeulen, leidinggevende


def _email(full_name: str, domain: str) -> str:
    plain = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    return ".".join(part.lower() for part in plain.replace("-", " ").split()) + f"@{domain}"


def _ensure_person(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name)
        # Demo staff never log in: only the demo accounts in load_demo do.
        user.set_unusable_password()
        user.save()
    return user


def _give_certificate(user: User, module: ModulePage, *, issued_on: datetime.date) -> None:
    """A completed enrolment and its certificate, dated in the past (as issue_for would
    have left them on that day). Nothing when the person holds one for the module."""
    if Certificate.objects.filter(user=user, module=module).exists():
        return
    version = current_version(module)
    issued_at = timezone.make_aware(datetime.datetime.combine(issued_on, datetime.time(14, 30)))
    enrolment = Enrolment.objects.create(
        user=user, module=module, module_version=version, completed_at=issued_at
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        started_at=issued_at - datetime.timedelta(days=3), last_activity_at=issued_at
    )
    Certificate.objects.create(
        code=new_code(),
        user=user,
        module=module,
        enrolment=enrolment,
        cycle=1,
        holder_name=user.full_name,
        module_title=module.title,
        module_version=version.number,
        accreditations=[],
        issuer=ISSUER,
        issued_at=issued_at,
        expires_on=certificate_expiry(issued_on, module.certificate_validity_months),
    )


def _start(user: User, module: ModulePage, *, on: datetime.date) -> None:
    if Enrolment.objects.filter(user=user, module=module).exists():
        return
    enrolment = Enrolment.objects.create(
        user=user, module=module, module_version=current_version(module)
    )
    started_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
    Enrolment.objects.filter(pk=enrolment.pk).update(
        started_at=started_at, last_activity_at=started_at
    )


def _apply_profile(
    membership: Membership, profile: str, requirements: list, *, today: datetime.date, spread: int
) -> None:
    """Certificates and enrolments that put the member in the profile's state."""
    mine = [
        r
        for r in requirements
        if r.level == RequirementLevel.MANDATORY and r.role_id in (None, membership.role_id)
    ]
    short = [r for r in mine if r.due_within_days <= 90]

    def validity_days_back(months: int, extra: int) -> datetime.date:
        return add_months(today, -months) + datetime.timedelta(days=extra)

    for index, requirement in enumerate(mine):
        module, months = requirement.module, requirement.module.certificate_validity_months
        if requirement.recertify_every_months:
            months = min(months, requirement.recertify_every_months)
        if profile == "compliant":
            _give_certificate(
                membership.user, module, issued_on=today - datetime.timedelta(days=60 + spread * 25)
            )
        elif profile == "expiring":
            # Stops counting in 2 to 7 weeks.
            _give_certificate(
                membership.user, module, issued_on=validity_days_back(months, 14 + spread * 4)
            )
        elif profile == "expired" and index == 0:
            _give_certificate(
                membership.user, module, issued_on=validity_days_back(months, -20 - spread * 3)
            )
        elif profile == "expired":
            _give_certificate(
                membership.user, module, issued_on=today - datetime.timedelta(days=200)
            )
        elif profile == "partial" and requirement in short:
            _give_certificate(
                membership.user, module, issued_on=today - datetime.timedelta(days=250)
            )
        elif profile == "in_progress" and index == 0:
            _start(membership.user, module, on=today - datetime.timedelta(days=5))


STARTED_DAYS_AGO = {
    "compliant": 700,
    "expiring": 800,
    "expired": 1000,
    "overdue": 200,
    "partial": 400,
    "in_progress": 40,
    "new": 6,
}


def _ensure_organisation(spec: DemoOrganisation, framework) -> Organisation:
    organisation, _created = Organisation.objects.update_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "sector": Sector.objects.get(slug=spec.sector),
            "region": spec.region,
            "framework": framework,
        },
    )
    for name in spec.teams:
        Team.objects.get_or_create(organisation=organisation, name=name)
    return organisation


def _ensure_membership(**fields) -> Membership:
    existing = Membership.objects.filter(
        user=fields["user"], organisation=fields["organisation"], ended_on__isnull=True
    ).first()
    if existing:
        return existing
    return Membership.objects.create(**fields)


def ensure_demo_totp(user: User) -> str:
    """Give the demo coordinator an authenticator with the fixed demo secret (replacing any
    other), plus recovery codes; returns the otpauth:// URL to add to an app."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP
    from allauth.mfa.utils import decrypt

    if not settings.DEBUG:
        raise RuntimeError("The demo authenticator is for DEBUG only.")
    current = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if current is None or decrypt(current.data["secret"]) != DEMO_TOTP_SECRET:
        if current is not None:
            current.delete()
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
    return get_adapter().build_totp_url(user, DEMO_TOTP_SECRET)


def _record_snapshots(organisation: Organisation, *, today: datetime.date) -> None:
    """The last 12 complete months, reconstructed from the dates in the data."""
    this_month = month_start(today)
    for back in range(1, TREND_MONTHS + 1):
        month = shift_month(this_month, -back)
        record_compliance_snapshot(organisation=organisation, month=month)


@transaction.atomic
def load_demo_organisations() -> dict:
    """Roles, the example framework (needs the modules: load them first), the three demo
    organisations with their people, the demo coordinator and learner as members, and 12
    monthly snapshots. Returns what load_demo prints."""
    today = timezone.localdate()
    loaded = seed.load_seed()
    framework = loaded.framework
    roles = {role.slug: role for role in Role.objects.all()}
    organisations = []
    for spec in ORGANISATIONS:
        organisation = _ensure_organisation(spec, framework)
        organisations.append(organisation)
        teams = list(Team.objects.filter(organisation=organisation, name__in=spec.teams))
        teams.sort(key=lambda team: spec.teams.index(team.name))
        requirements = applicable_requirements(organisation)
        for number, (full_name, team_index, role_slug, profile) in enumerate(spec.people):
            user = _ensure_person(_email(full_name, spec.domain), full_name)
            spread = number % 7
            started_on = today - datetime.timedelta(days=STARTED_DAYS_AGO[profile] + spread * 3)
            membership = _ensure_membership(
                user=user,
                organisation=organisation,
                team=teams[team_index],
                role=roles[role_slug],
                is_coordinator=number == COORDINATOR_INDEX[spec.slug],
                started_on=started_on,
            )
            _apply_profile(membership, profile, requirements, today=today, spread=spread)

    vt, _police, neighbourhood = organisations
    coordinator = User.objects.get(email=DEMO_COORDINATOR)
    membership = _ensure_membership(
        user=coordinator,
        organisation=vt,
        team=None,
        role=roles["leidinggevende"],
        is_coordinator=True,
        started_on=today - datetime.timedelta(days=500),
    )
    _apply_profile(
        membership,
        "compliant",
        applicable_requirements(vt),
        today=today,
        spread=1,
    )
    learner = User.objects.filter(email=DEMO_LEARNER).first()
    if learner is not None:
        _ensure_membership(
            user=learner,
            organisation=neighbourhood,
            team=Team.objects.get(organisation=neighbourhood, name="Buurtteam Noord"),
            role=roles["uitvoerend-professional"],
            started_on=today - datetime.timedelta(days=30),
        )
    for organisation in organisations:
        _record_snapshots(organisation, today=today)
    return {
        "organisations": organisations,
        "members": Membership.objects.filter(organisation__in=organisations).count(),
        "framework": framework,
        "coordinator_organisation": vt,
        "totp_url": ensure_demo_totp(coordinator),
        "totp_secret": DEMO_TOTP_SECRET,
    }
