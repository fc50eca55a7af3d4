# ruff: noqa: F811 (pytest fixtures imported from tests.quizzes.conftest)
"""Accreditation points that reach the registers: a learner gives their registration number
once with consent; completing an accredited module records its attendance for that
register (once); administrators download it per register and period or send it to
PE-online (here: a local stand-in that checks the message against the schema)."""

import datetime
import io
import socket

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from lxml import etree

from accounts.services import delete_account
from certificates.accreditation import numbers, pe_online
from certificates.accreditation.attendance import attendance_for_period
from certificates.models import AttendanceRecord, AttendanceStatus, RegistrationNumber
from certificates.selectors import personal_data
from courses import content_loader
from courses.models import AttendanceReporting, ModuleAccreditation
from tests.auth import sign_in_with_mfa
from tests.certificates.pe_online_standin import PeOnlineStandIn
from tests.certificates.test_issuing import complete
from tests.factories import TEST_PASSWORD, RegisterFactory, UserFactory
from tests.quizzes.conftest import catalogue, module, quiz  # noqa: F401

pytestmark = pytest.mark.django_db

CREDENTIALS = {
    "PE_ONLINE_USER_ID": "4711",
    "PE_ONLINE_USER_KEY": "geheim-123",
    "PE_ONLINE_ORG_ID": "98765",
}


def configure(settings) -> None:
    for name, value in CREDENTIALS.items():
        setattr(settings, name, value)


@pytest.fixture
def registerplein():
    return RegisterFactory(
        name="Registerplein", slug="registerplein", identifier_pattern="[0-9]{6,9}"
    )


@pytest.fixture
def accredited(module, registerplein):
    ModuleAccreditation.objects.create(
        module=module, register=registerplein, points=2, course_id="456789"
    )
    return module


def give_number(user, register, number="123456789"):
    return numbers.save_registration_number(
        user=user, register=register, number=number, consent=True
    )


def test_a_number_needs_consent_and_the_registers_pattern(registerplein):
    learner = UserFactory()
    with translation.override("nl"):
        with pytest.raises(numbers.NumberRefused, match="Vink aan"):
            numbers.save_registration_number(
                user=learner, register=registerplein, number="123456789", consent=False
            )
        with pytest.raises(numbers.NumberRefused, match="geen geldig registratienummer"):
            numbers.save_registration_number(
                user=learner, register=registerplein, number="12-AB", consent=True
            )
    assert not RegistrationNumber.objects.exists()
    # Spaces and dots as people type them are taken out.
    kept = give_number(learner, registerplein, " 123.456 789 ")
    assert kept.number == "123456789"


def test_completing_an_accredited_module_records_attendance_once(accredited, quiz, registerplein):
    learner = UserFactory()
    give_number(learner, registerplein)
    complete(accredited, quiz, learner)
    record = AttendanceRecord.objects.get()
    assert (record.registration_number, record.course_id, record.points, record.status) == (
        "123456789",
        "456789",
        2,
        AttendanceStatus.PENDING,
    )
    assert record.completed_on == timezone.localdate()
    # Giving the number again (or changing it) does not record the completion twice.
    give_number(learner, registerplein, "987654321")
    assert AttendanceRecord.objects.get().registration_number == "987654321"


def test_no_number_no_record_and_a_number_given_later_reports_past_completions(
    accredited,
    quiz,
    registerplein,
):
    learner = UserFactory()
    complete(accredited, quiz, learner)
    assert not AttendanceRecord.objects.exists()
    give_number(learner, registerplein)
    assert AttendanceRecord.objects.get().certificate.user == learner


