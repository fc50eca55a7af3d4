"""Issue 20.4: a recommended module is never shown as late. Where a mandatory module past
its deadline says 'Te laat', a recommended one not done says 'Aanbevolen: nog niet gedaan',
without a deadline, on the coordinator's people list and person page and on the learner's
'Mijn leren'; mandatory ones come first there."""

import datetime

import pytest
from django.utils import timezone

from organisations.models import RequirementLevel
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import light_module

from .factories import MembershipFactory, requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_staff(organisation, catalogue):
    mandatory = light_module(catalogue, "Meldcode verplicht")
    recommended = light_module(catalogue, "Verdieping aanbevolen")
    requirement(organisation, mandatory, due_within_days=30)
    requirement(organisation, recommended, due_within_days=30, level=RequirementLevel.RECOMMENDED)
    member = MembershipFactory(
        organisation=organisation,
        started_on=timezone.localdate() - datetime.timedelta(days=100),
    )
    return member


def test_the_coordinator_sees_recommended_modules_calmly(client, organisation, late_staff):
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    sign_in_with_mfa(client, coordinator)
    people = client.get(f"/organisaties/{organisation.slug}/mensen/").content.decode()
    row = people[people.index(late_staff.user.full_name) :]
    row = row[: row.index("</tr>")]
    # The mandatory module only ('Te laat of verlopen' is where the person stands, on the
    # mandatory requirements).
    assert row.count("</svg>Te laat</span>") == 1
    assert "Aanbevolen: nog niet gedaan" in row
    person = client.get(
        f"/organisaties/{organisation.slug}/mensen/{late_staff.pk}/"
    ).content.decode()
    assert person.count("Aanbevolen: nog niet gedaan") == 1
    assert person.count("signaal-badge--overdue") == 1


def test_the_learner_sees_mandatory_first_and_no_late_recommendation(client, late_staff):
    client.force_login(late_staff.user)
    page = client.get("/mijn-leren/").content.decode()
    mandatory, recommended = page.index("Meldcode verplicht"), page.index("Verdieping aanbevolen")
    assert mandatory < recommended
    after = page[recommended:]
    after = after[: after.index("</tr>")]
    assert "Aanbevolen: nog niet gedaan" in after and "Te laat" not in after
    assert "was due before" not in after and "had klaar moeten zijn" not in after
