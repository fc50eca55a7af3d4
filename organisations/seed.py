"""Load the roles and the example expertise framework in organisations/content/.

The files are YAML so they can be reviewed in a pull request. Loading is idempotent and
leaves what administrators changed alone: a role or framework that already exists (by slug,
or by name and version) is not overwritten, unless `replace=True` rebuilds the framework's
requirements from the file. Used by `manage.py load_expertise_framework` (production) and by
load_demo."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from courses.models import ModulePage, Sector

from .models import ExpertiseFramework, Requirement, RequirementLevel, Role

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ROLES_FILE = CONTENT_DIR / "roles.yaml"
EXAMPLE_FRAMEWORK_FILE = CONTENT_DIR / "voorbeeldkader.yaml"

FRAMEWORK_KEYS = {"name", "version", "effective_from", "is_example", "source", "requirements"}
OPTIONAL_FRAMEWORK_KEYS = {"sector_groups"}
RULE_KEYS = {"sectors", "modules", "level", "due_within_days"}
OPTIONAL_RULE_KEYS = {"except_sectors", "roles", "recertify_every_months"}


class SeedError(ValueError):
    """A seed file does not follow its format, or names something that does not exist."""


@dataclass(frozen=True)
class RequirementSpec:
    sector: str
    role: str | None
    module: str
    level: str
    due_within_days: int
    recertify_every_months: int | None


@dataclass
class FrameworkLoad:
    framework: ExpertiseFramework
    created: bool
    requirements: int
    missing_modules: list[str] = field(default_factory=list)


def _read(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SeedError(f"{path.name}: expected a mapping at the top")
    return data


# --- Roles ----------------------------------------------------------------------------------


def read_roles(path: Path = ROLES_FILE) -> list[dict]:
    roles = _read(path).get("roles") or []
    slugs = set()
    for role in roles:
        if not isinstance(role, dict) or not {"slug", "name"} <= set(role):
            raise SeedError(f"{path.name}: a role needs a slug and a name: {role}")
        if set(role) - {"slug", "name", "description"}:
            raise SeedError(f"{path.name}: unknown keys in role {role['slug']}")
        if role["slug"] in slugs:
            raise SeedError(f"{path.name}: role {role['slug']} appears twice")
        slugs.add(role["slug"])
    return roles


@transaction.atomic
def ensure_roles(path: Path = ROLES_FILE) -> list[Role]:
    """Create the roles that are missing (by slug); existing ones stay as they are."""
    return [
        Role.objects.get_or_create(
            slug=role["slug"],
            defaults={"name": role["name"], "description": role.get("description", "").strip()},
        )[0]
        for role in read_roles(path)
    ]


# --- Frameworks -----------------------------------------------------------------------------


def _expand_sectors(rule: dict, groups: dict, sector_slugs: set[str], where: str) -> list[str]:
    def names(value) -> list[str]:
        result = []
        for name in value:
            if name in groups:
                result.extend(groups[name])
            elif name in sector_slugs:
                result.append(name)
            else:
                raise SeedError(f"{where}: unknown sector or group {name!r}")
        return result

    sectors = rule["sectors"]
    if sectors == "all":
        chosen = sorted(sector_slugs)
    elif isinstance(sectors, list) and sectors:
        chosen = names(sectors)
    else:
        raise SeedError(f"{where}: 'sectors' must be 'all' or a list")
    if "except_sectors" in rule:
        if sectors != "all":
            raise SeedError(f"{where}: 'except_sectors' goes with 'sectors: all'")
        excluded = set(names(rule["except_sectors"]))
        chosen = [slug for slug in chosen if slug not in excluded]
    return list(dict.fromkeys(chosen))


def read_framework(
    path: Path, *, sector_slugs: set[str], role_slugs: set[str]
) -> tuple[dict, list[RequirementSpec]]:
    """The framework's fields and its requirements expanded per sector and role, checked:
    known sectors and roles, valid levels and periods, no requirement twice, and per sector
    a module required either of every role or of named roles (never both)."""
    data = _read(path)
    missing = FRAMEWORK_KEYS - set(data)
    unknown = set(data) - FRAMEWORK_KEYS - OPTIONAL_FRAMEWORK_KEYS
    if missing or unknown:
        raise SeedError(
            f"{path.name}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"
        )
    if not isinstance(data["effective_from"], datetime.date):
        raise SeedError(f"{path.name}: effective_from must be a date (YYYY-MM-DD)")
    groups = data.get("sector_groups") or {}
    for name, members in groups.items():
        if bad := set(members) - sector_slugs:
            raise SeedError(f"{path.name}: group {name} names unknown sectors {sorted(bad)}")

    specs: dict[tuple, RequirementSpec] = {}
    for number, rule in enumerate(data["requirements"], start=1):
        where = f"{path.name}, rule {number}"
        missing = RULE_KEYS - set(rule)
        unknown = set(rule) - RULE_KEYS - OPTIONAL_RULE_KEYS
        if missing or unknown:
            raise SeedError(f"{where}: missing keys {sorted(missing)}, unknown {sorted(unknown)}")
        if rule["level"] not in RequirementLevel.values:
            raise SeedError(f"{where}: level must be one of {RequirementLevel.values}")
        due = rule["due_within_days"]
        if not isinstance(due, int) or not 0 <= due <= 730:
            raise SeedError(f"{where}: due_within_days must be a whole number from 0 to 730")
        recertify = rule.get("recertify_every_months")
        if recertify is not None and (not isinstance(recertify, int) or not 1 <= recertify <= 120):
            raise SeedError(f"{where}: recertify_every_months must be from 1 to 120")
        roles = rule.get("roles") or [None]
        if bad := {role for role in roles if role is not None} - role_slugs:
            raise SeedError(f"{where}: unknown roles {sorted(bad)}")
        for sector in _expand_sectors(rule, groups, sector_slugs, where):
            for module in rule["modules"]:
                for role in roles:
                    key = (sector, role, module)
                    if key in specs:
                        raise SeedError(f"{where}: {module} for {sector}/{role} appears twice")
                    specs[key] = RequirementSpec(
                        sector, role, module, rule["level"], due, recertify
                    )
    # One requirement per person and module: every role, or named roles, per sector.
    every_role = {(s.sector, s.module) for s in specs.values() if s.role is None}
    for spec in specs.values():
        if spec.role is not None and (spec.sector, spec.module) in every_role:
            raise SeedError(
                f"{path.name}: {spec.module} in {spec.sector} is required of every role and "
                f"of {spec.role} as well"
            )
    return data, list(specs.values())


def _modules_by_slug(slugs: set[str]) -> dict[str, ModulePage]:
    found: dict[str, ModulePage] = {}
    # A live module wins over a draft with the same slug elsewhere in the tree.
    for module in ModulePage.objects.filter(slug__in=slugs).order_by("-live", "path"):
        found.setdefault(module.slug, module)
    return found


@transaction.atomic
def ensure_framework(
    path: Path = EXAMPLE_FRAMEWORK_FILE,
    *,
    replace: bool = False,
    skip_missing_modules: bool = False,
) -> FrameworkLoad:
    """Create the framework in `path` with its requirements, unless a framework with that
    name and version exists: then it is left as administrators made it, or, with
    `replace`, its fields and requirements are set to the file's.

    Sectors and roles must exist (roles: ensure_roles). A module that does not exist is an
    error, unless `skip_missing_modules`: then its requirements are left out and listed."""
    sectors = {sector.slug: sector for sector in Sector.objects.all()}
    roles = {role.slug: role for role in Role.objects.all()}
    data, specs = read_framework(path, sector_slugs=set(sectors), role_slugs=set(roles))
    modules = _modules_by_slug({spec.module for spec in specs})
    missing = sorted({spec.module for spec in specs} - set(modules))
    if missing and not skip_missing_modules:
        raise SeedError(
            f"{path.name}: these modules do not exist (yet): {', '.join(missing)}. Load the "
            "modules first, or leave their requirements out."
        )

    fields = {
        "effective_from": data["effective_from"],
        "source": " ".join(str(data["source"]).split()),
        "is_example": bool(data["is_example"]),
    }
    framework = ExpertiseFramework.objects.filter(
        name=data["name"], version=str(data["version"])
    ).first()
    created = framework is None
    if framework is not None and not replace:
        return FrameworkLoad(framework, False, framework.requirements.count(), missing)
    if framework is None:
        framework = ExpertiseFramework.objects.create(
            name=data["name"], version=str(data["version"]), **fields
        )
    else:
        ExpertiseFramework.objects.filter(pk=framework.pk).update(**fields)
        framework.refresh_from_db()
        Requirement.objects.filter(framework=framework).delete()
    Requirement.objects.bulk_create(
        Requirement(
            framework=framework,
            sector=sectors[spec.sector],
            role=roles[spec.role] if spec.role else None,
            module=modules[spec.module],
            level=spec.level,
            due_within_days=spec.due_within_days,
            recertify_every_months=spec.recertify_every_months,
        )
        for spec in specs
        if spec.module in modules
    )
    # bulk_create sends no signals: mark the statuses of the organisations that follow it.
    from organisations.compliance.statuses import standings_changed

    standings_changed(
        organisation_ids=framework.organisations.values_list("pk", flat=True),
    )
    return FrameworkLoad(framework, created, framework.requirements.count(), missing)


def load_seed(*, replace: bool = False, skip_missing_modules: bool = False) -> FrameworkLoad:
    """The roles and the example framework, in one go."""
    with transaction.atomic():
        ensure_roles()
        return ensure_framework(replace=replace, skip_missing_modules=skip_missing_modules)
