"""The load test's people and content, on its own database: the demo catalogue (load_demo),
synthetic organisations (cms.load_data), learners with real progress (through the
courses and quizzes services, so certificates are issued the normal way) and coordinators
with a password and an authenticator. Everything is idempotent: a second run adds only what
is missing. Call after django.setup(); the driver runs it with the server's settings, so
passwords are hashed the way the server checks them.

`plan()` is what the locustfile reads: page URLs and accounts."""

import base64
import datetime
import hashlib
import itertools
from collections.abc import Callable

LEARNER_DOMAIN = "learners.load.signaal.test"
COORDINATOR_DOMAIN = "coordinators.load.signaal.test"
# Benchmark accounts only, on a benchmark database.
PASSWORD = "signaal-load-test-2026"  # noqa: S105
ORGANISATION_PREFIX = "load"
LEARNER_ROLE = "uitvoerend-professional"
COORDINATOR_ROLE = "leidinggevende"


def learner_email(number: int) -> str:
    return f"learner-{number:04d}@{LEARNER_DOMAIN}"


def coordinator_email(number: int) -> str:
    return f"coordinator-{number:03d}@{COORDINATOR_DOMAIN}"


def totp_secret(email: str) -> str:
    """A fixed base32 secret per account (160 bits, as allauth makes them), so a rerun
    finds the authenticator it made before."""
    return base64.b32encode(hashlib.sha1(email.encode()).digest()).decode()  # noqa: S324


def ensure_organisations(*, count: int, members: int, say: Callable[[str], None]) -> list:
    """`count` synthetic organisations of `members` members each (slugs load-1, ...)."""
    from cms import load_data
    from organisations.models import Organisation

    def existing():
        return list(
            Organisation.objects.filter(slug__startswith=f"{ORGANISATION_PREFIX}-").order_by("pk")
        )

    found = existing()
    if len(found) < count:
        missing = count - len(found)
        say(f"Generating {missing} organisation(s) of {members} members ...")
        load_data.generate(
            members=members * missing,
            organisations=missing,
            prefix=ORGANISATION_PREFIX,
            seed=len(found) + 1,
        )
        found = existing()
    return found[:count]


def _bulk_accounts(emails: list[str], name: Callable[[int], str]) -> list:
    """Verified accounts with the load password. One hash for all: hashing is deliberately
    slow (a fraction of a second each) and the salt protects nothing here."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    hashed = make_password(PASSWORD)
    User.objects.bulk_create(
        User(email=email, full_name=name(number), password=hashed)
        for number, email in enumerate(emails)
        if email not in have
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    with_address = set(
        EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True)
        for user in users
        if user.pk not in with_address
    )
    return users


def _members(users: list, organisations: list, *, role_slug: str, coordinator: bool) -> None:
    """Make each person a member of one of the organisations, round robin."""
    from django.utils import timezone

    from organisations.models import Membership, Role

    role = Role.objects.get(slug=role_slug)
    member = set(
        Membership.objects.filter(user__in=users, ended_on__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    joined = timezone.localdate() - datetime.timedelta(days=200)
    Membership.objects.bulk_create(
        Membership(
            user=user,
            organisation=organisation,
            role=role,
            is_coordinator=coordinator,
            started_on=joined,
        )
        for user, organisation in zip(users, itertools.cycle(organisations), strict=False)
        if user.pk not in member
    )


def ensure_learners(*, count: int, organisations: list, say: Callable[[str], None]) -> None:
    """Learners learner-0000 ... as members of the organisations. Two in three have
    completed one module (every lesson read, the scenario quiz passed: a certificate, issued
    by the services as for anyone); everyone has read the first lesson of another."""
    from courses import services as course_services
    from courses.models import Enrolment, LessonPage, ModulePage
    from quizzes import selectors as quiz_selectors
    from quizzes import services as quiz_services

    emails = [learner_email(number) for number in range(count)]
    users = _bulk_accounts(emails, lambda number: f"Lerende {number:04d} (load)")
    _members(users, organisations, role_slug=LEARNER_ROLE, coordinator=False)
    started = set(
        Enrolment.objects.filter(user__in=users).values_list("user_id", flat=True).distinct()
    )
    modules = list(ModulePage.objects.live().order_by("path"))
    lessons = {
        module.pk: list(LessonPage.objects.child_of(module).live().order_by("path"))
        for module in modules
    }
    quizzes = {module.pk: quiz_selectors.module_quiz(module) for module in modules}
    todo = [(number, user) for number, user in enumerate(users) if user.pk not in started]
    for done, (number, user) in enumerate(todo, start=1):
        if number % 3 != 2:
            completed = modules[number % len(modules)]
            for lesson in lessons[completed.pk]:
                course_services.complete_lesson(user=user, lesson=lesson)
            if quizzes[completed.pk] is not None:
                quiz_services.play_best_path(user=user, quiz=quizzes[completed.pk])
        begun = modules[(number + 1) % len(modules)]
        course_services.complete_lesson(user=user, lesson=lessons[begun.pk][0])
        if done % 50 == 0 or done == len(todo):
            say(f"  learners with progress: {done}/{len(todo)}")


def ensure_coordinators(*, count: int, organisations: list) -> None:
    """Coordinators of the organisations (round robin), each with a password and a TOTP
    authenticator on totp_secret(email): the coordinator area needs a second factor."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    emails = [coordinator_email(number) for number in range(count)]
    users = _bulk_accounts(emails, lambda number: f"Coördinator {number:03d} (load)")
    _members(users, organisations, role_slug=COORDINATOR_ROLE, coordinator=True)
    with_totp = set(
        Authenticator.objects.filter(user__in=users, type=Authenticator.Type.TOTP).values_list(
            "user_id", flat=True
        )
    )
    for user in users:
        if user.pk not in with_totp:
            TOTP.activate(user, totp_secret(user.email))


