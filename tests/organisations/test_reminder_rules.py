"""Issue 20.10: a coordinator sets when reminders go to learners and when late people are
escalated; the hourly run follows them. Time is moved by passing `today`."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import SentEmail
from organisations.compliance.reminder_mail import (
    send_coordinator_summaries,
    send_learner_digests,
)
from organisations.compliance.reminder_rules import (
    DEFAULT_RULES,
    ReminderRules,
    rules_for,
    set_reminder_rules,
)
from organisations.models import AuditAction, AuditLogEntry, ReminderSchedule

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def newcomer(organisation, modules):
    """'Meldcode' within 60 days of joining; Nina joined today: her deadline is day 60."""
    requirement(organisation, modules[1], due_within_days=60)
    return MembershipFactory(
        organisation=organisation, started_on=day(0), user__full_name="Nina Nieuw"
    ).user


def digests_to(user, days: range) -> list[int]:
    """The days (offsets) on which the person got a digest, running the hourly job once on
    every day of `days` (the log rows it writes dated that day, as if it ran then)."""
    got = []
    for offset in days:
        before = len(mail.outbox)
        last = SentEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        send_learner_digests(today=day(offset))
        noon = timezone.make_aware(datetime.datetime.combine(day(offset), datetime.time(12)))
        SentEmail.objects.filter(pk__gt=last).update(sent_at=noon)
        if any(message.to == [user.email] for message in mail.outbox[before:]):
            got.append(offset)
    return got


def test_the_defaults_remind_30_and_7_days_before_then_weekly(newcomer):
    assert rules_for(newcomer.memberships.get().organisation) == DEFAULT_RULES
    # Deadline on day 60: reminders on day 30 and 53, late from day 61, then weekly.
    assert digests_to(newcomer, range(0, 80)) == [30, 53, 61, 68, 75]


def test_the_organisations_own_rules_are_followed(newcomer, organisation, coordinator):
    set_reminder_rules(
        organisation,
        ReminderRules(days_before=(45, 14, 1), repeat_after_days=10),
        actor=coordinator,
    )
    assert digests_to(newcomer, range(0, 85)) == [15, 46, 59, 61, 71, 81]


def test_no_reminder_before_and_only_one_after(newcomer, organisation, coordinator):
    set_reminder_rules(
        organisation, ReminderRules(days_before=(), repeat_after_days=0), actor=coordinator
    )
    assert digests_to(newcomer, range(0, 90)) == [61]


def test_late_people_are_escalated_after_the_organisations_days(
    newcomer, organisation, coordinator, modules
):
    certificate_for(coordinator, modules[1], issued_on=day(0))  # the coordinator is not late
    set_reminder_rules(
        organisation, ReminderRules(days_before=(30,), escalate_after_days=14), actor=coordinator
    )
    # Late from day 61; in the coordinators' overview from day 75 (14 days late).
    send_coordinator_summaries(today=day(70))
    assert not [m for m in mail.outbox if m.to == [coordinator.email]]
    send_coordinator_summaries(today=day(75))
    (summary,) = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert "Nina Nieuw" in summary.body
    assert "14 dagen of langer te laat" in summary.body


def test_the_rules_page_saves_valid_rules_and_records_who(
    organisation, coordinator_client, coordinator
):
    url = reverse("organisations:reminder_rules", args=[organisation.slug])
    page = coordinator_client.get(url).content.decode()
    assert 'value="30, 7"' in page  # the defaults, filled in
    assert "30, 7 dagen vóór" in page

    response = coordinator_client.post(
        url,
        {"days_before": "60; 14 ,3 14", "repeat_after_days": "14", "escalate_after_days": "21"},
        follow=True,
    )

    assert "De herinneringsregels zijn opgeslagen." in response.content.decode()
    assert rules_for(organisation) == ReminderRules(
        days_before=(60, 14, 3), repeat_after_days=14, escalate_after_days=21
    )
    entry = AuditLogEntry.objects.get(action=AuditAction.CHANGED_REMINDER_RULES)
    assert entry.actor == coordinator
    assert entry.detail["before"]["days_before"] == [30, 7]
    assert entry.detail["after"] == {
        "days_before": [60, 14, 3],
        "repeat_after_days": 14,
        "escalate_after_days": 21,
    }
    # The dashboard says what the rules are now.
    dashboard = coordinator_client.get(
        reverse("organisations:dashboard", args=[organisation.slug])
    ).content.decode()
    assert "60, 14, 3 dagen vóór" in dashboard and "elke 14 dagen" in dashboard


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days_before": "30, zeven"}, "Gebruik hele aantallen dagen met komma"),
        ({"days_before": "0"}, "Elk aantal dagen moet tussen 1 en 365 liggen."),
        ({"days_before": "400"}, "Elk aantal dagen moet tussen 1 en 365 liggen."),
        ({"days_before": "1,2,3,4,5,6"}, "Hooguit 5 herinneringen vóór een uiterste datum."),
        ({"repeat_after_days": "-1"}, "Het aantal dagen kan niet negatief zijn."),
        ({"repeat_after_days": "91"}, "Hooguit 90 dagen."),
        ({"repeat_after_days": ""}, "Vul een aantal dagen in (0 of meer)."),
        ({"escalate_after_days": "twee"}, "Vul een heel aantal dagen in."),
    ],
)
def test_bad_rules_change_nothing_and_say_why(organisation, coordinator_client, data, message):
    url = reverse("organisations:reminder_rules", args=[organisation.slug])
    valid = {"days_before": "30, 7", "repeat_after_days": "7", "escalate_after_days": "0"}
    response = coordinator_client.post(url, {**valid, **data})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "De regels zijn niet opgeslagen." in body
    assert 'aria-invalid="true"' in body
    assert not ReminderSchedule.objects.exists()


def test_only_the_organisations_coordinators_may_change_the_rules(
    organisation, client, coordinator
):
    url = reverse("organisations:reminder_rules", args=[organisation.slug])
    data = {"days_before": "1", "repeat_after_days": "1", "escalate_after_days": "1"}
    other = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True).user
    sign_in_with_mfa(client, other)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    learner = MembershipFactory(organisation=organisation).user
    client.force_login(learner)
    assert client.post(url, data).status_code == 404
    client.logout()
    assert client.post(url, data).status_code == 302  # to the login
    assert not ReminderSchedule.objects.exists()


def test_the_rules_refuse_impossible_values():
    with pytest.raises(ValueError):
        ReminderRules(days_before=(0,))
    with pytest.raises(ValueError):
        ReminderRules(repeat_after_days=-1)
    assert ReminderRules(days_before=(7, 30, 7)).days_before == (30, 7)
    assert ReminderRules(days_before=(30, 7)).point(31) is None
    assert ReminderRules(days_before=(30, 7)).point(30) == 30
    assert ReminderRules(days_before=(30, 7)).point(7) == 7
