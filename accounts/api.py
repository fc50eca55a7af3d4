"""What other apps may use of accounts: a person's verified addresses, registering their
part of the person's data (download and deletion) and what makes an account privileged
(second factor required), and the session's second factor."""

from .landing import register as register_landing
from .personal_data import register as register_personal_data
from .second_factor import register_privilege_check, register_second_factor_assurance
from .selectors import owners_of_addresses, verified_addresses
from .services import ensure_verified_account, vouch_for_address

__all__ = [
    "ensure_verified_account",
    "owners_of_addresses",
    "register_landing",
    "register_personal_data",
    "register_privilege_check",
    "register_second_factor_assurance",
    "verified_addresses",
    "vouch_for_address",
]