def test_an_ended_accreditation_or_a_missing_course_id_records_nothing(module, quiz, registerplein):
    ModuleAccreditation.objects.create(
        module=module,
        register=registerplein,
        points=2,
        course_id="456789",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    other = RegisterFactory(slug="kwaliteitsregister")
    ModuleAccreditation.objects.create(module=module, register=other, points=1, course_id="")
    learner = UserFactory()
    give_number(learner, registerplein)
    give_number(learner, other)
    complete(module, quiz, learner)
    assert not AttendanceRecord.objects.exists()


def test_withdrawing_the_number_drops_what_was_not_reported(accredited, quiz, registerplein):
    learner = UserFactory()
    give_number(learner, registerplein)
    complete(accredited, quiz, learner)
    assert numbers.withdraw_registration_number(user=learner, register=registerplein)
    assert not RegistrationNumber.objects.exists()
    assert not AttendanceRecord.objects.exists()


def test_the_message_follows_the_schema_and_a_file_never_carries_our_key(
    accredited,
    quiz,
    registerplein,
    settings,
):
    configure(settings)
    for n in range(3):
        learner = UserFactory()
        give_number(learner, registerplein, f"12345678{n}")
        complete(accredited, quiz, learner)
    records = list(AttendanceRecord.objects.all())
    xsd = pe_online.schema()
    sent = etree.fromstring(pe_online.attendance_message(records, with_credentials=True))
    assert xsd.validate(sent), xsd.error_log
    assert sent.findtext("Settings/userKey") == "geheim-123"
    assert [a.findtext("externalPersonID") for a in sent.iter("Attendance")] == [
        "123456780",
        "123456781",
        "123456782",
    ]
    file = etree.fromstring(pe_online.attendance_message(records, with_credentials=False))
    assert xsd.validate(file), xsd.error_log
    assert file.find("Settings") is None
    assert b"geheim" not in etree.tostring(file)


def test_pe_online_accepts_known_numbers_refuses_others_and_nothing_is_sent_twice(
    accredited,
    quiz,
    registerplein,
    settings,
):
    configure(settings)
    known, unknown = UserFactory(), UserFactory()
    give_number(known, registerplein, "111111111")
    give_number(unknown, registerplein, "222222222")
    complete(accredited, quiz, known)
    complete(accredited, quiz, unknown)
    with PeOnlineStandIn(
        user_id="4711", user_key="geheim-123", org_id="98765", known_numbers={"111111111"}
    ) as standin:
        settings.PE_ONLINE_ENDPOINT = standin.url
        delivery = pe_online.send_pending(registerplein)
        assert (delivery.accepted, delivery.rejected, delivery.waiting) == (1, 1, 0)
        assert standin.refused == []
        assert sorted(standin.attendances()) == [("111111111", "456789"), ("222222222", "456789")]
        accepted = AttendanceRecord.objects.get(registration_number="111111111")
        refused = AttendanceRecord.objects.get(registration_number="222222222")
        assert accepted.status == AttendanceStatus.ACCEPTED and accepted.reported_at
        assert refused.status == AttendanceStatus.REJECTED
        assert "onbekend" in refused.register_message
        # A second run has nothing to send.
        assert pe_online.send_pending(registerplein).accepted == 0
        assert len(standin.messages) == 1


def test_pe_online_down_leaves_the_completions_pending_for_the_next_run(
    accredited,
    quiz,
    registerplein,
    settings,
):
    configure(settings)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.PE_ONLINE_ENDPOINT = f"http://127.0.0.1:{port}/ProcessXML"
    learner = UserFactory()
    give_number(learner, registerplein, "111111111")
    complete(accredited, quiz, learner)
    assert pe_online.send_pending(registerplein).waiting == 1
    assert AttendanceRecord.objects.get().status == AttendanceStatus.PENDING
    with pytest.raises(Exception, match="could not be reached"):
        call_command("report_attendance", stdout=io.StringIO())
    with PeOnlineStandIn(
        user_id="4711", user_key="geheim-123", org_id="98765", known_numbers={"111111111"}
    ) as standin:
        settings.PE_ONLINE_ENDPOINT = standin.url
        out = io.StringIO()
        call_command("report_attendance", stdout=out)
        assert "1 accepted" in out.getvalue()
    assert AttendanceRecord.objects.get().status == AttendanceStatus.ACCEPTED


def test_the_summary_is_read_plain_wrapped_and_in_soap():
    summary = "<Summary><Accepted><person>1</person><course>2</course></Accepted></Summary>"
    escaped = summary.replace("<", "&lt;").replace(">", "&gt;")
    for body in (
        summary,
        f'<string xmlns="https://www.pe-online.org/x">{escaped}</string>',
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<ProcessXMLResponse xmlns="https://www.pe-online.org/x"><ProcessXMLResult>{escaped}'
        "</ProcessXMLResult></ProcessXMLResponse></soap:Body></soap:Envelope>",
    ):
        assert pe_online.parse_summary(body.encode()).accepted == {("1", "2")}


def test_a_revoked_certificate_is_not_reported(accredited, quiz, registerplein):
    from certificates import services

    learner = UserFactory()
    give_number(learner, registerplein)
    complete(accredited, quiz, learner)
    record = AttendanceRecord.objects.get()
    services.revoke(certificate=record.certificate, by=UserFactory(), reason="fraude")
    today = timezone.localdate()
    assert list(attendance_for_period(registerplein, start=today, end=today)) == []


def test_the_learner_gives_a_number_in_the_browser_form_and_sees_where_points_go(
    client,
    accredited,
    quiz,
    registerplein,
):
    learner = UserFactory()
    client.force_login(learner)
    url = reverse("registration_numbers")
    page = client.get(url)
    assert page.status_code == 200 and "Registerplein" in page.content.decode()
    bad = client.post(url, {"register": registerplein.pk, "number": "abc", "consent": "on"})
    assert bad.status_code == 400
    assert "Dit is geen geldig registratienummer voor Registerplein." in bad.content.decode()
    assert not RegistrationNumber.objects.exists()
    good = client.post(url, {"register": registerplein.pk, "number": "123456789", "consent": "on"})
    assert good.status_code == 302
    complete(accredited, quiz, learner)
    mine = client.get(reverse("my_certificates")).content.decode()
    assert "Registerplein" in mine
    assert reverse("registration_numbers") in mine
    withdraw = client.post(url, {"register": registerplein.pk, "action": "withdraw"})
    assert withdraw.status_code == 302
    assert not RegistrationNumber.objects.filter(user=learner).exists()


def test_the_attendance_report_is_for_platform_administrators_and_downloads_valid_xml(
    client,
    accredited,
    quiz,
    registerplein,
):
    learner = UserFactory()
    give_number(learner, registerplein)
    complete(accredited, quiz, learner)
    today = timezone.localdate().isoformat()
    query = {"register": registerplein.pk, "start": today, "end": today}
    # An editor has the admin but not the registration numbers.
    editor = UserFactory(is_superuser=False)
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    sign_in_with_mfa(client, editor)
    refused = client.get(reverse("certificates_attendance"), query)
    # Wagtail turns the refusal into a redirect to the admin home with a message.
    assert (refused.status_code, refused["Location"]) == (302, "/beheer/")
    client.logout()
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    page = client.get(reverse("certificates_attendance"), query)
    assert page.status_code == 200 and "123456789" in page.content.decode()
    response = client.get(reverse("certificates_attendance"), query | {"download": "xml"})
    assert response.status_code == 200
    message = etree.fromstring(response.content)
    assert pe_online.schema().validate(message)
    assert message.findtext("Attendance/externalPersonID") == "123456789"
    bad_period = client.get(
        reverse("certificates_attendance"), query | {"start": today, "end": "2000-01-01"}
    )
    assert "De periode eindigt voordat hij begint." in bad_period.content.decode()


def test_numbers_are_in_the_data_download_and_go_with_the_account(
    accredited,
    quiz,
    registerplein,
):
    learner = UserFactory()
    learner.set_password(TEST_PASSWORD)
    learner.save()
    give_number(learner, registerplein)
    complete(accredited, quiz, learner)
    data = personal_data(learner)
    assert data["registration_numbers"][0]["number"] == "123456789"
    assert data["attendance_reported"][0]["course_id"] == "456789"
    delete_account(user=learner)
    assert not RegistrationNumber.objects.exists()
    assert not AttendanceRecord.objects.exists()  # pending: never reported


def test_content_files_name_registers_that_exist(registerplein):
    item = {"register": "registerplein", "points": 2, "course_id": 456789}
    accreditation = content_loader._accreditation(item)
    assert (accreditation.register, accreditation.course_id) == (registerplein, "456789")
    with pytest.raises(content_loader.ContentError, match="no register"):
        content_loader._accreditation({"register": "onbekend", "points": 1})


def test_a_register_that_takes_a_file_is_not_sent(registerplein):
    registerplein.reporting = AttendanceReporting.FILE
    registerplein.save()
    assert registerplein.get_reporting_display()
