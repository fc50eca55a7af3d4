from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_member_standings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditlogentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("viewed_people", "viewed the people list"),
                    ("viewed_dashboard", "viewed the dashboard"),
                    ("viewed_person", "viewed a person"),
                    ("exported", "exported"),
                    ("imported", "imported members"),
                    ("invited", "invited"),
                    ("changed_membership", "changed a membership"),
                    ("ended_membership", "ended a membership"),
                    ("sent_reminder", "sent a reminder"),
                    ("accepted_invitation", "accepted an invitation"),
                    ("withdrew_invitation", "withdrew an invitation"),
                ],
                max_length=30,
            ),
        ),
    ]
