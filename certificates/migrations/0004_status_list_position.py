"""Random Bitstring Status List positions instead of the database id: existing certificates
get a random free index in the new lists. Credentials downloaded before point at the old
lists (numbered by id), which stay published at their old address
(selectors.revoked_legacy_status_indexes), so their revocations still show. Rows written
in bulk without one (organisations.loaddata) get theirs when their credential is first
made (Certificate.ensure_status_position)."""

import secrets

from django.db import migrations, models

STATUS_LIST_BITS = 131_072
STATUS_LIST_CERTIFICATES = STATUS_LIST_BITS // 2


def assign_random_positions(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    taken: set[tuple[int, int]] = set()
    for count, certificate in enumerate(Certificate.objects.order_by("pk").only("pk")):
        list_number = count // STATUS_LIST_CERTIFICATES + 1
        while True:
            position = (list_number, secrets.randbelow(STATUS_LIST_BITS))
            if position not in taken:
                break
        taken.add(position)
        Certificate.objects.filter(pk=certificate.pk).update(
            status_list=position[0], status_index=position[1]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_completion_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="status_list",
            field=models.PositiveIntegerField(
                null=True, editable=False, verbose_name="status list"
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="status_index",
            field=models.PositiveIntegerField(
                null=True, editable=False, verbose_name="status list index"
            ),
        ),
        migrations.RunPython(assign_random_positions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                fields=("status_list", "status_index"), name="one_certificate_per_status_bit"
            ),
        ),
    ]
