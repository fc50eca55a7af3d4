"""PE-online, through which Registerplein, the Kwaliteitsregister V&V and other registers
take attendance: the attendance message (one <Attendance> per completion: the PE course
ID, the person's registration number, the day) as a file for an administrator to upload,
and the web service that takes it (ProcessXML, the message in form field sXML) when
PE_ONLINE_* credentials are set. pe_online_attendance.xsd describes the message."""

import datetime
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from lxml import etree

from courses.models import Register

from ..models import AttendanceRecord, AttendanceStatus
from .attendance import pending_attendance

logger = logging.getLogger(__name__)

SCHEMA_FILE = Path(__file__).with_name("pe_online_attendance.xsd")
BATCH = 200  # completions per message


def configured() -> bool:
    return all((settings.PE_ONLINE_USER_ID, settings.PE_ONLINE_USER_KEY, settings.PE_ONLINE_ORG_ID))


def _end_date(day: datetime.date) -> str:
    # A moment is asked for; the day is what the learner completed on (noon, local time).
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    return moment.isoformat()


def attendance_message(records, *, with_credentials: bool) -> bytes:
    """The message for these records. Without credentials (a file for an administrator's
    upload) the Settings are left out: the file never carries our key."""
    entry = etree.Element("Entry")
    if with_credentials:
        values = etree.SubElement(entry, "Settings")
        for name, value in (
            ("userID", settings.PE_ONLINE_USER_ID),
            ("userRole", "EDU"),
            ("userKey", settings.PE_ONLINE_USER_KEY),
            ("orgID", settings.PE_ONLINE_ORG_ID),
            ("settingOutput", "1"),
            ("emailOutput", settings.PE_ONLINE_REPORT_EMAIL),
            ("languageID", "1"),
            ("defaultLanguageID", "1"),
        ):
            etree.SubElement(values, name).text = str(value)
    for record in records:
        attendance = etree.SubElement(entry, "Attendance")
        etree.SubElement(attendance, "PECourseID").text = record.course_id
        etree.SubElement(attendance, "externalPersonID").text = record.registration_number
        etree.SubElement(attendance, "endDate").text = _end_date(record.completed_on)
    return etree.tostring(entry, xml_declaration=True, encoding="utf-8", pretty_print=True)


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


@dataclass
class Summary:
    """PE-online's answer: which (person, course) pairs it accepted, and its errors."""

    accepted: set[tuple[str, str]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def parse_summary(body: bytes) -> Summary:
    """The answer comes as the summary XML itself, or wrapped as text in an ASMX <string>
    or a SOAP envelope; all three are read."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(body, parser)
    # A wrapper holds the summary as text: unwrap until the element has children.
    while len(root) == 0 and (root.text or "").strip().startswith("<"):
        root = etree.fromstring(root.text.strip().encode(), parser)
    if etree.QName(root).localname == "Envelope":
        texts = [t for t in root.itertext() if t.strip().startswith("<")]
        if texts:
            return parse_summary(texts[0].strip().encode())
    summary = Summary()
    for accepted in root.iter("Accepted"):
        summary.accepted.add(
            (accepted.findtext("person", "").strip(), accepted.findtext("course", "").strip())
        )
    for error in root.iter("Error"):
        number, message = error.findtext("errorNR", ""), error.findtext("errorMsg", "")
        summary.errors.append(f"{number}: {message}".strip(": "))
    return summary


class ServiceUnavailable(RuntimeError):
    pass


def _post(message: bytes) -> bytes:
    data = urllib.parse.urlencode({"sXML": message.decode()}).encode()
    request = urllib.request.Request(  # noqa: S310 (an https URL from the settings)
        settings.PE_ONLINE_ENDPOINT,
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise ServiceUnavailable(str(error)) from error


@dataclass
class Delivery:
    accepted: int = 0
    rejected: int = 0
    waiting: int = 0  # left pending: the service could not be reached


def send_pending(register: Register) -> Delivery:
    """Send the register's pending completions in batches. What PE-online accepted is marked
    reported; what it did not, refused with its message; when it cannot be reached, the
    rest stay pending for the next run (cron: `manage.py report_attendance`). A batch is
    locked while it is sent, so two runs never send one completion twice."""
    delivery = Delivery()
    if not configured():
        raise ServiceUnavailable("PE_ONLINE_USER_ID, PE_ONLINE_USER_KEY and PE_ONLINE_ORG_ID")
    while True:
        with transaction.atomic():
            batch = list(
                pending_attendance(register).select_for_update(skip_locked=True, of=("self",))[
                    :BATCH
                ]
            )
            if not batch:
                return delivery
            try:
                summary = parse_summary(_post(attendance_message(batch, with_credentials=True)))
            except ServiceUnavailable:
                logger.warning("PE-online unreachable; %s completions wait", len(batch))
                delivery.waiting += pending_attendance(register).count()
                return delivery
            now = timezone.now()
            message = "; ".join(summary.errors)[:500]
            for record in batch:
                if (record.registration_number, record.course_id) in summary.accepted:
                    record.status, delivery.accepted = (
                        AttendanceStatus.ACCEPTED,
                        delivery.accepted + 1,
                    )
                    record.register_message = ""
                else:
                    record.status, delivery.rejected = (
                        AttendanceStatus.REJECTED,
                        delivery.rejected + 1,
                    )
                    record.register_message = message
                record.reported_at = now
            AttendanceRecord.objects.bulk_update(
                batch, ["status", "reported_at", "register_message"]
            )
