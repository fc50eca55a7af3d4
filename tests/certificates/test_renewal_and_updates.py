"""Recertification and updates: renewing after expiry or within the renewal window starts
the next cycle; a new module version that requires an update gives holders a deadline and a
short path through what changed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from certificates import selectors, services
from certificates.models import Certificate, CertificateStatus
from courses import services as course_services
from courses.models import Enrolment, LessonPage, ModulePage, ModuleVersion
from courses.selectors import learning as course_selectors
from quizzes.services import play_best_path
from tests.courses.conftest import add_lesson, lessons_of
from tests.factories import UserFactory
from tests.quizzes.conftest import catalogue, module, quiz  # noqa: F401

pytestmark = pytest.mark.django_db

RENEW_BUTTON = "Opnieuw doen / Certificaat vernieuwen"


def complete_again(module, quiz, user) -> Enrolment:  # noqa: F811
    """Do what the learner does: start (or resume), read the required lessons, pass the quiz."""
    enrolment = course_services.start_module(user=user, module=module)
    required = course_services.required_lesson_ids(enrolment)
    for lesson in LessonPage.objects.filter(pk__in=required):
        course_services.complete_lesson(user=user, lesson=lesson)
    play_best_path(user=user, quiz=quiz)
    enrolment.refresh_from_db()
    return enrolment


def expire_on(certificate: Certificate, day: datetime.date) -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=day)
    certificate.refresh_from_db()
    return certificate


def dutch_date(day: datetime.date) -> str:
    with translation.override("nl"):
        return date_format(day, "j F Y")


def publish_new_version(page: ModulePage, **fields) -> ModulePage:
    """Publish the module as an editor does with 'substantive change' ticked."""
    page = ModulePage.objects.get(pk=page.pk)
    page.substantive_change = True
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_renewal_after_expiry_issues_cycle_2_and_keeps_cycle_1_as_expired(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    first_enrolment = complete_again(module, quiz, learner)
    first = Certificate.objects.get(user=learner)
    today = timezone.localdate()
    expire_on(first, today - datetime.timedelta(days=10))
    assert selectors.renewal_open(user=learner, module=module)

    client.force_login(learner)
    assert RENEW_BUTTON in client.get(module.url).content.decode()

    second_enrolment = complete_again(module, quiz, learner)
    assert second_enrolment.pk != first_enrolment.pk
    assert second_enrolment.module_version.number == 1
    assert second_enrolment.update_from_version is None  # a renewal takes the whole module
    assert second_enrolment.completed_at is not None
    second = Certificate.objects.get(user=learner, cycle=2)
    assert second.enrolment == second_enrolment
    assert second.expires_on == services.certificate_expiry(
        today, module.certificate_validity_months
    )
    first.refresh_from_db()
    assert first.status() == CertificateStatus.EXPIRED and first.revoked_at is None
    assert not selectors.renewal_open(user=learner, module=module)

    page = client.get("/mijn-certificaten/").content.decode()
    assert first.formatted_code in page and second.formatted_code in page
    assert "vernieuwd" in page  # cycle 1 is marked as renewed


def test_renewal_within_the_window_continues_from_the_old_end_date(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    complete_again(module, quiz, learner)
    today = timezone.localdate()
    first = expire_on(Certificate.objects.get(user=learner), today + datetime.timedelta(days=30))
    assert selectors.renewal_open(user=learner, module=module)
    client.force_login(learner)
    assert "Verlenging mogelijk" in client.get("/mijn-certificaten/").content.decode()

    complete_again(module, quiz, learner)
    second = Certificate.objects.get(user=learner, cycle=2)
    assert second.expires_on == services.certificate_expiry(
        first.expires_on, module.certificate_validity_months
    )
    # Cycle 1 keeps its own dates (a snapshot) and is expired once they have passed.
    first.refresh_from_db()
    assert first.status(today=first.expires_on + datetime.timedelta(days=1)) == (
        CertificateStatus.EXPIRED
    )
    assert second.status(today=first.expires_on + datetime.timedelta(days=1)) == (
        CertificateStatus.VALID
    )


def test_outside_the_window_no_recompletion_is_offered_and_nothing_is_issued(
    client,
    module,  # noqa: F811
    quiz,  # noqa: F811
    settings,
):
    settings.CERTIFICATE_RENEWAL_WINDOW_DAYS = 60
    learner = UserFactory()
    done = complete_again(module, quiz, learner)
    certificate = expire_on(
        Certificate.objects.get(user=learner), timezone.localdate() + datetime.timedelta(days=61)
    )
    assert not selectors.renewal_open(user=learner, module=module)
    client.force_login(learner)
    assert RENEW_BUTTON not in client.get(module.url).content.decode()
    assert "Verlenging mogelijk" not in client.get("/mijn-certificaten/").content.decode()

    # Starting, reading and playing again all land on the completed enrolment.
    assert course_services.start_module(user=learner, module=module) == done
    again = complete_again(module, quiz, learner)
    assert again == done
    assert services.issue_for(enrolment=done) == certificate
    assert list(Certificate.objects.filter(user=learner)) == [certificate]
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_a_revoked_certificate_does_not_open_renewal(module, quiz):  # noqa: F811
    learner = UserFactory()
    complete_again(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    services.revoke(certificate=certificate, by=UserFactory(is_superuser=True), reason="Fraude")
    expire_on(certificate, timezone.localdate() - datetime.timedelta(days=1))
    assert not selectors.renewal_open(user=learner, module=module)


def test_publishing_a_required_update_records_it_on_the_new_version_and_clears_the_ticks(
    module,  # noqa: F811
):
    module = publish_new_version(
        module, update_required=True, update_within_days=30, change_note="Nieuwe les over stalking."
    )
    version = ModuleVersion.objects.get(module=module, number=2)
    assert version.update_required
    assert version.update_due_on == timezone.localdate(version.created_at) + datetime.timedelta(
        days=30
    )
    assert version.note == "Nieuwe les over stalking."
    assert (module.substantive_change, module.update_required, module.change_note) == (
        False,
        False,
        "",
    )
    content = module.latest_revision.content
    assert (content["update_required"], content["change_note"]) == (False, "")

    # A later substantive change without the tick requires nothing.
    publish_new_version(module)
    version_3 = ModuleVersion.objects.get(module=module, number=3)
    assert (version_3.update_required, version_3.update_due_on) == (False, None)


def test_an_update_cannot_be_required_without_a_substantive_change(module):  # noqa: F811
    module = ModulePage.objects.get(pk=module.pk)
    module.update_required = True
    with pytest.raises(ValidationError):
        module.save_revision()


def test_update_requirements_is_one_query_and_update_due_on_is_pure(
    module,  # noqa: F811
    catalogue,  # noqa: F811
    django_assert_num_queries,
):
    from tests.courses.conftest import make_module

    other = make_module(catalogue, "Dwingende controle", lessons=1)
    today = timezone.localdate()
    ModuleVersion.objects.create(
        module=module, number=2, update_required=True, update_due_on=today + datetime.timedelta(40)
    )
    ModuleVersion.objects.create(module=module, number=3)
    ModuleVersion.objects.create(
        module=module, number=4, update_required=True, update_due_on=today + datetime.timedelta(20)
    )
    with django_assert_num_queries(1):
        requirements = selectors.update_requirements([module.pk, other.pk])
    assert requirements == {
        module.pk: [(2, today + datetime.timedelta(40)), (4, today + datetime.timedelta(20))],
        other.pk: [],
    }
    with django_assert_num_queries(0):
        due = [
            selectors.update_due_on(module_version=number, requirements=requirements[module.pk])
            for number in (1, 2, 3, 4)
        ]
    assert due == [today + datetime.timedelta(20)] * 3 + [None]


def test_holders_of_an_older_version_keep_a_valid_certificate_with_an_update_deadline(
    client,
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    learner = UserFactory(full_name="Sanne Visser", email="sanne.visser@example.nl")
    complete_again(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    publish_new_version(module, update_required=True, update_within_days=45)
    due = timezone.localdate() + datetime.timedelta(days=45)

    assert certificate.status() == CertificateStatus.VALID
    assert selectors.certificate_update_due_on(certificate) == due
    client.force_login(learner)
    expected = f"Update nodig vóór {dutch_date(due)}"
    assert expected in client.get("/mijn-certificaten/").content.decode()
    module_page = client.get(module.url).content.decode()
    assert expected in module_page and "Update starten" in module_page

    # The public page: still valid, the version it covers, that a newer one exists; nothing
    # about the holder beyond the name.
    client.logout()
    page = client.get(f"/certificaten/verifieer/{certificate.code}/").content.decode()
    assert "Geldig" in page
    assert "Dit certificaat geldt voor versie 1" in page and "versie 2" in page
    assert "Update nodig" not in page and "sanne.visser" not in page

    # Past the deadline the certificate is still valid, and the update overdue.
    later = selectors.certificate_overview(user=learner, today=due + datetime.timedelta(days=1))
    assert later[0].update_overdue and later[0].status == CertificateStatus.VALID


def test_the_update_path_requires_only_changed_lessons_and_the_quiz_and_issues_a_certificate_for_the_new_version(  # noqa: E501
    client,
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    add_lesson(module, "Les 3")
    unchanged, changed, also_unchanged = lessons_of(module)
    learner = UserFactory()
    complete_again(module, quiz, learner)
    assert Certificate.objects.get(user=learner).module_version == 1

    publish_new_version(
        module, update_required=True, change_note="Les 2 is herschreven; les 4 is nieuw."
    )
    changed.title = "Les 2 (herschreven)"
    changed.save_revision().publish()
    added = add_lesson(module, "Les 4")

    client.force_login(learner)
    page = client.get(module.url).content.decode()
    assert "Les 2 is herschreven; les 4 is nieuw." in page  # what changed, before starting

    enrolment = course_services.start_module(user=learner, module=module)
    assert (enrolment.module_version.number, enrolment.update_from_version) == (2, 1)
    assert course_services.required_lesson_ids(enrolment) == (changed.pk, added.pk)
    outline = course_selectors.module_outline(module=module, enrolment=enrolment)
    assert [step.required for step in outline.steps] == [False, True, False, True]
    assert (outline.done, outline.total) == (0, 2)

    for lesson in (changed, added):
        enrolment = course_services.complete_lesson(user=learner, lesson=lesson)
    assert enrolment.completed_at is None  # the scenario quiz is still required
    completion = course_services.module_completion(enrolment=enrolment)
    assert completion.lessons_done == completion.lessons_total == 2
    assert not completion.assessment_passed

    play_best_path(user=learner, quiz=quiz)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    new = Certificate.objects.get(user=learner, cycle=2)
    assert (new.module_version, new.enrolment) == (2, enrolment)
    assert LessonPage.objects.filter(pk__in=[unchanged.pk, also_unchanged.pk]).count() == 2
    assert not enrolment.lesson_completions.filter(lesson__in=[unchanged, also_unchanged]).exists()
    # The new certificate has nothing due; the old one is kept, no longer the one that counts.
    rows = selectors.certificate_overview(user=learner)
    assert [(row.certificate.cycle, row.is_current, row.update_due_on) for row in rows] == [
        (2, True, None),
        (1, False, None),
    ]
    assert "Update nodig" not in client.get("/mijn-certificaten/").content.decode()


def test_an_update_where_no_lesson_changed_requires_the_whole_module(module, quiz):  # noqa: F811
    learner = UserFactory()
    complete_again(module, quiz, learner)
    publish_new_version(module, update_required=True)
    enrolment = course_services.start_module(user=learner, module=module)
    assert enrolment.update_from_version == 1
    assert course_services.required_lesson_ids(enrolment) == tuple(
        lesson.pk for lesson in lessons_of(module)
    )


def test_a_holder_within_the_renewal_window_renews_the_whole_module_instead_of_updating(
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    learner = UserFactory()
    complete_again(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    publish_new_version(module, update_required=True)
    changed = lessons_of(module)[0]
    changed.save_revision().publish()

    expire_on(certificate, timezone.localdate() + datetime.timedelta(days=10))
    enrolment = course_services.start_module(user=learner, module=module)
    assert enrolment.update_from_version is None
    assert len(course_services.required_lesson_ids(enrolment)) == 2


def test_an_update_in_progress_becomes_a_renewal_when_the_certificate_reaches_its_window(
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    learner = UserFactory()
    complete_again(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    publish_new_version(module, update_required=True)
    lessons_of(module)[0].save_revision().publish()
    enrolment = course_services.start_module(user=learner, module=module)
    assert len(course_services.required_lesson_ids(enrolment)) == 1

    expire_on(certificate, timezone.localdate() - datetime.timedelta(days=1))
    enrolment = course_services.start_module(user=learner, module=module)
    assert enrolment.update_from_version is None
    assert len(course_services.required_lesson_ids(enrolment)) == 2


def test_an_update_deadline_after_the_expiry_gives_way_to_the_expiry(
    client,
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    """Issue 20.12, on the learner's side: when the certificate ends before the update
    deadline, 'Mijn certificaten' and the module page show the expiry, not the update."""
    learner = UserFactory()
    complete_again(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    certificate.expires_on = timezone.localdate() + datetime.timedelta(days=30)
    certificate.save(update_fields=["expires_on"])
    publish_new_version(module, update_required=True, update_within_days=45)

    assert selectors.certificate_update_due_on(certificate) is None
    [row] = selectors.certificate_overview(user=learner)
    assert row.update_due_on is None and row.renewal_open
    client.force_login(learner)
    page = client.get("/mijn-certificaten/").content.decode()
    assert "Update nodig" not in page and "Verlenging mogelijk" in page

    # An update deadline before the expiry still counts.
    certificate.expires_on = timezone.localdate() + datetime.timedelta(days=90)
    certificate.save(update_fields=["expires_on"])
    assert selectors.certificate_update_due_on(certificate) == (
        timezone.localdate() + datetime.timedelta(days=45)
    )
