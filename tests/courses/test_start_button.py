"""The module page's main button says what pressing it does (courses.selectors.learning.
start_button_label, one home for the decision the template used to make itself)."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from courses.selectors.learning import start_button_label

NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)
module = SimpleNamespace(current_version=3)


def enrolment(*, completed: bool, version: int = 3):
    return SimpleNamespace(
        completed_at=NOW if completed else None,
        module_version=SimpleNamespace(number=version),
    )


def offer(*, renewal_open=False, update_from=None):
    return SimpleNamespace(renewal_open=renewal_open, update_from=update_from)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"enrolment": None, "offer": None}, "Start deze module"),
        ({"enrolment": enrolment(completed=False), "offer": None}, "Verder waar je was"),
        (
            {"enrolment": enrolment(completed=False), "offer": None, "is_update": True},
            "Verder met de update",
        ),
        (
            {"enrolment": enrolment(completed=True), "offer": offer(renewal_open=True)},
            "Opnieuw doen / Certificaat vernieuwen",
        ),
        (
            {"enrolment": enrolment(completed=True, version=2), "offer": offer(update_from=2)},
            "Update starten",
        ),
        ({"enrolment": enrolment(completed=True, version=2), "offer": None}, "Versie 3 starten"),
        ({"enrolment": enrolment(completed=True), "offer": None}, "Lees de lessen opnieuw"),
    ],
)
def test_the_button_says_what_start_module_will_do(state, expected):
    with translation.override("nl"):
        label = start_button_label(
            module=module,
            enrolment=state["enrolment"],
            offer=state["offer"],
            is_update=state.get("is_update", False),
        )
    assert label == expected
