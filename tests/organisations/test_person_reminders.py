"""Issue 20.3: acting on one person or a chosen group. The person page reminds that
person (after a preview), shows their last activity and their reminder history (date,
sender, about what); the people list reminds the people ticked. At most one reminder a
person a day, and whoever was skipped is named with the reason."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, ModuleVersion
from organisations.compliance.coordinator_reminders import SkipReason, plan_reminders
from organisations.compliance.history import reminder_history
from organisations.compliance.reminder_mail import send_learner_digests
from organisations.models import AuditAction, AuditLogEntry, Membership

from . import small_organisation
from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


def remind_url(small) -> str:
    return reverse("organisations:remind", args=[small.organisation.slug])


def person_url(small, key: str) -> str:
    return reverse("organisations:person", args=[small.organisation.slug, small.members[key].pk])


def mail_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def test_remind_this_person_previews_sends_and_shows_in_the_history(small, coordinator_client):
    fien = small.members["fien"]
    page = coordinator_client.get(person_url(small, "fien")).content.decode()
    assert "Herinner deze persoon" in page
    assert "Nog geen herinneringen verstuurd." in page

    preview = coordinator_client.get(remind_url(small), {"mensen": fien.pk, "terug": "person"})
    body = preview.content.decode()
    assert "Wie krijgt hem: 1 persoon" in body
    assert "Fien Franssen" in body
    assert "Meldcode" in body and "Rode vlaggen" in body  # what the email lists
    assert "Anna Aalders" not in body and "Dirk Dijkstra" not in body
    assert not mail.outbox

    response = coordinator_client.post(
        remind_url(small), {"mensen": fien.pk, "terug": "person"}, follow=True
    )

    assert response.redirect_chain[-1][0] == person_url(small, "fien")
    (email,) = mail.outbox
    assert email.to == [fien.user.email]
    assert "Meldcode" in email.body and "Rode vlaggen" in email.body
    page = response.content.decode()
    assert "Herinnering verstuurd aan Fien Franssen." in page
    # The history: when, who sent it, what about.
    history = page.split('id="herinneringen-titel"')[1].split("</section>")[0]
    coordinator = small.members["coordinator"].user
    assert coordinator.display_name in history
    assert "Meldcode, Rode vlaggen" in history
    entry = AuditLogEntry.objects.get(action=AuditAction.SENT_REMINDER)
    assert entry.actor == coordinator
    assert list(entry.subjects.values_list("user_id", flat=True)) == [fien.user_id]
    assert entry.detail["selection"] == "chosen"


def test_one_reminder_a_day_and_the_skipped_are_named_with_the_reason(small, coordinator_client):
    fien, anna = small.members["fien"], small.members["anna"]
    coordinator_client.post(remind_url(small), {"mensen": fien.pk})
    assert len(mail.outbox) == 1

    preview = coordinator_client.get(remind_url(small), {"mensen": [fien.pk, anna.pk]})
    body = preview.content.decode()
    assert "Wie krijgt hem: 0 mensen" in body
    assert "Fien Franssen</strong>: vandaag al herinnerd" in body
    # Anna meets every mandatory requirement: nothing to remind her of.
    assert "Anna Aalders</strong>: voldoet aan alle verplichte eisen" in body
    assert "Herinnering sturen aan" not in body  # no send button

    again = coordinator_client.post(
        remind_url(small), {"mensen": [fien.pk, anna.pk], "terug": "people"}, follow=True
    )
    assert len(mail.outbox) == 1
    page = again.content.decode()
    assert "Niet verstuurd aan Fien Franssen: vandaag al herinnerd" in page
    assert "Niet verstuurd aan Anna Aalders: voldoet aan alle verplichte eisen" in page
    assert again.redirect_chain[-1][0] == reverse(
        "organisations:people", args=[small.organisation.slug]
    )


def test_the_people_list_reminds_the_people_ticked(small, coordinator_client):
    url = reverse("organisations:people", args=[small.organisation.slug])
    body = coordinator_client.get(url).content.decode()
    assert 'form="herinner-selectie" name="mensen"' in body
    assert "Herinner de aangevinkte mensen" in body

    dirk, cees = small.members["dirk"], small.members["cees"]
    coordinator_client.post(
        remind_url(small), {"mensen": [dirk.pk, cees.pk], "terug": "people"}, follow=True
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [dirk.user.email, cees.user.email]
    )


def test_nobody_chosen_or_someone_elses_members_send_nothing(small, client):
    stranger = MembershipFactory(organisation=OrganisationFactory())
    sign_in_with_mfa(client, small.members["coordinator"].user)

    response = client.post(remind_url(small), {"mensen": "", "terug": "people"}, follow=True)
    assert "Kies eerst wie je wilt herinneren." in response.content.decode()
    response = client.post(remind_url(small), {"mensen": stranger.pk}, follow=True)
    assert "Geen van de gekozen mensen is nu lid." in response.content.decode()
    preview = client.get(remind_url(small), {"mensen": stranger.pk}, follow=True)
    assert stranger.user.full_name not in preview.content.decode()
    assert not mail.outbox


def test_only_the_organisations_coordinators_may_remind(small, client, modules):
    fien = small.members["fien"]
    other = OrganisationFactory()
    other_coordinator = MembershipFactory(organisation=other, is_coordinator=True).user
    sign_in_with_mfa(client, other_coordinator)
    assert client.get(remind_url(small), {"mensen": fien.pk}).status_code == 404
    assert client.post(remind_url(small), {"mensen": fien.pk}).status_code == 404
    # Their own area does not reach someone else's members either.
    own = reverse("organisations:remind", args=[other.slug])
    assert client.post(own, {"mensen": fien.pk}, follow=True).status_code == 200
    client.force_login(small.members["anna"].user)  # a learner
    assert client.get(remind_url(small), {"mensen": fien.pk}).status_code == 404
    assert client.post(remind_url(small), {"mensen": fien.pk}).status_code == 404
    assert not mail.outbox


def test_a_removed_or_inactive_account_is_skipped_with_the_reason(small):
    eva = small.members["eva"]
    eva.user.is_active = False
    eva.user.save()
    plan = plan_reminders(small.organisation, membership_ids=[eva.pk])
    assert plan.recipients == []
    assert [(s.name, s.reason) for s in plan.skipped] == [("Eva Evers", SkipReason.NO_ACCOUNT)]


def test_the_person_page_shows_the_last_activity_in_a_required_module(
    small, coordinator_client, modules
):
    assert (
        "nog geen in de modules"
        in coordinator_client.get(person_url(small, "dirk")).content.decode()
    )
    rode_vlaggen = modules[0]
    dirk = small.members["dirk"]
    enrolment = Enrolment.objects.create(
        user=dirk.user,
        module=rode_vlaggen,
        module_version=ModuleVersion.objects.get(module=rode_vlaggen, number=1),
    )
    moment = timezone.now() - datetime.timedelta(days=4)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=moment)

    page = coordinator_client.get(person_url(small, "dirk")).content.decode()
    facts = page.split("Laatste activiteit")[1].split("</dd>")[0]
    assert timezone.localtime(moment).strftime("%Y") in facts and "Rode vlaggen" in facts


def test_the_history_includes_the_automatic_reminders(small):
    fien = small.members["fien"]
    send_learner_digests()
    history = reminder_history(small.organisation, fien.user, requirements=[small.a, small.b])
    assert len(history) == 1
    (automatic,) = history
    assert automatic.automatic and automatic.sent_by is None
    assert set(automatic.about) == {"Meldcode", "Rode vlaggen"}
