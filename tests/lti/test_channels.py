"""Coordinators see through which LMS a module was taken (issue 23): the person page
names the organisation's own LMS ('via <LMS> (LTI)') or SCORM package next to the
module, registered by lti with organisations (organisations.api.register_enrolment_channel),
never another organisation's, in a number of queries that does not grow with modules."""

import pytest
from django.test import Client
from django.urls import reverse

from lti.models import Platform, ResourceLaunch, ScormLearner, ScormPackage
from organisations.models import Membership
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import make_module
from tests.organisations.factories import (
    MembershipFactory,
    OrganisationFactory,
    RoleFactory,
    requirement,
)

from .conftest import register
from .test_launch import launch_claims


def person_page(organisation, user) -> str:
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    client = Client()
    sign_in_with_mfa(client, coordinator)
    membership = Membership.objects.get(organisation=organisation, user=user)
    page = client.get(reverse("organisations:person", args=[organisation.slug, membership.pk]))
    assert page.status_code == 200
    return page.content.decode()


def requirements_table(page: str) -> str:
    return page.split('id="eisen-titel"')[1].split("</section>")[0]


@pytest.mark.django_db(transaction=True)
def test_the_person_page_names_the_lms_a_module_was_launched_from(browser, lms, tool_url, module):
    organisation = OrganisationFactory()
    platform = register(lms, tool_url, organisation=organisation)
    requirement(organisation, module)
    assert browser.launch(launch_claims(lms, tool_url, module)).status_code == 302
    launched = ResourceLaunch.objects.get().user
    # Someone of the same organisation who took the module on Signaal itself.
    direct = MembershipFactory(organisation=organisation, role=platform.member_role).user
    # The same person in another organisation, whose coordinators use no LMS.
    elsewhere = OrganisationFactory(framework=organisation.framework, sector=organisation.sector)
    MembershipFactory(organisation=elsewhere, user=launched)

    shown = requirements_table(person_page(organisation, launched))
    assert "via Moodle van Zorggroep Oost (LTI)" in shown
    assert "via " not in requirements_table(person_page(organisation, direct))
    assert "via " not in requirements_table(person_page(elsewhere, launched))


@pytest.mark.django_db
def test_the_channels_cost_the_same_queries_for_one_module_or_three(
    catalogue, django_assert_max_num_queries
):
    organisation = OrganisationFactory()
    role = RoleFactory()
    person = MembershipFactory(organisation=organisation, role=role).user
    modules = [make_module(catalogue, f"Module {n}", lessons=1) for n in range(3)]
    platform = register_platform(organisation, role)

    def take(module, channel: str) -> None:
        requirement(organisation, module)
        if channel == "lti":
            ResourceLaunch.objects.create(
                platform=platform,
                user=person,
                module=module,
                subject="s-1",
                deployment_id="d",
                resource_link_id=f"link-{module.pk}",
            )
        else:
            package = ScormPackage.objects.create(
                organisation=organisation, module=module, member_role=role
            )
            ScormLearner.objects.create(package=package, learner_id="learner-1", user=person)

    take(modules[0], "lti")
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    client = Client()
    sign_in_with_mfa(client, coordinator)
    membership = Membership.objects.get(organisation=organisation, user=person)
    url = reverse("organisations:person", args=[organisation.slug, membership.pk])
    with django_assert_max_num_queries(100) as one:
        page = client.get(url).content.decode()
    assert requirements_table(page).count("via Moodle VT Utrecht (LTI)") == 1

    take(modules[1], "lti")
    take(modules[2], "scorm")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    table = requirements_table(page)
    assert table.count("via Moodle VT Utrecht (LTI)") == 2
    assert table.count("via SCORM-pakket") == 1


def register_platform(organisation, role) -> Platform:
    return Platform.objects.create(
        name="Moodle VT Utrecht",
        organisation=organisation,
        member_role=role,
        issuer="https://moodle.example.nl",
        client_id="c",
        auth_login_url="https://moodle.example.nl/auth",
        auth_token_url="https://moodle.example.nl/token",
        jwks_url="https://moodle.example.nl/jwks",
        deployment_ids="d",
    )
