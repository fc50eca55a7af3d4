"""Issue 16, finding 9: the data download says who saw the person's data (coordinators'
views and exports, administrators' views), and deleting the account leaves no export file
or typed search term with their name or address. Through HTTP on PostgreSQL."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from organisations.models import AuditAction, AuditLogEntry, ExportJob, ExportStatus
from tests.factories import TEST_PASSWORD, UserFactory
from tests.organisations.conftest import sign_in_with_mfa
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Veilig Thuis Testregio")


@pytest.fixture
def learner(organisation):
    user = UserFactory(full_name="Sanne de Vries", email="sanne@example.nl")
    EmailAddress.objects.create(user=user, email="sanne@werk.example.nl", verified=True)
    MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def colleague(organisation):
    return MembershipFactory(
        user=UserFactory(full_name="Piet Anders", email="piet@example.nl"),
        organisation=organisation,
    )


@pytest.fixture
def coordinator(organisation):
    return MembershipFactory(
        user=UserFactory(full_name="Carla Coördinator", email="carla@example.nl"),
        organisation=organisation,
        is_coordinator=True,
    ).user


def download(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("my_data_download"))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_download_says_who_viewed_and_exported_the_persons_data(
    client, organisation, learner, colleague, coordinator
):
    membership = learner.memberships.get()
    sign_in_with_mfa(client, coordinator)
    assert (
        client.get(
            reverse("organisations:person", args=[organisation.slug, membership.pk])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("organisations:person", args=[organisation.slug, colleague.pk])
        ).status_code
        == 200
    )
    assert client.get(reverse("organisations:people", args=[organisation.slug])).status_code == 200
    assert (
        client.get(
            reverse("organisations:people", args=[organisation.slug]), {"q": "piet"}
        ).status_code
        == 200
    )
    assert (
        client.post(reverse("organisations:export", args=[organisation.slug, "csv"])).status_code
        == 200
    )
    admin = UserFactory(full_name="Beheerder Bea", is_superuser=True)
    sign_in_with_mfa(client, admin)
    assert client.get(reverse("wagtailusers_users:edit", args=[learner.pk])).status_code == 200

    data = download(client, learner)

    seen = data["organisations"]["audit_log_about_you"]
    actions = [item["action"] for item in seen]
    # The person page of Sanne, the unfiltered list (not the one for 'piet'), the export,
    # and the administrator's look at the account.
    assert sorted(actions) == sorted(
        ["viewed_person", "viewed_people", "exported", "viewed_in_admin"]
    ), seen
    by_action = {item["action"]: item for item in seen}
    assert by_action["viewed_person"]["by"] == "Carla Coördinator"
    assert by_action["viewed_person"]["organisation"] == "Veilig Thuis Testregio"
    assert by_action["viewed_person"]["at"]
    assert by_action["exported"]["what"]["format"] == "csv"
    assert by_action["viewed_in_admin"]["by"] == "Beheerder Bea"
    assert by_action["viewed_in_admin"]["organisation"] is None
    text = json.dumps(data)
    assert "Piet" not in text and "piet@" not in text


def test_exports_and_typed_searches_with_the_person_are_gone_after_deletion(
    client,
    settings,
    media,
    organisation,
    learner,
    colleague,
    coordinator,
    django_capture_on_commit_callbacks,
):
    settings.ORGANISATION_EXPORT_IMMEDIATE_LIMIT = 0  # background jobs (run at once)
    sign_in_with_mfa(client, coordinator)
    people = reverse("organisations:people", args=[organisation.slug])
    for query in ("Sanne de Vries", "SANNE@werk.example.nl", "vries", "piet"):
        assert client.get(people, {"q": query}).status_code == 200
    export = reverse("organisations:export", args=[organisation.slug, "csv"])
    assert client.post(export, {"q": "sanne"}).status_code == 302
    assert client.post(export).status_code == 302
    jobs = list(ExportJob.objects.filter(organisation=organisation))
    assert len(jobs) == 2 and all(job.status == ExportStatus.DONE for job in jobs)
    files = [media / job.file.name for job in jobs]
    assert all(b"Sanne de Vries" in path.read_bytes() for path in files)
    # Another organisation's export, without her, stays.
    elsewhere = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True)
    sign_in_with_mfa(client, elsewhere.user)
    other_export = reverse("organisations:export", args=[elsewhere.organisation.slug, "csv"])
    assert client.post(other_export).status_code == 302
    kept_job = ExportJob.objects.get(organisation=elsewhere.organisation)
    # An administrator searched the users for her address.
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    assert (
        client.get(reverse("wagtailusers_users:index"), {"q": "sanne@example.nl"}).status_code
        == 200
    )

    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("delete_account"), {"password": TEST_PASSWORD, "confirm": "on"}
        )
    assert response.status_code == 302

    assert not ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).exists()
    assert not any(path.exists() for path in files)
    assert ExportJob.objects.filter(pk=kept_job.pk).exists()
    assert (media / kept_job.file.name).exists()
    terms = sorted(
        str(entry.detail.get("filters", {}).get("q", ""))
        for entry in AuditLogEntry.objects.filter(
            action__in=[
                AuditAction.VIEWED_PEOPLE,
                AuditAction.EXPORTED,
                AuditAction.VIEWED_IN_ADMIN,
            ]
        )
    )
    assert "piet" in terms
    everything = json.dumps(list(AuditLogEntry.objects.values_list("detail", flat=True))).lower()
    assert "sanne" not in everything and "vries" not in everything


def test_a_queued_export_of_a_deleted_requester_is_skipped_by_the_worker(
    client, settings, organisation, coordinator
):
    from accounts.services import delete_account
    from organisations.tasks import build_export_file

    settings.ORGANISATION_EXPORT_IMMEDIATE_LIMIT = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sign_in_with_mfa(client, coordinator)
    client.post(reverse("organisations:export", args=[organisation.slug, "csv"]))
    job = ExportJob.objects.get()

    delete_account(user=coordinator)

    build_export_file.call(job.pk)  # what the worker does later: nothing, and no error
    assert not ExportJob.objects.exists()