def signed_in_sessions(emails: list[str]) -> dict[str, str]:
    """A fresh session per learner, as a login makes it (what a returning learner's browser
    still has): the load test's learners start signed in, as most visitors of a running
    service are. Coordinators and learners whose session ends sign in for real."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in User.objects.filter(email__in=emails):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.email] = session.session_key
    return keys


def plan(*, learners: int, coordinators: int) -> dict:
    """What the locustfile needs: the pages and the accounts (JSON-serialisable)."""
    from courses.models import CourseIndexPage, LessonPage, ModulePage
    from organisations.models import Membership
    from quizzes import selectors as quiz_selectors

    modules = []
    for module in ModulePage.objects.live().order_by("path"):
        quiz = quiz_selectors.module_quiz(module)
        modules.append(
            {
                "url": module.get_url(),
                "lessons": [
                    lesson.get_url()
                    for lesson in LessonPage.objects.child_of(module).live().order_by("path")
                ],
                "quiz": quiz.get_url() if quiz else None,
            }
        )
    catalogue = CourseIndexPage.objects.live().first()
    coordinated = dict(
        Membership.objects.filter(
            user__email__endswith=f"@{COORDINATOR_DOMAIN}",
            is_coordinator=True,
            ended_on__isnull=True,
        ).values_list("user__email", "organisation__slug")
    )
    return {
        "password": PASSWORD,
        "catalogue": catalogue.get_url(),
        "modules": modules,
        "learners": [learner_email(number) for number in range(learners)],
        "sessions": signed_in_sessions([learner_email(number) for number in range(learners)]),
        "coordinators": [
            {
                "email": coordinator_email(number),
                "totp_secret": totp_secret(coordinator_email(number)),
                "organisation": coordinated[coordinator_email(number)],
            }
            for number in range(coordinators)
        ],
    }


def prepare(
    *,
    learners: int,
    coordinators: int,
    organisations: int,
    members: int,
    say: Callable[[str], None] = print,
) -> dict:
    """Everything above, after load_demo has loaded the catalogue. Returns plan()."""
    found = ensure_organisations(count=organisations, members=members, say=say)
    say(f"Learners: {learners} ...")
    ensure_learners(count=learners, organisations=found, say=say)
    ensure_coordinators(count=coordinators, organisations=found)
    refresh_standings()
    return plan(learners=learners, coordinators=coordinators)


def refresh_standings() -> None:
    """What the hourly cron does: the organisations' stored statuses fresh for everyone
    (bulk inserts above send no signals), so the dashboards start as in production."""
    from organisations.compliance.statuses import refresh_all_standings

    refresh_all_standings()
