"""Issue 20.5: the import's steps through HTTP. The file is kept on the server between
them (never in the browser), bound to the coordinator and the organisation; nothing is
written before 'Verstuur de uitnodigingen'; a changed mapping, a changed plan or a
confirmation sent again changes nothing it should not."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organisations.models import (
    AuditAction,
    AuditLogEntry,
    ImportUpload,
    Invitation,
    Membership,
    Team,
)
from tests.factories import UserFactory

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, RoleFactory, TeamFactory
from .importing import send, upload_file

pytestmark = pytest.mark.django_db

HR_FILE = (
    "Personeelsnummer;Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Functiegroep;Afdeling\r\n"
    "1;Jan;van der;Berg;jan@voorbeeld.nl;Aandachtsfunctionaris;Team Noord\r\n"
    "2;Zoë;;Öztürk;zoe@voorbeeld.nl;Uitvoerend professional;Team Zuid\r\n"
).encode("cp1252")


@pytest.fixture
def roles():
    return [
        RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional"),
        RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris"),
    ]


def state():
    return (
        sorted(Membership.objects.values_list("user_id", "team_id", "role_id", "is_coordinator")),
        sorted(Invitation.objects.values_list("email", "full_name", "expires_at")),
        sorted(Team.objects.values_list("name", flat=True)),
        AuditLogEntry.objects.filter(action=AuditAction.IMPORTED).count(),
    )


def choose(client, page, **fields):
    """Post the columns form of a check page with some columns changed."""
    data = {"stap": "kolommen"}
    for column in page.context["columns_form"].columns:
        data[f"kolom-{column.position}"] = column.field or "negeren"
    data.update(fields)
    return client.post(page.wsgi_request.path, data)


def test_a_dutch_hr_file_mapped_previewed_and_sent(
    coordinator_client, organisation, roles, django_capture_on_commit_callbacks
):
    TeamFactory(organisation=organisation, name="Team Noord")
    before = state()
    page = upload_file(coordinator_client, organisation, HR_FILE, "hr.csv")
    assert page.status_code == 400  # no role column recognised: 'Functiegroep'
    text = page.content.decode()
    assert "Er is niets geïmporteerd" in text and "Geen kolom bevat de rol" in text
    assert state() == before
    assert ImportUpload.objects.get().uploaded_by.memberships.get().organisation == organisation

    # Map 'Functiegroep' (column 5) to the role and create missing teams.
    answer = choose(coordinator_client, page, **{"kolom-5": "role", "create_teams": "on"})
    assert answer.status_code == 302
    preview = coordinator_client.get(answer.url)
    assert preview.status_code == 200
    text = preview.content.decode()
    plan = preview.context["plan"]
    assert (len(plan.new_invitations), len(plan.updates), plan.teams_to_create) == (
        2,
        0,
        ["Team Zuid"],
    )
    assert "Verstuur de uitnodigingen" in text and "Personeelsnummer" in text
    assert state() == before and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(coordinator_client, preview)
    assert sent.status_code == 302
    invited = Invitation.objects.filter(organisation=organisation).order_by("email")
    assert [(i.email, i.full_name, i.role.name, i.team.name) for i in invited] == [
        ("jan@voorbeeld.nl", "Jan van der Berg", "Aandachtsfunctionaris", "Team Noord"),
        ("zoe@voorbeeld.nl", "Zoë Öztürk", "Uitvoerend professional", "Team Zuid"),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jan@voorbeeld.nl",
        "zoe@voorbeeld.nl",
    ]
    assert not ImportUpload.objects.exists()

    # The same confirmation again: the import is gone, nothing happens twice.
    after = state()
    with django_capture_on_commit_callbacks(execute=True):
        replay = send(coordinator_client, preview)
    assert replay.status_code == 410
    assert state() == after and len(mail.outbox) == 2


def test_five_bad_rows_through_the_page_all_named_nothing_imported(
    coordinator_client, organisation, roles
):
    content = (
        b"e-mail;naam;rol;startdatum\n"
        b"goed@voorbeeld.nl;Goed;Aandachtsfunctionaris;\n"
        b"fout@;A;Aandachtsfunctionaris;\n"  # 3
        b"b@voorbeeld.nl;B;Directeur;\n"  # 4: unknown role
        b"c@voorbeeld.nl;C;;\n"  # 5: no role
        b"goed@voorbeeld.nl;D;Aandachtsfunctionaris;\n"  # 6: twice
        b"e@voorbeeld.nl;E;Aandachtsfunctionaris;01-01-2099\n"  # 7: far future
    )
    before = state()
    page = upload_file(coordinator_client, organisation, content)
    assert page.status_code == 400
    text = page.content.decode()
    assert "5 problemen" in text
    for line in (3, 4, 5, 6, 7):
        assert f"Regel {line}:" in text
    assert "Regel 2:" not in text
    assert page.context["plan"] is None and 'value="versturen"' not in text
    # A forged confirmation does not get past the problems.
    forged = coordinator_client.post(page.wsgi_request.path, {"stap": "versturen", "plan": "x"})
    assert forged.status_code == 400
    assert state() == before and mail.outbox == []


def test_a_tampered_mapping_is_refused_and_changes_nothing(coordinator_client, organisation, roles):
    page = upload_file(coordinator_client, organisation, HR_FILE, "hr.csv")
    upload = ImportUpload.objects.get()
    for tampered in ({"kolom-5": "password"}, {"kolom-5": "email"}):
        answer = choose(coordinator_client, page, **tampered)
        upload.refresh_from_db()
        assert (answer.status_code, upload.mapping) == (400, None), tampered
    # A column the file does not have is no field of the form: ignored, no role chosen.
    choose(coordinator_client, page, **{"kolom-99": "role"})
    upload.refresh_from_db()
    assert "role" not in upload.mapping and len(upload.mapping) == 7
    assert Invitation.objects.count() == 0


def test_a_plan_that_changed_since_the_preview_is_not_imported(
    coordinator_client, organisation, roles, django_capture_on_commit_callbacks
):
    content = b"e-mail;rol\nnieuw@voorbeeld.nl;Aandachtsfunctionaris\n"
    preview = upload_file(coordinator_client, organisation, content)
    assert preview.status_code == 200
    # Meanwhile someone invited that address: the preview's 'new member' is now a refresh.
    Invitation.objects.create(
        organisation=organisation,
        email="nieuw@voorbeeld.nl",
        role=roles[0],
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(coordinator_client, preview)
    assert answer.status_code == 409
    assert "veranderd" in answer.content.decode()
    assert answer.context["plan"].refreshed_invitations  # the new preview shows it
    assert state() == before and mail.outbox == []
    # A forged fingerprint is the same: nothing.
    forged = coordinator_client.post(
        preview.wsgi_request.path, {"stap": "versturen", "plan": "0" * 64}
    )
    assert forged.status_code == 409 and state() == before


def test_the_upload_is_the_coordinators_own_and_short_lived(client, organisation, roles):
    first = MembershipFactory(organisation=organisation, is_coordinator=True).user
    second = MembershipFactory(organisation=organisation, is_coordinator=True).user
    other_org = OrganisationFactory()
    outsider = MembershipFactory(organisation=other_org, is_coordinator=True).user
    learner = MembershipFactory(organisation=organisation).user
    sign_in_with_mfa(client, first)
    page = upload_file(client, organisation, b"e-mail;rol\na@voorbeeld.nl;Aandachtsfunctionaris\n")
    url = page.wsgi_request.path
    token = ImportUpload.objects.get().token
    assert page.status_code == 200

    # Another coordinator of the same organisation does not find it.
    client.logout()
    sign_in_with_mfa(client, second)
    assert client.get(url).status_code == 410
    assert send(client, page).status_code == 410
    # Another organisation's coordinator: not even the organisation (404), nor via their own.
    client.logout()
    sign_in_with_mfa(client, outsider)
    assert client.get(url).status_code == 404
    own = reverse("organisations:import_check", args=[other_org.slug, token])
    assert client.get(own).status_code == 410
    # A learner of the organisation: 404.
    client.logout()
    client.force_login(learner)
    assert client.get(url).status_code == 404
    assert Invitation.objects.count() == 0

    # After an hour the upload is gone.
    client.logout()
    sign_in_with_mfa(client, first)
    ImportUpload.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert client.get(url).status_code == 410
    assert send(client, page).status_code == 410
    assert Invitation.objects.count() == 0


def test_the_rows_come_from_the_server_not_the_form(
    coordinator_client, organisation, roles, django_capture_on_commit_callbacks
):
    preview = upload_file(
        coordinator_client, organisation, b"e-mail;rol\na@voorbeeld.nl;Aandachtsfunctionaris\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            preview.wsgi_request.path,
            {
                "stap": "versturen",
                "plan": preview.context["plan"].digest,
                "email": "aanvaller@voorbeeld.nl",
                "rows": "aanvaller@voorbeeld.nl;Aandachtsfunctionaris",
            },
        )
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@voorbeeld.nl"]


def test_an_existing_account_is_invited_not_added(
    coordinator_client, organisation, roles, django_capture_on_commit_callbacks
):
    known = UserFactory(email="bekend@voorbeeld.nl")
    preview = upload_file(
        coordinator_client,
        organisation,
        b"e-mail;rol\nbekend@voorbeeld.nl;Aandachtsfunctionaris\n"
        b"onbekend@voorbeeld.nl;Aandachtsfunctionaris\n",
    )
    plan = preview.context["plan"]
    # The preview does not tell who has an account: both are new members to invite.
    assert [row.email for row in plan.new_invitations] == [
        "bekend@voorbeeld.nl",
        "onbekend@voorbeeld.nl",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        send(coordinator_client, preview)
    assert not Membership.objects.filter(user=known, organisation=organisation).exists()
    assert Invitation.objects.filter(email="bekend@voorbeeld.nl").exists()


def test_invite_import_and_teams_use_the_coordinator_areas_navigation_and_je(
    coordinator_client, organisation, roles
):
    """Issue 20.8: these pages had their own breadcrumb and links (no Dashboard); now the
    sub-navigation of the dashboard and people list, and 'je' as on every coordinator
    page."""
    import re

    check = upload_file(
        coordinator_client, organisation, b"e-mail;rol\na@voorbeeld.nl;Aandachtsfunctionaris\n"
    )
    pages = {
        "invite": coordinator_client.get(reverse("organisations:invite", args=[organisation.slug])),
        "import": coordinator_client.get(reverse("organisations:import", args=[organisation.slug])),
        "teams": coordinator_client.get(reverse("organisations:teams", args=[organisation.slug])),
        "import check": check,
    }
    dashboard = reverse("organisations:dashboard", args=[organisation.slug])
    for name, page in pages.items():
        assert page.status_code == 200, name
        text = page.content.decode()
        nav = text[
            text.index('class="signaal-subnav"') : text.index("</nav>", text.index("subnav"))
        ]
        assert f'href="{dashboard}"' in nav, name
        current = re.findall(r'href="([^"]+)" aria-current="page"', nav)
        expected = {"import check": "import"}.get(name, name)
        assert current == [reverse(f"organisations:{expected}", args=[organisation.slug])], name
        assert "Mijn organisaties" in text, name
        main = re.sub(r"<[^>]+>", " ", text[text.index("<main") : text.index("</main>")])
        assert not re.search(r"\b(u|uw|U|Uw)\b", main), (
            name,
            re.findall(r".{30}\buw?\b.{30}", main),
        )
    invite_form = pages["invite"].content.decode()
    assert '<option value="" selected>Kies een rol</option>' in invite_form


def test_unfinished_uploads_are_deleted_after_an_hour(organisation, coordinator):
    from organisations.services.import_uploads import delete_expired_uploads, store_upload

    old = store_upload(
        organisation=organisation, user=coordinator, filename="a.csv", table=[], create_teams=False
    )
    ImportUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    other = MembershipFactory(organisation=organisation, is_coordinator=True).user
    fresh = store_upload(
        organisation=organisation, user=other, filename="b.csv", table=[], create_teams=False
    )
    # A new upload clears the expired ones too.
    assert list(ImportUpload.objects.all()) == [fresh]
    ImportUpload.objects.filter(pk=fresh.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    assert delete_expired_uploads() == 1
    assert not ImportUpload.objects.exists()


def test_deleting_the_coordinators_account_deletes_their_upload(organisation, coordinator):
    from accounts.services import delete_account
    from organisations.services.import_uploads import store_upload

    second = MembershipFactory(organisation=organisation, is_coordinator=True).user
    store_upload(
        organisation=organisation,
        user=coordinator,
        filename="a.csv",
        table=[["e-mail"], ["x@voorbeeld.nl"]],
        create_teams=False,
    )
    kept = store_upload(
        organisation=organisation, user=second, filename="b.csv", table=[], create_teams=False
    )
    delete_account(user=coordinator)
    assert list(ImportUpload.objects.all()) == [kept]
