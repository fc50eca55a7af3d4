import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from wagtail.models import Site

from accounts.models import User
from cms.management.commands.load_demo import DEMO_PASSWORD
from cms.models import HomePage
from tests import registers

# Loading the demo takes most of a minute (`make test-fast` leaves these tests out).
pytestmark = pytest.mark.slow

DEMO_EMAILS = {
    "leerling@signaal.test",
    "coordinator@signaal.test",
    "redacteur@signaal.test",
    "inhoudsdeskundige@signaal.test",
    "beheer@signaal.test",
}


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    # First in the file: before the module's demo below is loaded.
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as `make demo` leaves it when run twice, loaded once for this module's
    tests (each sees it in its own transaction, nested in this one) and rolled back after
    them. load_demo fills a new site: without the registers the session loads for others."""
    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        registers.remove_all()
        call_command("load_demo", stdout=out)
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_creates_site_and_accounts(demo):
    out = demo
    assert DEMO_PASSWORD in out
    assert "/certificaten/verifieer/" in out

    assert HomePage.objects.count() == 1
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class is HomePage
    assert set(User.objects.values_list("email", flat=True)) >= DEMO_EMAILS
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == len(DEMO_EMAILS)
    for email in DEMO_EMAILS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    # Everyone else is demo staff of the demo organisations, who cannot log in.
    staff = User.objects.exclude(email__in=DEMO_EMAILS)
    assert all(user.email.endswith(".demo.signaal.test") for user in staff)
    assert not any(user.has_usable_password() for user in staff)
    check_demo_organisations(out)


def check_demo_organisations(out: str) -> None:
    """Three demo organisations with about 40 members in mixed states, the example
    framework, a year of snapshots, and the demo coordinator with a fixed TOTP secret
    (after loading twice: nothing doubled)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import hotp_value
    from allauth.mfa.utils import decrypt

    from organisations.access import may_coordinate
    from organisations.compliance.computation import compliance, learner_requirements
    from organisations.compliance.rule import Status
    from organisations.demo import DEMO_TOTP_SECRET
    from organisations.models import ComplianceSnapshot, Membership, Organisation

    organisations = Organisation.objects.filter(name__endswith="(demo)")
    assert organisations.count() == 3
    assert len({organisation.sector_id for organisation in organisations}) == 3
    members = Membership.objects.filter(organisation__in=organisations)
    assert 38 <= members.count() <= 45
    statuses = set()
    for organisation in organisations:
        assert organisation.framework.is_example
        assert organisation.teams.count() >= 2
        report = compliance(organisation)
        statuses |= {member.worst_status for member in report.members}
        assert 0 < report.compliant_count < len(report.members)
        assert ComplianceSnapshot.objects.filter(organisation=organisation).count() == 12
    assert {
        Status.COMPLIANT,
        Status.EXPIRING,
        Status.EXPIRED,
        Status.OVERDUE,
        Status.IN_PROGRESS,
        Status.NOT_STARTED,
    } <= statuses

    coordinator = User.objects.get(email="coordinator@signaal.test")
    vt = organisations.get(slug="veilig-thuis-regio-utrecht-demo")
    assert may_coordinate(coordinator, vt)
    assert not may_coordinate(coordinator, organisations.exclude(pk=vt.pk).first())
    [totp] = Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP)
    assert decrypt(totp.data["secret"]) == DEMO_TOTP_SECRET
    assert hotp_value(DEMO_TOTP_SECRET, 1) >= 0  # a valid base32 secret
    assert DEMO_TOTP_SECRET in out and "otpauth://totp/" in out
    learner = User.objects.get(email="leerling@signaal.test")
    assert learner_requirements(learner)


@pytest.mark.django_db
def test_demo_roles_have_the_right_rights(demo):
    editor = User.objects.get(email="redacteur@signaal.test")
    admin = User.objects.get(email="beheer@signaal.test")
    learner = User.objects.get(email="leerling@signaal.test")
    assert editor.has_perm("wagtailadmin.access_admin")
    assert not editor.is_superuser
    assert admin.is_superuser
    assert not learner.has_perm("wagtailadmin.access_admin")


@pytest.mark.django_db
def test_demo_admin_accounts_can_pass_the_admins_second_factor(demo, client):
    from allauth.mfa.utils import is_mfa_enabled

    from organisations.demo import DEMO_TOTP_SECRET
    from tests.auth import totp_code

    for email in (
        "redacteur@signaal.test",
        "inhoudsdeskundige@signaal.test",
        "beheer@signaal.test",
    ):
        assert is_mfa_enabled(User.objects.get(email=email)), email
    assert not is_mfa_enabled(User.objects.get(email="leerling@signaal.test"))
    client.post(
        "/account/login/", {"login": "beheer@signaal.test", "password": "signaal-demo-2026"}
    )
    client.post("/account/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)})
    assert client.get("/beheer/").status_code == 200


@pytest.mark.django_db
def test_demo_learner_has_one_module_completed_and_one_in_progress(demo):
    from courses.models import Enrolment, ModulePage

    assert ModulePage.objects.live().count() >= 6
    enrolments = Enrolment.objects.filter(user__email="leerling@signaal.test")
    assert enrolments.filter(completed_at__isnull=False).count() == 1
    in_progress = enrolments.get(completed_at__isnull=True)
    assert in_progress.lesson_completions.count() == 1
    assert in_progress.last_lesson is not None


@pytest.mark.django_db
def test_demo_learners_completed_module_has_a_passed_scenario_attempt(demo):
    from courses.models import Enrolment
    from quizzes.models import QuizAttempt, ScenarioQuizPage

    assert ScenarioQuizPage.objects.live().count() >= 6
    completed = Enrolment.objects.get(
        user__email="leerling@signaal.test", completed_at__isnull=False
    )
    passed = QuizAttempt.objects.get(enrolment=completed, passed=True)
    from certificates.models import Certificate, CertificateStatus

    certificate = Certificate.objects.get(user__email="leerling@signaal.test")
    assert certificate.status() == CertificateStatus.VALID
    assert certificate.enrolment == completed
    assert passed.score >= passed.pass_mark
    assert passed.answers.count() >= 2
