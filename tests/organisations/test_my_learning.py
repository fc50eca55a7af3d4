"""'Mijn leren' (a site page) shows what the learner's organisations ask of them, through
the organisations template tag. That courses never imports organisations is checked by
`make lint` (import-linter and tools/check_template_layers.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from organisations.models import RequirementLevel

from .factories import MembershipFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


def test_the_learner_sees_their_requirements(client, organisation, modules):
    rode_vlaggen, meldcode = modules
    requirement(organisation, rode_vlaggen, due_within_days=90)
    requirement(organisation, meldcode, level=RequirementLevel.RECOMMENDED, due_within_days=180)
    member = MembershipFactory(organisation=organisation)
    certificate_for(
        member.user, meldcode, issued_on=timezone.localdate() - datetime.timedelta(days=5)
    )
    client.force_login(member.user)
    page = client.get(reverse("my_learning")).content.decode()
    assert "Wat je organisatie van je vraagt" in page
    assert organisation.name in page
    assert rode_vlaggen.url in page and "Rode vlaggen" in page
    assert "Verplicht" in page and "Aanbevolen" in page
    deadline = member.started_on + datetime.timedelta(days=90)
    assert f"vóór {date_format(deadline, 'j F Y')}" in page
    assert "geldig tot en met" in page  # the meldcode certificate
    assert "voorbeeldkader" in page  # the factory's framework is an example
    assert page.index("Rode vlaggen") < page.index("Meldcode")  # most urgent first


def test_without_organisation_the_section_is_absent(client, modules):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("my_learning")).content.decode()
    assert "Wat je organisatie van je vraagt" not in page
