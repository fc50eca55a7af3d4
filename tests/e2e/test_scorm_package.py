"""The SCORM 1.2 dispatch package in a real browser: an LMS page (the test LMS, another
site) with a SCORM 1.2 API stand-in that records every call frames the package's
index.html; the package finds the API, opens the module on Signaal in a window of its
own, and when the learner has completed it there, reports lesson_status and score.raw
back to the LMS."""

import io
import zipfile

import pytest

from lti.models import ScormLearner, ScormPackage
from lti.scorm import build_zip
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory, RoleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LMS_PAGE = """<!doctype html><html lang="nl"><title>LMS</title>
<script>
window.calls = [];
var data = {"cmi.core.student_id": "emp-4711", "cmi.core.student_name": "Jansen, Eva",
            "cmi.core.lesson_status": "not attempted"};
function record(name, result) {
  return function () {
    window.calls.push([name].concat(Array.prototype.slice.call(arguments)));
    return result(arguments);
  };
}
window.API = {
  LMSInitialize: record("LMSInitialize", function () { return "true"; }),
  LMSGetValue: record("LMSGetValue", function (a) { return data[a[0]] || ""; }),
  LMSSetValue: record("LMSSetValue", function (a) { data[a[0]] = a[1]; return "true"; }),
  LMSCommit: record("LMSCommit", function () { return "true"; }),
  LMSFinish: record("LMSFinish", function () { return "true"; }),
  LMSGetLastError: function () { return "0"; },
  LMSGetErrorString: function () { return ""; },
  LMSGetDiagnostic: function () { return ""; }
};
</script>
<h1>Verplichte scholing</h1>
<iframe title="Cursus" src="/scorm/index.html" width="900" height="500"></iframe>
"""


@pytest.fixture
def module(site):
    from courses import content_loader
    from tests import registers
    from tests.courses.conftest import make_module

    registers.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    return make_module(catalogue, "Signalen herkennen in de zorg", lessons=1)


def test_the_package_opens_the_module_and_reports_completion_to_the_lms(
    page, live_server, lms, module
):
    package = ScormPackage.objects.create(
        organisation=OrganisationFactory(), module=module, member_role=RoleFactory()
    )
    archive = zipfile.ZipFile(io.BytesIO(build_zip(package, live_server.url)))
    for name in ("index.html", "launch.js"):
        lms.pages["/scorm/" + name] = archive.read(name).decode()
    lms.pages["/lms"] = LMS_PAGE

    page.goto(lms.issuer + "/lms")
    frame = page.frame_locator("iframe[title=Cursus]")
    button = frame.get_by_role("button", name="Open de module in Signaal")
    button.wait_for()
    calls = page.evaluate("window.calls")
    assert calls[0] == ["LMSInitialize", ""]
    assert ["LMSGetValue", "cmi.core.student_id"] in calls
    assert ["LMSSetValue", "cmi.core.lesson_status", "incomplete"] in calls

    with page.expect_popup() as opened:
        button.click()
    window = opened.value
    window.wait_for_url(live_server.url + module.url)
    learner = ScormLearner.objects.get(package=package, learner_id="emp-4711")
    assert learner.user.full_name == "Jansen, Eva"
    assert Membership.objects.filter(user=learner.user, organisation=package.organisation).exists()

    window.get_by_role("link", name="Les 1").first.click()
    window.get_by_role("button", name="Markeer als gedaan").click()
    window.wait_for_load_state()

    page.wait_for_function(
        "window.calls.some(c => c[1] === 'cmi.core.lesson_status' && c[2] === 'passed')",
        timeout=20000,
    )
    calls = page.evaluate("window.calls")
    assert ["LMSSetValue", "cmi.core.score.raw", "100"] in calls
    assert calls.index(["LMSSetValue", "cmi.core.score.raw", "100"]) < calls.index(
        ["LMSSetValue", "cmi.core.lesson_status", "passed"]
    )
    assert calls[-1] == ["LMSCommit", ""]
    assert frame.get_by_role("status").inner_text().startswith("Afgerond in Signaal")
