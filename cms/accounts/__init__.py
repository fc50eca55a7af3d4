"""TEMPORARY, for organisations/selectors.py and organisations/services.py only: the account
app is now `accounts`, but those two files are being split by another branch and keep their
old import lines (`from cms.accounts import selectors as accounts`, `from cms.accounts.models
import User`) until that branch is merged. Delete this package when those lines read
`from accounts import api as accounts` and `from accounts.models import User`."""
