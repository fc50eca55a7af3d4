"""Synthetic organisations for load tests and benchmarks: members with made-up names,
teams, memberships, enrolments and certificates in every state the compliance rule knows,
written with bulk_create in batches (100,000 members in a few minutes).

Only for development and benchmark databases: `manage.py generate_load_data` refuses to run
without DEBUG unless forced. Everything it creates is recognisable: organisation slugs start
with the prefix (default "load"), email addresses end in @load.signaal.test, and nobody can
log in with a password."""

import datetime
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from certificates import codes
from certificates.api import ISSUER, certificate_expiry
from certificates.models import Certificate
from cms.load_data_names import FIRST_NAMES, SURNAMES
from courses.models import Enrolment, ModulePage, ModuleVersion, Sector
from organisations.models import (
    ExpertiseFramework,
    Membership,
    Organisation,
    Requirement,
    Role,
    Team,
)

EMAIL_DOMAIN = "load.signaal.test"
BATCH = 2000
# On PostgreSQL, write with COPY (set False to use bulk_create everywhere).
USE_COPY = True
MEMBERS_PER_TEAM = 40
DEFAULT_SECTOR = "veilig-thuis"
DEFAULT_ROLE = "uitvoerend-professional"


@dataclass
class LoadResult:
    organisations: list[Organisation] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    members: int = 0
    teams: int = 0
    enrolments: int = 0
    certificates: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Plan:
    """What the generator needs of the framework: per role id, the modules required."""

    framework: ExpertiseFramework
    sector: Sector
    roles: list[tuple[int, float]]  # (role id, weight)
    modules_by_role: dict[int, list[int]]
    versions: dict[int, int]  # module id -> its latest version's id
    version_numbers: dict[int, int]  # module id -> its latest version's number
    titles: dict[int, str]
    validity: dict[int, int]


def ensure_content() -> ExpertiseFramework:
    """The modules (the demo catalogue when there are none), the roles and the example
    framework."""
    from courses.demo import load_demo_modules
    from organisations import seed

    from .services import ensure_site

    if not ModulePage.objects.live().exists():
        load_demo_modules(home=ensure_site())
    return seed.load_seed(skip_missing_modules=True).framework


def _plan(framework: ExpertiseFramework, sector_slug: str | None) -> _Plan:
    requirements = list(Requirement.objects.filter(framework=framework))
    if not requirements:
        raise ValueError(f"The framework {framework} has no requirements.")
    by_sector: dict[int, list[Requirement]] = {}
    for requirement in requirements:
        by_sector.setdefault(requirement.sector_id, []).append(requirement)
    if sector_slug:
        sector = Sector.objects.get(slug=sector_slug)
    else:
        sector = (
            Sector.objects.filter(slug=DEFAULT_SECTOR, pk__in=list(by_sector)).first()
            or Sector.objects.filter(pk=max(by_sector, key=lambda pk: len(by_sector[pk]))).get()
        )
    applicable = by_sector.get(sector.pk, [])
    if not applicable:
        raise ValueError(f"The framework {framework} has no requirements for {sector}.")
    default_role, _created = Role.objects.get_or_create(
        slug=DEFAULT_ROLE, defaults={"name": "Uitvoerend professional"}
    )
    named_roles = sorted({r.role_id for r in applicable if r.role_id is not None})
    roles = [(default_role.pk, 0.8)] + [
        (pk, 0.2 / len(named_roles)) for pk in named_roles if pk != default_role.pk
    ]
    modules_by_role = {
        role_id: sorted(
            {r.module_id for r in applicable if r.role_id is None or r.role_id == role_id}
        )
        for role_id, _weight in roles
    }
    module_ids = {r.module_id for r in applicable}
    versions, numbers = {}, {}
    for version in ModuleVersion.objects.filter(module_id__in=module_ids).order_by("number"):
        versions[version.module_id] = version.pk
        numbers[version.module_id] = version.number
    modules = ModulePage.objects.filter(pk__in=module_ids)
    missing = module_ids - set(versions)
    if missing:
        raise ValueError(f"Modules without a published version: {sorted(missing)}")
    return _Plan(
        framework=framework,
        sector=sector,
        roles=roles,
        modules_by_role=modules_by_role,
        versions=versions,
        version_numbers=numbers,
        titles={m.pk: m.title for m in modules},
        validity={m.pk: m.certificate_validity_months for m in modules},
    )


