# TEMPORARY: see cms/accounts/__init__.py.
from accounts.selectors import owners_of_addresses, verified_addresses

__all__ = ["owners_of_addresses", "verified_addresses"]
