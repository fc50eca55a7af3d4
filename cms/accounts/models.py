# TEMPORARY: see cms/accounts/__init__.py.
from accounts.models import User

__all__ = ["User"]
