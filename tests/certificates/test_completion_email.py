"""Completing a module sends one email with the certificate's links (issue 19)."""

import pytest
from django.core import mail

from certificates import services
from certificates.models import Certificate
from courses import services as course_services
from tests.courses.conftest import catalogue, lessons_of, make_module  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_completing_a_module_sends_one_email_with_the_certificate(
    catalogue,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    module = make_module(catalogue, "Rode vlaggen herkennen", lessons=1)
    learner = UserFactory(full_name="Lotte de Wit")
    with django_capture_on_commit_callbacks(execute=True):
        course_services.complete_lesson(user=learner, lesson=lessons_of(module)[0])
    certificate = Certificate.objects.get(user=learner)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [learner.email]
    assert "Rode vlaggen herkennen" in email.subject
    assert f"/certificaten/verifieer/{certificate.code}/" in email.body
    assert f"/certificaten/{certificate.code}/pdf/" in email.body
    assert "Open Badge" in email.body
    assert email.alternatives[0][1] == "text/html"

    # Never twice: again by hand, or completing the module once more, sends nothing.
    assert services.send_completion_email(certificate=certificate) is False
    with django_capture_on_commit_callbacks(execute=True):
        course_services.complete_lesson(user=learner, lesson=lessons_of(module)[0])
    assert len(mail.outbox) == 1
