"""The roles and the example expertise framework in organisations/content/: checked,
loaded idempotently, clearly an example."""

import datetime
import textwrap

import pytest
from django.core.management import CommandError, call_command

from courses import content_loader
from courses.models import Sector
from organisations import seed
from organisations.models import ExpertiseFramework, Requirement, RequirementLevel, Role
from tests.courses.conftest import light_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def content_modules(catalogue):
    """A module page for each module file: the framework names them by slug (loading the
    modules with their lessons and revisions is tested in tests/cms/test_load_content.py)."""
    return {
        content.data["slug"]: light_module(
            catalogue, content.data["title"], slug=content.data["slug"]
        )
        for content in content_loader.read_module_files()
    }


def test_the_example_framework_is_labelled_and_sensible(content_modules, capsys):
    call_command("load_expertise_framework")
    framework = ExpertiseFramework.objects.get()
    assert framework.is_example
    assert "(voorbeeld)" in framework.name
    assert "nog opgesteld" in framework.source
    assert "Deel B §2.1" in framework.source and "DOMAIN.md §7" in framework.source
    assert {
        "aandachtsfunctionaris",
        "leidinggevende",
        "uitvoerend-professional",
        "casusregisseur",
        "vertrouwensarts",
        "gedragswetenschapper",
    } <= set(Role.objects.values_list("slug", flat=True))
    requirements = Requirement.objects.filter(framework=framework).select_related(
        "sector", "role", "module"
    )
    basics = requirements.filter(module__slug="femicide-begrippen-en-omvang")
    assert basics.count() == Sector.objects.count() == 23  # every sector, every role
    assert {(r.level, r.due_within_days, r.recertify_every_months, r.role_id) for r in basics} == {
        (RequirementLevel.MANDATORY, 90, 24, None)
    }
    meldcode = requirements.get(
        module__slug="handelen-met-de-meldcode",
        sector__slug="politie",
        role__slug="aandachtsfunctionaris",
    )
    assert meldcode.level == RequirementLevel.MANDATORY
    # The three newer modules are in the example too.
    acute = requirements.get(
        module__slug="acuut-wurging-en-seksueel-geweld", sector__slug="ziekenhuizen"
    )
    assert (acute.level, acute.role_id) == (RequirementLevel.MANDATORY, None)
    assert (
        requirements.get(
            module__slug="beroepsgeheim-meldrecht-en-informatie-delen",
            sector__slug="huisartsenzorg",
            role__slug="aandachtsfunctionaris",
        ).level
        == RequirementLevel.MANDATORY
    )
    assert requirements.filter(module__slug="veilig-in-contact-met-plegers").exists()
    assert not requirements.filter(
        module__slug="handelen-met-de-meldcode", sector__slug="politie", role__isnull=True
    ).exists()
    # Nobody gets a module twice: per sector and module, every role or named roles.
    pairs = {}
    for item in requirements:
        pairs.setdefault((item.sector_id, item.module_id), set()).add(item.role_id)
    assert all(None not in roles or roles == {None} for roles in pairs.values())
    assert "created" in capsys.readouterr().out


def test_loading_again_leaves_administrators_changes_alone(content_modules):
    seed.load_seed()
    framework = ExpertiseFramework.objects.get()
    count = framework.requirements.count()
    Role.objects.filter(slug="leidinggevende").update(name="Teamleider")
    framework.requirements.filter(module__slug="rode-vlaggen-herkennen").update(due_within_days=30)
    again = seed.load_seed()
    assert not again.created and again.framework == framework
    assert Role.objects.get(slug="leidinggevende").name == "Teamleider"
    assert framework.requirements.count() == count
    assert set(
        framework.requirements.filter(module__slug="rode-vlaggen-herkennen").values_list(
            "due_within_days", flat=True
        )
    ) == {30}
    call_command("load_expertise_framework", "--replace")
    assert set(
        framework.requirements.filter(module__slug="rode-vlaggen-herkennen").values_list(
            "due_within_days", flat=True
        )
    ) == {90}
    assert ExpertiseFramework.objects.count() == 1 and framework.requirements.count() == count


def test_missing_modules_stop_the_load_unless_skipped(home_page):
    from courses import content_loader

    content_loader.ensure_taxonomy()
    with pytest.raises(CommandError, match="do not exist"):
        call_command("load_expertise_framework")
    assert not ExpertiseFramework.objects.exists()
    call_command("load_expertise_framework", "--skip-missing-modules")
    framework = ExpertiseFramework.objects.get()
    assert framework.is_example and framework.requirements.count() == 0
    assert Role.objects.count() >= 10


def test_the_format_is_checked(tmp_path, home_page):
    from courses import content_loader

    content_loader.ensure_taxonomy()
    seed.ensure_roles()
    path = tmp_path / "kader.yaml"

    def check(body: str):
        path.write_text(body, encoding="utf-8")
        return seed.read_framework(
            path,
            sector_slugs={"politie", "onderwijs"},
            role_slugs={"aandachtsfunctionaris"},
        )

    head = textwrap.dedent(
        """\
        name: Test
        version: "1"
        effective_from: 2026-01-01
        is_example: true
        source: Test
        """
    )
    data, specs = check(
        head
        + "requirements:\n"
        + "  - {sectors: all, modules: [a], level: mandatory, due_within_days: 90}\n"
        + "  - {sectors: [onderwijs], roles: [aandachtsfunctionaris], modules: [b], "
        + "level: recommended, due_within_days: 30}\n"
    )
    assert data["effective_from"] == datetime.date(2026, 1, 1)
    assert len(specs) == 3
    for bad, message in [
        ("- {sectors: [kapper], modules: [a], level: mandatory, due_within_days: 90}", "kapper"),
        ("- {sectors: all, modules: [a], level: verplicht, due_within_days: 90}", "level"),
        ("- {sectors: all, modules: [a], level: mandatory, due_within_days: 9000}", "730"),
        (
            "- {sectors: all, roles: [baas], modules: [a], level: mandatory, due_within_days: 1}",
            "baas",
        ),
        (
            "- {sectors: all, modules: [a], level: mandatory, due_within_days: 1}\n"
            "  - {sectors: [politie], roles: [aandachtsfunctionaris], modules: [a], "
            "level: mandatory, due_within_days: 1}",
            "every role",
        ),
        (
            "- {sectors: all, modules: [a], level: mandatory, due_within_days: 1}\n"
            "  - {sectors: [politie], modules: [a], level: mandatory, due_within_days: 1}",
            "twice",
        ),
    ]:
        with pytest.raises(seed.SeedError, match=message):
            check(head + "requirements:\n  " + bad + "\n")
