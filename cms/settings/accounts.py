"""Accounts and sign-in: allauth, passwords, the second factor, sessions, rate limits and
the client address behind proxies (docs/security.md explains the choices)."""

import os

from .env import DEBUG

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (accounts.passwords); the others only read hashes made before and are
# upgraded to Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.passwords.SignaalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # ASVS 2.1.1: at least 12 characters.
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/mijn-leren/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Signaal] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Failed logins are limited per address and per account (allauth keeps the counters in the
# cache). Written out so a reader sees the numbers.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    # A reset email at most three times per address per quarter of an hour: enough for a
    # person who mistyped, too few to flood someone's inbox.
    "reset_password": "20/m/ip,3/15m/key",
    "confirm_email": "1/3m/key",
}
# Organisation sign-in (identity; docs/sign-in-with-your-organisation.md): the IdPs are
# configured in the admin (IdentityProvider, mirrored into allauth's SocialApp), never here.
ACCOUNT_FORMS = {
    "login": "identity.forms.LoginForm",
    "signup": "identity.forms.SignupForm",
    "reset_password": "identity.forms.ResetPasswordForm",
    "reset_password_from_key": "identity.forms.ResetPasswordKeyForm",
}
SOCIALACCOUNT_ADAPTER = "identity.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
# An IdP's verified address signs into the existing account with that address (and links
# it); identity.adapter allows this only for the domains that IdP covers and refuses an
# unverified address before allauth looks.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Access and refresh tokens are of no use to us after the sign-in.
SOCIALACCOUNT_STORE_TOKENS = False
# An IdP that does not answer within this many seconds is reported as down.
SOCIALACCOUNT_REQUESTS_TIMEOUT = 5
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Signaal"
# Accept the code of the neighbouring 30-second window too: phones drift.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# Privileged work (the Wagtail admin, a coordinator area) asks for the second factor again
# after this long without privileged activity, and in any case this long after it was
# given (accounts.second_factor).
PRIVILEGED_SESSION_IDLE_MINUTES = int(os.environ.get("PRIVILEGED_SESSION_IDLE_MINUTES", "30"))
PRIVILEGED_SESSION_MAX_HOURS = int(os.environ.get("PRIVILEGED_SESSION_MAX_HOURS", "12"))
# A privileged account enrols an authenticator only this soon after confirming a code sent
# to its verified address.
SECOND_FACTOR_ENROLMENT_PROOF_MINUTES = 15
# Sessions: a browser session, unless the person ticks 'remember me' at login (then
# SESSION_COOKIE_AGE, two weeks).
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# How many reverse proxies (load balancer, nginx) stand in front of the app and append to
# X-Forwarded-For. Every rate limit counts the client address behind them
# (core.client_address); 0 means the connecting address is the client's. Set it exactly:
# too high lets clients choose their own address, too low puts everyone in one bucket.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Where to report a vulnerability, published at /.well-known/security.txt (RFC 9116), e.g.
# "mailto:security@example.nl"; without it that address answers 404.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "")
