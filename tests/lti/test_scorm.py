"""SCORM 1.2 dispatch packages: the zip (manifest, launch page, script), who may download
it, opening Signaal with the package key (an account per LMS learner, in the package's
organisation), the registration cap, revocation, and the status the package reads."""

import io
import zipfile

import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse

from courses.services import complete_lesson, start_module
from lti.models import ScormLearner, ScormPackage
from organisations.models import Membership
from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db

NS = {
    "cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
}


@pytest.fixture
def package(module):
    return ScormPackage.objects.create(
        organisation=OrganisationFactory(), module=module, member_role=RoleFactory()
    )


def test_the_package_is_a_scorm_1_2_course_that_launches_this_module(client, package, module):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    answer = client.get(reverse("lti:scorm_download", args=[package.pk]))

    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert set(archive.namelist()) == {"imsmanifest.xml", "index.html", "launch.js"}
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.find("cp:metadata/cp:schemaversion", NS).text == "1.2"
    resource = manifest.find("cp:resources/cp:resource", NS)
    assert resource.get(f"{{{NS['adlcp']}}}scormtype") == "sco"
    assert resource.get("href") == "index.html"
    title = manifest.find("cp:organizations/cp:organization/cp:title", NS).text
    assert title == module.title
    page = archive.read("index.html").decode()
    assert f'data-key="{package.key}"' in page and 'data-signaal="http://testserver"' in page
    script = archive.read("launch.js").decode()
    assert "win.API" in script and "cmi.core.lesson_status" in script


def test_only_administrators_download_packages(client, package):
    url = reverse("lti:scorm_download", args=[package.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_opening_signs_in_one_account_per_learner_in_the_packages_organisation(
    client, package, module
):
    start = reverse("lti:scorm_start", args=[package.key])
    answer = client.get(start, {"learner": "emp-1", "name": "Eva Jansen"})
    assert answer.status_code == 302 and answer["Location"] == module.url
    learner = ScormLearner.objects.get()
    assert learner.user.full_name == "Eva Jansen"
    assert [m.organisation for m in Membership.objects.filter(user=learner.user)] == [
        package.organisation
    ]
    client.logout()
    client.get(start, {"learner": "emp-1", "name": "Eva Jansen"})
    assert ScormLearner.objects.count() == 1


def test_the_cap_and_revocation_stop_the_package(client, package):
    package.max_learners = 1
    package.save()
    start = reverse("lti:scorm_start", args=[package.key])
    assert client.get(start, {"learner": "emp-1"}).status_code == 302
    over = client.get(start, {"learner": "emp-2"})
    assert over.status_code == 403 and "aantal deelnemers" in over.content.decode()
    assert ScormLearner.objects.count() == 1

    package.is_revoked = True
    package.save()
    assert client.get(start, {"learner": "emp-1"}).status_code == 403
    status = client.get(reverse("lti:scorm_status", args=[package.key]), {"learner": "emp-1"})
    assert status.status_code == 403 and status.json() == {"status": "revoked"}
    assert (
        client.get(reverse("lti:scorm_start", args=["made-up"]), {"learner": "x"}).status_code
        == 403
    )


def test_the_status_says_passed_once_the_module_is_completed(client, package, module):
    client.get(reverse("lti:scorm_start", args=[package.key]), {"learner": "emp-1"})
    status_url = reverse("lti:scorm_status", args=[package.key])
    answer = client.get(status_url, {"learner": "emp-1"})
    assert answer.json() == {"status": "incomplete"}
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert client.get(status_url, {"learner": "someone"}).json() == {"status": "not attempted"}

    user = ScormLearner.objects.get().user
    start_module(user=user, module=module)
    for lesson in module.get_children().live().specific():
        complete_lesson(user=user, lesson=lesson)
    assert client.get(status_url, {"learner": "emp-1"}).json() == {"status": "passed", "score": 100}


def test_the_persons_lms_links_are_in_their_data_and_go_with_their_account(client, package):
    from accounts.personal_data import export
    from accounts.services import delete_account

    client.get(reverse("lti:scorm_start", args=[package.key]), {"learner": "emp-1"})
    user = ScormLearner.objects.get().user
    data = export(user)["lti"]
    assert data["scorm"] == [{"module": package.module.title, "learner_id": "emp-1"}]

    delete_account(user=user)
    assert not ScormLearner.objects.exists()
