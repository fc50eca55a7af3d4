"""The second factor: who must have one, when a session counts as having passed it, and who
may enrol one. One home for these rules; the admin gate, the coordinator area and the
session guard (accounts.middleware) all ask here.

allauth records each authentication step in the session (method, time). A session passed
the second factor when it holds an 'mfa' record. Privileged work (the Wagtail admin, a
coordinator area) needs that record to be younger than PRIVILEGED_SESSION_MAX_HOURS and
the privileged work to have been idle less than PRIVILEGED_SESSION_IDLE_MINUTES; past
either, the second factor is asked again."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest

# When privileged work in this session last happened (a Unix time).
PRIVILEGED_SEEN_KEY = "signaal_privileged_seen_at"

# Other apps say who else is privileged (e.g. organisations: active coordinators), so that
# this low layer never imports them. Registered in their AppConfig.ready().
_privilege_checks: list[Callable] = []
# Other apps say which other sign-ins stand in for our second factor (identity: an
# organisation's IdP that enforces MFA, for that organisation's area only).
_assurances: list[Callable] = []


def register_privilege_check(check: Callable) -> None:
    """`check(user) -> bool`: whether the user holds a role that sees other people's data."""
    if check not in _privilege_checks:
        _privilege_checks.append(check)


def register_second_factor_assurance(assurance: Callable) -> None:
    """`assurance(record, scope) -> bool`: whether allauth's authentication record (a
    non-'mfa' one, e.g. 'socialaccount' with its provider) counts as the second factor for
    privileged work in `scope` (what the area passes, e.g. an organisation's id; None for the
    Wagtail admin)."""
    if assurance not in _assurances:
        _assurances.append(assurance)


def is_privileged(user) -> bool:
    """Whether the account sees other people's personal data: platform administrators,
    anyone who may enter the Wagtail admin, and what other apps register (coordinators)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    return any(check(user) for check in _privilege_checks)


def _records(request: HttpRequest, method: str) -> list[dict]:
    if not request.user.is_authenticated:
        return []
    return [
        record
        for record in get_authentication_records(request, request.user)
        if record.get("method") == method
    ]


def second_factor_at(request: HttpRequest, *, scope=None) -> float | None:
    """When this session last passed the second factor, or None. With a `scope` (a
    coordinator area's organisation), a sign-in that a registered assurance accepts for that
    scope counts too; the admin (no scope) accepts only our own second factor."""
    times = [record.get("at", 0) for record in _records(request, "mfa")]
    if scope is not None and _assurances and request.user.is_authenticated:
        times += [
            record.get("at", 0)
            for record in get_authentication_records(request, request.user)
            if record.get("method") != "mfa"
            and any(assurance(record, scope) for assurance in _assurances)
        ]
    return max(times) if times else None


class PrivilegedSession(StrEnum):
    VALID = "valid"
    # Never passed the second factor in this session (or the account has none).
    NO_SECOND_FACTOR = "no_second_factor"
    # Passed it, but too long ago or idle too long: ask again.
    EXPIRED = "expired"


def privileged_session(
    request: HttpRequest, *, now: float | None = None, scope=None
) -> PrivilegedSession:
    now = time.time() if now is None else now
    passed_at = second_factor_at(request, scope=scope)
    if passed_at is None:
        return PrivilegedSession.NO_SECOND_FACTOR
    if now - passed_at > settings.PRIVILEGED_SESSION_MAX_HOURS * 3600:
        return PrivilegedSession.EXPIRED
    seen_at = max(request.session.get(PRIVILEGED_SEEN_KEY, 0), passed_at)
    if now - seen_at > settings.PRIVILEGED_SESSION_IDLE_MINUTES * 60:
        return PrivilegedSession.EXPIRED
    return PrivilegedSession.VALID


def enter_privileged_area(request: HttpRequest, *, scope=None) -> PrivilegedSession:
    """Check the session for privileged work and, when valid, count this request as
    activity (the idle timeout starts again). `scope`: see `second_factor_at`."""
    state = privileged_session(request, scope=scope)
    if state is PrivilegedSession.VALID:
        request.session[PRIVILEGED_SEEN_KEY] = time.time()
    return state


def may_enrol_second_factor(request: HttpRequest) -> bool:
    """A privileged account without a second factor may enrol one only after proving it
    reads its verified address (allauth's sign-in code by email, moments ago): a stolen
    password alone must not let an attacker enrol their own authenticator. Learners enrol
    freely."""
    if not is_privileged(request.user):
        return True
    window = settings.SECOND_FACTOR_ENROLMENT_PROOF_MINUTES * 60
    return any(time.time() - record.get("at", 0) <= window for record in _records(request, "code"))


def session_lacks_second_factor(request: HttpRequest) -> bool:
    """Whether a signed-in session skipped the second factor of an account that has one:
    only a login outside allauth's flow could make such a session."""
    return (
        request.user.is_authenticated
        and second_factor_at(request) is None
        and is_mfa_enabled(request.user)
    )
