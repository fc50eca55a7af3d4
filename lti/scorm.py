"""SCORM 1.2 dispatch packages: for an LMS without LTI 1.3, a small SCORM course per module
and organisation that opens the module on Signaal (the content stays here) and reports
completion and score back through the LMS's SCORM API (lti/scorm_files/launch.js).

The package's key opens Signaal as the LMS's learner (cmi.core.student_id) of that
package: an account of its own per learner, a member of the package's organisation. Who
has the package can open it, as with any SCORM dispatch: so it is revocable, and capped
at a number of learners."""

import io
import secrets
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from django.db import transaction

from accounts.models import User
from courses.models import Enrolment
from organisations.api import ensure_member

from .models import ScormLearner, ScormPackage

FILES = Path(__file__).parent / "scorm_files"


class PackageRefused(Exception):
    pass


def manifest(package: ScormPackage) -> str:
    title = escape(package.module.title)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="signaal-{package.pk}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
    http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="signaal">
    <organization identifier="signaal">
      <title>{title}</title>
      <item identifier="module" identifierref="launch" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>100</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="launch" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="launch.js"/>
    </resource>
  </resources>
</manifest>
"""


def launch_page(package: ScormPackage, base_url: str) -> str:
    title = escape(package.module.title)
    return f"""<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>{title} · Signaal</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main id="signaal" data-signaal={quoteattr(base_url.rstrip("/"))} data-key={quoteattr(package.key)}>
  <h1>{title}</h1>
  <p>Deze module staat op Signaal. Ze opent in een eigen venster; als je haar daar afrondt,
  komt je resultaat hier terug.</p>
  <p><button type="button" id="open">Open de module in Signaal</button></p>
  <p id="status" role="status"></p>
</main>
<script src="launch.js"></script>
</body>
</html>
"""


def build_zip(package: ScormPackage, base_url: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest(package))
        archive.writestr("index.html", launch_page(package, base_url))
        archive.writestr("launch.js", (FILES / "launch.js").read_text())
    return buffer.getvalue()


def open_package(key: str) -> ScormPackage:
    package = ScormPackage.objects.select_related("module", "organisation").filter(key=key).first()
    if package is None or package.is_revoked or not package.module.live:
        raise PackageRefused
    return package


@transaction.atomic
def learner_account(package: ScormPackage, learner_id: str, name: str) -> User:
    """The account of the LMS's learner in this package: made at the first opening while
    the package is under its cap."""
    package = ScormPackage.objects.select_for_update().get(pk=package.pk)
    found = ScormLearner.objects.filter(package=package, learner_id=learner_id).first()
    if found is not None:
        return found.user
    if package.learners.count() >= package.max_learners:
        raise PackageRefused
    user = User.objects.create_user(
        email=f"scorm-{package.pk}-{secrets.token_hex(8)}@lms.signaal.invalid",
        password=None,
        full_name=(name or "-")[:200],
    )
    ScormLearner.objects.create(package=package, learner_id=learner_id, user=user)
    ensure_member(user=user, organisation=package.organisation, role=package.member_role)
    return user


def learner_status(package: ScormPackage, learner_id: str) -> dict:
    learner = ScormLearner.objects.filter(package=package, learner_id=learner_id).first()
    if learner is None:
        return {"status": "not attempted"}
    completed = Enrolment.objects.filter(
        user=learner.user, module=package.module, completed_at__isnull=False
    ).exists()
    return {"status": "passed", "score": 100} if completed else {"status": "incomplete"}
