"""The rule for one person and one requirement (organisations.compliance.rule), checked case
by case and against its definition on generated inputs."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from organisations.compliance.rule import (
    DUE_WITHIN_DAYS,
    MEETS,
    HeldCertificate,
    Status,
    counts_until,
    expiring_within_days,
    requirement_status,
)

TODAY = datetime.date(2026, 11, 23)


def status_of(**overrides):
    arguments = {
        "today": TODAY,
        "member_since": TODAY - datetime.timedelta(days=10),
        "due_within_days": 90,
        "recertify_every_months": None,
        "certificate": None,
        "in_progress": False,
    } | overrides
    return requirement_status(**arguments)


def certificate(issued_days_ago: int, valid_days: int, update_due_in: int | None = None):
    issued = TODAY - datetime.timedelta(days=issued_days_ago)
    return HeldCertificate(
        issued_on=issued,
        expires_on=issued + datetime.timedelta(days=valid_days),
        update_due_on=(
            None if update_due_in is None else TODAY + datetime.timedelta(days=update_due_in)
        ),
    )


def test_a_new_member_without_a_certificate_has_until_the_deadline():
    result = status_of(member_since=TODAY, due_within_days=90)
    assert result.status == Status.NOT_STARTED
    assert result.deadline == TODAY + datetime.timedelta(days=90)


def test_a_deadline_within_thirty_days_is_due():
    result = status_of(member_since=TODAY - datetime.timedelta(days=70), due_within_days=90)
    assert result.status == Status.DUE


def test_started_but_not_finished_before_the_deadline_is_in_progress():
    assert status_of(in_progress=True).status == Status.IN_PROGRESS


def test_past_the_deadline_without_a_certificate_is_overdue_even_when_started():
    result = status_of(
        member_since=TODAY - datetime.timedelta(days=91), due_within_days=90, in_progress=True
    )
    assert result.status == Status.OVERDUE
    assert result.deadline == TODAY - datetime.timedelta(days=1)


def test_the_deadline_day_itself_is_not_overdue():
    result = status_of(member_since=TODAY - datetime.timedelta(days=90), due_within_days=90)
    assert result.status == Status.DUE


def test_a_valid_certificate_is_compliant_until_it_expires():
    result = status_of(certificate=certificate(10, 730))
    assert result.status == Status.COMPLIANT
    assert result.deadline == TODAY + datetime.timedelta(days=720)


def test_a_certificate_in_its_last_sixty_days_is_expiring_and_still_counts():
    result = status_of(certificate=certificate(700, 730))
    assert result.status == Status.EXPIRING
    assert result.meets


def test_an_expired_certificate_is_expired_and_does_not_count():
    result = status_of(certificate=certificate(800, 730))
    assert result.status == Status.EXPIRED
    assert not result.meets


def test_a_shorter_recertification_period_ends_the_certificate_sooner():
    held = certificate(400, 730)
    assert status_of(certificate=held).status == Status.COMPLIANT
    assert status_of(certificate=held, recertify_every_months=12).status == Status.EXPIRED


def test_a_longer_recertification_period_does_not_extend_the_certificate():
    held = certificate(10, 365)
    assert counts_until(held, recertify_every_months=36) == held.expires_on


def test_an_update_due_counts_until_its_deadline_then_is_overdue():
    assert status_of(certificate=certificate(10, 730, update_due_in=5)).status == (
        Status.UPDATE_DUE
    )
    late = status_of(certificate=certificate(10, 730, update_due_in=-1))
    assert late.status == Status.OVERDUE
    assert not late.meets


def expected_with_update(day, *, until, update):
    """The definition when an update is due (issue 20, finding 12): the earlier of the
    update deadline and the end of the certificate applies. Update first (or the same
    day): 'update due' until it, then overdue until the certificate ends. Expiry first: an
    ordinary certificate ('valid until', expiring in its last days, then expired): the
    update deadline after it never shows."""
    if until < day:
        return Status.EXPIRED, until
    if update <= until:
        return (Status.UPDATE_DUE if day <= update else Status.OVERDUE), update
    if (until - day).days <= expiring_within_days():
        return Status.EXPIRING, until
    return Status.COMPLIANT, until


def test_the_earlier_of_expiry_and_update_deadline_applies_every_day():
    """Walk every day across both dates, for an update deadline well before, on, and after
    the certificate's end (also a second, shorter update ending a week after it)."""
    expires_in = 100
    for update_due_in in (-20, 30, 90, expires_in, expires_in + 7, expires_in + 200):
        held = certificate(600, 600 + expires_in, update_due_in=update_due_in)
        until = held.expires_on
        update = held.update_due_on
        day = TODAY - datetime.timedelta(days=30)
        while day <= until + datetime.timedelta(days=10):
            result = status_of(today=day, certificate=held)
            assert (result.status, result.deadline) == expected_with_update(
                day, until=until, update=update
            ), (update_due_in, day)
            # 'update due' is never shown with a deadline after the certificate ends.
            if result.status == Status.UPDATE_DUE:
                assert result.deadline <= until
            day += datetime.timedelta(days=1)