def _free_slug(prefix: str) -> str:
    base = slugify(prefix) or "load"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    number = 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def generate(
    *,
    members: int,
    organisations: int = 1,
    seed: int = 0,
    prefix: str = "load",
    sector: str | None = None,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Create `organisations` organisations with `members` members in all (spread evenly),
    with teams, roles and a mix of states per required module (PROFILES: most people up to
    date, some mixed, some behind; certificates valid, expiring, expired or revoked; open
    enrolments; one in eight joined recently). Coordinators: one per 500 members (at least
    one). The same seed gives the same people and states."""
    if members < 1 or organisations < 1:
        raise ValueError("At least one organisation and one member.")
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    today = today or timezone.localdate()
    plan = _plan(ensure_content(), sector)
    password = make_password(None)  # unusable: nobody logs in as a synthetic member
    result = LoadResult()
    role_ids = [role_id for role_id, _weight in plan.roles]
    role_weights = [weight for _role_id, weight in plan.roles]
    writer = _Writer(timezone.now())

    for number in range(organisations):
        size = members // organisations + (1 if number < members % organisations else 0)
        if size == 0:
            continue
        with transaction.atomic():
            slug = _free_slug(prefix)
            organisation = Organisation.objects.create(
                name=f"{plan.sector.name} {slug} ({size} medewerkers)",
                slug=slug,
                sector=plan.sector,
                region=rng.choice(["Utrecht", "Gelderland", "Noord-Holland", "Limburg"]),
                framework=plan.framework,
            )
            teams = Team.objects.bulk_create(
                Team(organisation=organisation, name=f"Team {index:03d}")
                for index in range(1, max(1, size // MEMBERS_PER_TEAM) + 1)
            )
        result.organisations.append(organisation)
        result.teams += len(teams)
        coordinators = max(1, size // 500)
        for start in range(0, size, BATCH):
            batch = range(start, min(start + BATCH, size))
            counts = _member_batch(
                organisation=organisation,
                batch=batch,
                teams=teams,
                coordinators=coordinators,
                plan=plan,
                rng=rng,
                today=today,
                password=password,
                role_ids=role_ids,
                role_weights=role_weights,
                writer=writer,
            )
            result.members += counts[0]
            result.enrolments += counts[1]
            result.certificates += counts[2]
            if progress:
                progress(f"{organisation.slug}: {batch.stop}/{size} members")
        result.coordinators.append(f"{slug}.1@{EMAIL_DOMAIN}")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics for the planner after a bulk load (autovacuum gets there later).
        with connection.cursor() as cursor:
            for model in (User, Membership, Enrolment, Certificate):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


class _Writer:
    """Rows with their ids chosen up front, so related rows can point at them without a
    round trip per object: on PostgreSQL the ids come from the table's sequence and the
    rows go in with COPY (fast); elsewhere (SQLite) the ids follow the highest one and the
    rows go in with bulk_create. Fields left out get their model default."""

    def __init__(self, now: datetime.datetime):
        self.postgres = USE_COPY and connection.vendor == "postgresql"
        self.now = now
        self._defaults: dict[type, dict[str, object]] = {}

    def ids(self, model, count: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            first = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            return list(range(first, first + count))

    def defaults(self, model) -> dict[str, object]:
        if model not in self._defaults:
            values = {}
            for field_ in model._meta.concrete_fields:
                if getattr(field_, "auto_now", False) or getattr(field_, "auto_now_add", False):
                    values[field_.attname] = self.now
                else:
                    values[field_.attname] = field_.get_default()
            self._defaults[model] = values
        return self._defaults[model]

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        defaults = self.defaults(model)
        if not self.postgres:
            model.objects.bulk_create([model(**(defaults | row)) for row in rows], batch_size=BATCH)
            return
        from psycopg.types.json import Jsonb

        fields = model._meta.concrete_fields
        names = [field_.attname for field_ in fields]
        json = {field_.attname for field_ in fields if field_.get_internal_type() == "JSONField"}
        columns = ", ".join(connection.ops.quote_name(field_.column) for field_ in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                values = defaults | row
                copy.write_row([Jsonb(values[n]) if n in json else values[n] for n in names])


# Member profiles: (share, chance of nothing, of in progress, certificate issued days ago).
PROFILES = [
    (0.55, 0.0, 0.02, (0, 700)),  # up to date: valid certificates, a few expiring
    (0.30, 0.25, 0.12, (0, 1100)),  # mixed: valid, expired, not started
    (0.15, 0.60, 0.20, (700, 1100)),  # behind: mostly overdue or expired
]
REVOKED = 0.02  # share of certificates revoked on the day of issue


def _profile(rng: random.Random) -> tuple:
    draw = rng.random()
    for profile in PROFILES:
        draw -= profile[0]
        if draw < 0:
            return profile
    return PROFILES[-1]


def _state(rng: random.Random, profile: tuple) -> tuple[str | None, int]:
    _share, nothing, in_progress, (newest, oldest) = profile
    draw = rng.random()
    if draw < nothing:
        return None, 0
    if draw < nothing + in_progress:
        return "in_progress", 0
    return "certificate", rng.randint(newest, oldest)


def _days_a_member(rng: random.Random) -> int:
    """One in eight joined in the last four months (due, in progress), the rest earlier."""
    return rng.randint(0, 120) if rng.random() < 0.125 else rng.randint(121, 1500)


def _new_code() -> str:
    """A certificate code in certificates.codes' format, with its check character: 80 random
    bits at once (quicker than a character at a time for hundreds of thousands), never from
    the seeded generator, so a second run with the same seed gets new codes."""
    number = secrets.randbits(80)
    body = "".join(codes.ALPHABET[(number >> (5 * index)) & 31] for index in range(16))
    return body + codes.check_character(body)


@transaction.atomic
def _member_batch(
    *,
    organisation,
    batch,
    teams,
    coordinators,
    plan,
    rng,
    today,
    password,
    role_ids,
    role_weights,
    writer: _Writer,
) -> tuple[int, int, int]:
    slug = organisation.slug
    user_ids = writer.ids(User, len(batch))
    users, memberships = [], []
    team_ids = [team.pk for team in teams]
    for index, user_id in zip(batch, user_ids, strict=True):
        full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        users.append(
            {
                "id": user_id,
                "email": f"{slug}.{index + 1}@{EMAIL_DOMAIN}",
                "full_name": full_name,
                "password": password,
            }
        )
        memberships.append(
            {
                "user_id": user_id,
                "organisation_id": organisation.pk,
                "team_id": rng.choice(team_ids),
                "role_id": rng.choices(role_ids, role_weights)[0],
                "is_coordinator": index < coordinators,
                "started_on": today - datetime.timedelta(days=_days_a_member(rng)),
            }
        )
    for membership, membership_id in zip(
        memberships, writer.ids(Membership, len(memberships)), strict=True
    ):
        membership["id"] = membership_id

    enrolments, certificates = [], []
    for user, membership in zip(users, memberships, strict=True):
        profile = _profile(rng)
        for module_id in plan.modules_by_role[membership["role_id"]]:
            state, days_ago = _state(rng, profile)
            if state is None:
                continue  # not started: due, not started or overdue by the start date
            enrolment = {
                "user_id": user["id"],
                "module_id": module_id,
                "module_version_id": plan.versions[module_id],
            }
            enrolments.append(enrolment)
            if state == "in_progress":
                enrolment["started_at"] = _at(
                    max(membership["started_on"], today - datetime.timedelta(days=60))
                )
                continue
            issued_on = today - datetime.timedelta(days=days_ago)
            enrolment["started_at"] = _at(issued_on - datetime.timedelta(days=3))
            enrolment["completed_at"] = enrolment["last_activity_at"] = _at(issued_on)
            certificates.append(
                {
                    "code": _new_code(),
                    "user_id": user["id"],
                    "module_id": module_id,
                    "enrolment": enrolment,
                    "cycle": 1,
                    "holder_name": user["full_name"],
                    "module_title": plan.titles[module_id],
                    "module_version": plan.version_numbers[module_id],
                    "accreditations": [],
                    "issuer": ISSUER,
                    "issued_at": _at(issued_on),
                    "expires_on": certificate_expiry(issued_on, plan.validity[module_id]),
                    "revoked_at": _at(issued_on, 16) if rng.random() < REVOKED else None,
                }
            )
    for enrolment, enrolment_id in zip(
        enrolments, writer.ids(Enrolment, len(enrolments)), strict=True
    ):
        enrolment["id"] = enrolment_id
    for certificate, certificate_id in zip(
        certificates, writer.ids(Certificate, len(certificates)), strict=True
    ):
        certificate["id"] = certificate_id
        certificate["enrolment_id"] = certificate.pop("enrolment")["id"]
    writer.write(User, users)
    writer.write(Membership, memberships)
    writer.write(Enrolment, enrolments)
    writer.write(Certificate, certificates)
    return len(users), len(enrolments), len(certificates)
