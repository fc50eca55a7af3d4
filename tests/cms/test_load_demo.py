import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from wagtail.models import Site

from cms.accounts.models import User
from cms.management.commands.load_demo import DEMO_PASSWORD
from cms.models import HomePage

DEMO_EMAILS = {
    "leerling@signaal.test",
    "coordinator@signaal.test",
    "redacteur@signaal.test",
    "inhoudsdeskundige@signaal.test",
    "beheer@signaal.test",
}


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_creates_site_and_accounts(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "/certificaten/verifieer/" in out

    assert HomePage.objects.count() == 1
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class is HomePage
    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == len(DEMO_EMAILS)
    for email in DEMO_EMAILS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_roles_have_the_right_rights(settings):
    settings.DEBUG = True
    call_command("load_demo")
    editor = User.objects.get(email="redacteur@signaal.test")
    admin = User.objects.get(email="beheer@signaal.test")
    learner = User.objects.get(email="leerling@signaal.test")
    assert editor.has_perm("wagtailadmin.access_admin")
    assert not editor.is_superuser
    assert admin.is_superuser
    assert not learner.has_perm("wagtailadmin.access_admin")


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_learner_has_one_module_completed_and_one_in_progress(settings):
    from courses.models import Enrolment, ModulePage

    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    assert ModulePage.objects.live().count() >= 6
    enrolments = Enrolment.objects.filter(user__email="leerling@signaal.test")
    assert enrolments.filter(completed_at__isnull=False).count() == 1
    in_progress = enrolments.get(completed_at__isnull=True)
    assert in_progress.lesson_completions.count() == 1
    assert in_progress.last_lesson is not None


@pytest.mark.django_db
def test_demo_learners_completed_module_has_a_passed_scenario_attempt(settings):
    from courses.models import Enrolment
    from quizzes.models import QuizAttempt, ScenarioQuizPage

    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
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
