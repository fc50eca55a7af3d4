"""Upgrading a database that still has certificates' CertificateReminder and organisations'
ReminderLog: their rows move into core's ledger (SentEmail) and the old tables go; the
reminders recorded before are not sent again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from certificates import services
from core.models import SentEmail
from tests.courses.conftest import catalogue, make_module  # noqa: F401
from tests.factories import CertificateFactory, UserFactory

# Before this change: no core migrations, certificates up to 0006, organisations up to 0008.
BEFORE = [
    ("core", None),
    ("certificates", "0006_accreditation_attendance"),
    ("organisations", "0008_merge_compliance_statement"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def latest_afterwards():
    """Whatever happens in the test, the database ends as the other tests expect it."""
    yield
    migrate_to_latest()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_reminders_recorded_before_move_into_the_ledger_and_are_not_sent_again(
    settings,
    catalogue,  # noqa: F811
    latest_afterwards,
):
    settings.CERTIFICATE_REMINDER_DAYS = 60
    today = datetime.date.today()
    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    learner = UserFactory()
    certificate = CertificateFactory(
        user=learner, module=module, expires_on=today + datetime.timedelta(days=30)
    )
    orphan = CertificateFactory(
        user=None, holder_name="", module=module, expires_on=today + datetime.timedelta(days=30)
    )
    sent_at = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)

    old = migrate(BEFORE)
    old.get_model("certificates", "CertificateReminder").objects.create(
        certificate_id=certificate.pk, kind="expiring", due_on=certificate.expires_on
    )
    old.get_model("certificates", "CertificateReminder").objects.create(
        certificate_id=certificate.pk, kind="issued", due_on=certificate.expires_on
    )
    # A certificate without a holder has nobody to record it for.
    old.get_model("certificates", "CertificateReminder").objects.create(
        certificate_id=orphan.pk, kind="expiring", due_on=orphan.expires_on
    )
    old.get_model("organisations", "ReminderLog").objects.create(
        user_id=learner.pk,
        kind="learner_digest",
        item="requirement:7:due",
        period="2026-02-01-30",
        sent_at=sent_at,
    )

    migrate_to_latest()

    due_on = certificate.expires_on.isoformat()
    assert set(SentEmail.objects.values_list("user_id", "kind", "item", "period").order_by()) == {
        (learner.pk, "certificate_expiring", str(certificate.pk), due_on),
        (learner.pk, "certificate_issued", str(certificate.pk), due_on),
        (learner.pk, "learner_digest", "requirement:7:due", "2026-02-01-30"),
    }
    assert SentEmail.objects.get(kind="learner_digest").sent_at == sent_at
    tables = connection.introspection.table_names()
    assert "certificates_certificatereminder" not in tables
    assert "organisations_reminderlog" not in tables
    # What was recorded before is not sent again.
    assert services.send_certificate_reminders(today=today) == 0


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_move_can_be_undone(latest_afterwards):
    learner = UserFactory()
    certificate = CertificateFactory(user=learner, module=None, module_title="Rode vlaggen")
    SentEmail.objects.create(
        user=learner,
        kind="certificate_expiring",
        item=str(certificate.pk),
        period=certificate.expires_on.isoformat(),
    )
    SentEmail.objects.create(
        user=learner, kind="coordinator_request", item="organisation:3", period="2026-03-02"
    )

    old = migrate(BEFORE[1:])
    reminder = old.get_model("certificates", "CertificateReminder").objects.get()
    assert (reminder.certificate_id, reminder.kind, reminder.due_on) == (
        certificate.pk,
        "expiring",
        certificate.expires_on,
    )
    log = old.get_model("organisations", "ReminderLog").objects.get()
    assert (log.user_id, log.kind, log.item, log.period) == (
        learner.pk,
        "coordinator_request",
        "organisation:3",
        "2026-03-02",
    )

    migrate_to_latest()
    assert SentEmail.objects.count() == 2
