"""A local stand-in for PE-online's attendance web service (the real one is not reachable
from here): it takes ProcessXML's form field sXML over HTTP, refuses a message that does
not validate against certificates/accreditation/pe_online_attendance.xsd or carries wrong
credentials, accepts the attendance of numbers it knows and answers with a summary in an
ASMX <string> wrapper, as the service does."""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from lxml import etree

from certificates.accreditation.pe_online import schema


def _error(number: int, message: str) -> str:
    error = f"<errorNR>{number}</errorNR><errorMsg>{message}</errorMsg>"
    return f"<Summary><Error>{error}</Error></Summary>"


class PeOnlineStandIn:
    def __init__(self, *, user_id: str, user_key: str, org_id: str, known_numbers: set[str]):
        self.credentials = (user_id, user_key, org_id)
        self.known_numbers = known_numbers
        self.messages: list[etree._Element] = []  # every valid message received
        self.refused: list[str] = []  # why a message was refused
        self.schema = schema()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}/pe-services/pe-attendanceelearning/WriteAttendance.asmx/ProcessXML"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def attendances(self) -> list[tuple[str, str]]:
        return [
            (a.findtext("externalPersonID"), a.findtext("PECourseID"))
            for message in self.messages
            for a in message.iter("Attendance")
        ]

    def _answer(self, sxml: str) -> str:
        try:
            root = etree.fromstring(sxml.encode())
        except etree.XMLSyntaxError as error:
            self.refused.append(f"not XML: {error}")
            return _error(1, "Invalid XML")
        if not self.schema.validate(root):
            self.refused.append(str(self.schema.error_log))
            return (
                "<Summary><Error><errorNR>2</errorNR><errorMsg>Schema</errorMsg></Error></Summary>"
            )
        settings = root.find("Settings")
        given = tuple(settings.findtext(n) for n in ("userID", "userKey", "orgID"))
        if given != self.credentials:
            self.refused.append("credentials")
            return _error(3, "Login failed")
        self.messages.append(root)
        accepted, errors = [], []
        for attendance in root.iter("Attendance"):
            person = attendance.findtext("externalPersonID")
            course = attendance.findtext("PECourseID")
            if person in self.known_numbers:
                accepted.append(
                    f"<Accepted><person>{escape(person)}</person><course>{escape(course)}</course>"
                    f"<date>{escape(attendance.findtext('endDate'))}</date></Accepted>"
                )
            else:
                message = f"Persoon {escape(person)} onbekend"
                errors.append(f"<Error><errorNR>21</errorNR><errorMsg>{message}</errorMsg></Error>")
        total = len(accepted) + len(errors)
        return (
            f"<Summary><Results><total_rows>{total}</total_rows><accepted_rows>{len(accepted)}"
            f"</accepted_rows><rejected_rows>{len(errors)}</rejected_rows></Results>"
            + "".join(accepted)
            + "".join(errors)
            + "</Summary>"
        )

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                summary = standin._answer(form.get("sXML", [""])[0])
                body = (
                    '<?xml version="1.0" encoding="utf-8"?>\n'
                    '<string xmlns="https://www.pe-online.org/pe-services/PE_AttendanceElearning/WriteAttendance">'
                    f"{escape(summary)}</string>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
