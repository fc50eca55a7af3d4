"""Professional registers as data: a module's accreditation names a Register (it was a
free-text name), with the course ID at the register and an end date. Existing names become
registers (to be completed in the admin: the number they know people by), also in the
modules' revisions, so that older revisions still open."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def _register_for(Register, name: str):
    name = (name or "").strip() or "Onbekend register"
    register = Register.objects.filter(name=name).first()
    if register is None:
        slug, n = slugify(name)[:90] or "register", 1
        while Register.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{slugify(name)[:85]}-{n}"
        register = Register.objects.create(
            name=name, slug=slug, identifier_label="registratienummer"
        )
    return register


def names_to_registers(apps, schema_editor):
    Register = apps.get_model("courses", "Register")
    ModuleAccreditation = apps.get_model("courses", "ModuleAccreditation")
    for accreditation in ModuleAccreditation.objects.all():
        accreditation.register = _register_for(Register, accreditation.register_name)
        accreditation.save(update_fields=["register"])
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    module_type = ContentType.objects.filter(app_label="courses", model="modulepage").first()
    if module_type is None:
        return
    for revision in Revision.objects.filter(content_type=module_type).iterator():
        items = revision.content.get("accreditations") or []
        changed = False
        for item in items:
            if isinstance(item.get("register"), str):
                item["register"] = _register_for(Register, item["register"]).pk
                changed = True
        if changed:
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_lesson_help_texts"),
        ("wagtailcore", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Register",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                ("slug", models.SlugField(max_length=100, unique=True, verbose_name="slug")),
                (
                    "identifier_label",
                    models.CharField(
                        help_text="What learners are asked for, e.g. 'BIG-nummer' or 'registratienummer'.",
                        max_length=100,
                        verbose_name="name of the number",
                    ),
                ),
                (
                    "identifier_pattern",
                    models.CharField(
                        blank=True,
                        help_text="A regular expression the whole number must match, e.g. [0-9]{11} for a BIG number. Empty: any number of 3 to 30 letters, digits and dashes.",
                        max_length=200,
                        verbose_name="pattern of the number",
                    ),
                ),
                (
                    "identifier_example",
                    models.CharField(
                        blank=True,
                        help_text="Shown to learners.",
                        max_length=50,
                        verbose_name="example number",
                    ),
                ),
                (
                    "reporting",
                    models.CharField(
                        choices=[
                            ("pe_online", "PE-online (web service, or its XML file)"),
                            ("file", "A file the administrator uploads to the register"),
                        ],
                        default="pe_online",
                        max_length=20,
                        verbose_name="how attendance is reported",
                    ),
                ),
            ],
            options={
                "verbose_name": "professional register",
                "verbose_name_plural": "professional registers",
                "ordering": ["name"],
            },
        ),
        migrations.RenameField("moduleaccreditation", "register", "register_name"),
        migrations.AddField(
            model_name="moduleaccreditation",
            name="register",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accreditations",
                to="courses.register",
            ),
        ),
        migrations.RunPython(names_to_registers, migrations.RunPython.noop),
        migrations.RemoveField("moduleaccreditation", "register_name"),
        migrations.AlterField(
            model_name="moduleaccreditation",
            name="register",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accreditations",
                to="courses.register",
            ),
        ),
        migrations.AddField(
            model_name="moduleaccreditation",
            name="course_id",
            field=models.CharField(
                blank=True,
                help_text="The number the register gave the accredited course (PE-online: the PE course ID). Without it, attendance cannot be reported.",
                max_length=50,
                verbose_name="course ID at the register",
            ),
        ),
        migrations.AddField(
            model_name="moduleaccreditation",
            name="valid_until",
            field=models.DateField(
                blank=True,
                help_text="Completions after this day earn no points in this register.",
                null=True,
                verbose_name="accredited until",
            ),
        ),
    ]
