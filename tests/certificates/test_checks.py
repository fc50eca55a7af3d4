"""The system check that warns when certificate PDFs would render the slow way."""

from django.core import checks

from certificates import checks as certificate_checks


def test_no_warning_with_harfbuzz_subset(monkeypatch):
    monkeypatch.setattr(certificate_checks, "find_library", lambda name: "libharfbuzz-subset.so.0")
    assert certificate_checks.harfbuzz_subset_installed() == []


def test_warns_without_harfbuzz_subset(monkeypatch):
    asked = []

    def missing(name):
        asked.append(name)

    monkeypatch.setattr(certificate_checks, "find_library", missing)
    found = checks.run_checks()
    assert asked == ["harfbuzz-subset"]
    assert [message.id for message in found if message.id.startswith("certificates.")] == [
        "certificates.W001"
    ]
    (warning,) = [message for message in found if message.id == "certificates.W001"]
    assert "libharfbuzz-subset0" in warning.hint
