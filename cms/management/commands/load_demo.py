"""Load the demo: the site, the modules and the demo accounts with some progress. Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.services import ensure_verified_account
from certificates.models import Certificate
from cms.services import ensure_site
from courses.demo import give_demo_progress, load_demo_modules
from organisations.api import ensure_demo_totp, load_demo_organisations
from quizzes.demo import give_demo_attempts, give_demo_insight_attempts, load_demo_quizzes

DEMO_PASSWORD = "signaal-demo-2026"  # noqa: S105 - published on purpose; DEBUG-only

# (email, full name, superuser, Wagtail groups, what the account is for)
DEMO_ACCOUNTS = [
    ("leerling@signaal.test", "Lotte de Leerling", False, (), "learner"),
    (
        "coordinator@signaal.test",
        "Cor Coördinator",
        False,
        (),
        "coordinator of Veilig Thuis Regio Utrecht (demo); signs in with an authenticator code",
    ),
    (
        "redacteur@signaal.test",
        "Rena Redacteur",
        False,
        ("Editors",),
        "content author (Wagtail editor); signs in with an authenticator code",
    ),
    (
        "inhoudsdeskundige@signaal.test",
        "Ine Inhoudsdeskundige",
        False,
        ("Inhoudsdeskundigen",),
        "content reviewer: approves module changes; signs in with an authenticator code",
    ),
    (
        "beheer@signaal.test",
        "Bram Beheerder",
        True,
        (),
        "platform administrator; signs in with an authenticator code",
    ),
]


class Command(BaseCommand):
    help = "Create the demo site and accounts (only with DEBUG on). Safe to run repeatedly."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            # Demo accounts with a published password must never reach a real deployment.
            raise CommandError("load_demo only runs with DEBUG on (DJANGO_DEBUG=1).")
        with transaction.atomic():
            home = ensure_site(hostname="127.0.0.1", port=8000)
            modules = load_demo_modules(home=home)
            quizzes = load_demo_quizzes(modules=modules)
            for email, full_name, is_superuser, groups, _purpose in DEMO_ACCOUNTS:
                account = ensure_verified_account(
                    email=email,
                    full_name=full_name,
                    password=DEMO_PASSWORD,
                    is_superuser=is_superuser,
                    group_names=groups,
                )
                if is_superuser or groups:
                    # The admin asks for a second factor: the demo's fixed secret.
                    ensure_demo_totp(account)
            learner = User.objects.get(email="leerling@signaal.test")
            give_demo_progress(learner=learner, completed=modules[0], in_progress=modules[1])
            give_demo_attempts(learner=learner, completed=modules[0])
            give_demo_insight_attempts(quizzes=quizzes)
            organisations = load_demo_organisations()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo site ready: {len(modules)} modules, {len(quizzes)} scenario quizzes."
            )
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, _name, _su, _groups, purpose in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<28} {purpose}")
        self.stdout.write(
            f"Organisations: {len(organisations['organisations'])} demo organisations with "
            f"{organisations['members']} memberships, framework '{organisations['framework']}'."
        )
        coordinator_area = reverse(
            "organisations:dashboard", args=[organisations["coordinator_organisation"].slug]
        )
        self.stdout.write(
            "The admin and the coordinator area need a second factor. Every demo account but "
            "the learner uses one authenticator secret: add it to an authenticator app "
            "(FreeOTP, Aegis, Google Authenticator, ...) as "
            f"{organisations['totp_secret']}\n"
            f"  or this URL (as a QR code or link): {organisations['totp_url']}\n"
            "  then log in as coordinator@signaal.test, enter the 6-digit code, and open "
            f"http://127.0.0.1:8000{coordinator_area} (or as redacteur@, inhoudsdeskundige@ or "
            "beheer@signaal.test, and open http://127.0.0.1:8000/beheer/)"
        )
        certificate = Certificate.objects.filter(user=learner).first()
        if certificate:
            self.stdout.write(
                "The demo learner's certificate: "
                f"http://127.0.0.1:8000{reverse('certificate_verify', args=[certificate.code])}"
            )
