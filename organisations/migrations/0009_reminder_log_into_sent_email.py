"""The reminder log moves into core's ledger of emails sent once (core.SentEmail): the same
person, kind, item, period and time, the same uniqueness."""

from django.db import migrations

KINDS = ("learner_digest", "coordinator_summary", "coordinator_request")
FIELDS = ("user_id", "kind", "item", "period", "sent_at")


def _copy(target, rows):
    batch = []
    for values in rows.values_list(*FIELDS).iterator(chunk_size=2000):
        batch.append(target(**dict(zip(FIELDS, values, strict=True))))
        if len(batch) == 2000:
            target.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    target.objects.bulk_create(batch, ignore_conflicts=True)


def into_ledger(apps, schema_editor):
    ReminderLog = apps.get_model("organisations", "ReminderLog")
    SentEmail = apps.get_model("core", "SentEmail")
    _copy(SentEmail, ReminderLog.objects.order_by("pk"))


def out_of_ledger(apps, schema_editor):
    ReminderLog = apps.get_model("organisations", "ReminderLog")
    SentEmail = apps.get_model("core", "SentEmail")
    rows = SentEmail.objects.filter(kind__in=KINDS).order_by("pk")
    _copy(ReminderLog, rows)
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0008_merge_compliance_statement"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(into_ledger, out_of_ledger)]