def test_an_expiry_before_the_update_deadline_is_expiring_not_update_due():
    # Expires in 20 days, the update is due in 90: the certificate ends first.
    result = status_of(certificate=certificate(700, 720, update_due_in=90))
    assert result.status == Status.EXPIRING
    assert result.deadline == TODAY + datetime.timedelta(days=20)


days = st.integers(min_value=0, max_value=2000)


@given(
    member_days=days,
    due_within=st.integers(min_value=0, max_value=730),
    recertify=st.one_of(st.none(), st.integers(min_value=1, max_value=120)),
    held=st.one_of(
        st.none(), st.tuples(days, st.integers(1, 3650), st.none() | st.integers(-400, 400))
    ),
    in_progress=st.booleans(),
)
def test_the_rule_matches_its_definition(member_days, due_within, recertify, held, in_progress):
    held_certificate = certificate(*held) if held else None
    result = requirement_status(
        today=TODAY,
        member_since=TODAY - datetime.timedelta(days=member_days),
        due_within_days=due_within,
        recertify_every_months=recertify,
        certificate=held_certificate,
        in_progress=in_progress,
    )
    if held_certificate is None:
        deadline = TODAY - datetime.timedelta(days=member_days) + datetime.timedelta(due_within)
        assert result.deadline == deadline
        assert not result.meets
        if deadline < TODAY:
            assert result.status == Status.OVERDUE
        elif in_progress:
            assert result.status == Status.IN_PROGRESS
        else:
            soon = (deadline - TODAY).days <= DUE_WITHIN_DAYS
            assert result.status == (Status.DUE if soon else Status.NOT_STARTED)
        return
    until = counts_until(held_certificate, recertify_every_months=recertify)
    assert until <= held_certificate.expires_on
    update = held_certificate.update_due_on
    # A certificate counts exactly while it has not run out and no update is overdue.
    assert result.meets == (until >= TODAY and (update is None or update >= TODAY))
    assert (result.status in MEETS) == result.meets
    if result.status == Status.EXPIRING:
        assert (until - TODAY).days <= expiring_within_days()


@given(
    member_days=st.integers(min_value=-100, max_value=2000),
    due_within=st.integers(min_value=0, max_value=730),
    recertify=st.one_of(st.none(), st.integers(min_value=1, max_value=120)),
    held=st.one_of(
        st.none(), st.tuples(days, st.integers(1, 3650), st.none() | st.integers(-400, 400))
    ),
    in_progress=st.booleans(),
)
def test_changes_on_is_the_first_day_the_calendar_gives_another_status(
    member_days, due_within, recertify, held, in_progress
):
    """Stored statuses (organisations.compliance.statuses.refresh_standings) stay valid until
    `changes_on`: walk the days and check that nothing changes before it and that the status
    does change on it (None: never again)."""
    inputs = {
        "member_since": TODAY - datetime.timedelta(days=member_days),
        "due_within_days": due_within,
        "recertify_every_months": recertify,
        "certificate": certificate(*held) if held else None,
        "in_progress": in_progress,
    }
    today = requirement_status(today=TODAY, **inputs)
    last = today.changes_on or TODAY + datetime.timedelta(days=4000)
    assert last > TODAY
    day = TODAY
    while day < last:
        later = requirement_status(today=day, **inputs)
        assert (later.status, later.deadline, later.changes_on) == (
            today.status,
            today.deadline,
            today.changes_on,
        ), day
        day += datetime.timedelta(days=1)
    if today.changes_on is not None:
        assert requirement_status(today=today.changes_on, **inputs).status != today.status


def test_the_expiring_window_is_the_renewal_window(settings):
    """'Expiring' starts when renewing opens (CERTIFICATE_RENEWAL_WINDOW_DAYS), one setting."""
    held = certificate(700, 740)  # ends in 40 days
    settings.CERTIFICATE_RENEWAL_WINDOW_DAYS = 60
    assert status_of(certificate=held).status == Status.EXPIRING
    settings.CERTIFICATE_RENEWAL_WINDOW_DAYS = 30
    compliant = status_of(certificate=held)
    assert compliant.status == Status.COMPLIANT
    assert compliant.changes_on == held.expires_on - datetime.timedelta(days=30)
    assert "30" in str(Status.EXPIRING.label)
