"""Writes to accounts."""

from django.conf import settings

from .models import User

SUPPORTED_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def set_preferred_language(*, user: User, language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"Unsupported language: {language!r}")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def ensure_verified_account(
    *,
    email: str,
    full_name: str,
    password: str,
    is_superuser: bool = False,
    group_names: tuple[str, ...] = (),
) -> User:
    """Create or update an account whose email address is verified, so it can log in at once.

    Used for demo accounts and by operators; running it again resets the password and
    the rights to what is given here."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    email = email.lower()
    user = User.objects.filter(email=email).first() or User(email=email)
    user.full_name = full_name
    user.is_superuser = is_superuser
    user.is_active = True
    user.set_password(password)
    user.full_clean(exclude=["password"] if user.pk is None else None)
    user.save()
    user.groups.set(Group.objects.filter(name__in=group_names))
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
