"""Certificate reminders and completion emails move into core's ledger of emails sent once
(core.SentEmail): item the certificate's id, period the date the email was about. Rows of
certificates without a holder (an erased account) had been deleted with it; any left have
no recipient and are not copied."""

import datetime

from django.db import migrations

PREFIX = "certificate_"


def into_ledger(apps, schema_editor):
    CertificateReminder = apps.get_model("certificates", "CertificateReminder")
    SentEmail = apps.get_model("core", "SentEmail")
    rows = (
        CertificateReminder.objects.filter(certificate__user__isnull=False)
        .order_by("pk")
        .values_list("certificate__user_id", "kind", "certificate_id", "due_on", "sent_at")
    )
    batch = []
    for user_id, kind, certificate_id, due_on, sent_at in rows.iterator(chunk_size=2000):
        batch.append(
            SentEmail(
                user_id=user_id,
                kind=f"{PREFIX}{kind}",
                item=str(certificate_id),
                period=due_on.isoformat(),
                sent_at=sent_at,
            )
        )
        if len(batch) == 2000:
            SentEmail.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    SentEmail.objects.bulk_create(batch, ignore_conflicts=True)


def out_of_ledger(apps, schema_editor):
    CertificateReminder = apps.get_model("certificates", "CertificateReminder")
    SentEmail = apps.get_model("core", "SentEmail")
    Certificate = apps.get_model("certificates", "Certificate")
    rows = SentEmail.objects.filter(kind__startswith=PREFIX).order_by("pk")
    # The ledger does not follow a deleted certificate; the old table's key does.
    existing = set(Certificate.objects.values_list("pk", flat=True))
    CertificateReminder.objects.bulk_create(
        (
            CertificateReminder(
                certificate_id=int(row.item),
                kind=row.kind.removeprefix(PREFIX),
                due_on=datetime.date.fromisoformat(row.period),
                sent_at=row.sent_at,
            )
            for row in rows.iterator(chunk_size=2000)
            if int(row.item) in existing
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0006_accreditation_attendance"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(into_ledger, out_of_ledger)]
