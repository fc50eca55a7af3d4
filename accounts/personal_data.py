"""Each app's part of a person's data (AVG/GDPR rights of access and erasure), registered by
the app in its `AppConfig.ready()`: accounts assembles the download and deletes the account
without knowing the other apps' tables.

- export(user) -> dict: the app's part of the data download (JSON-ready; dates are left to
  DjangoJSONEncoder), under the part's name;
- erase(user): removes or anonymises what the app holds about the person, inside the
  deletion's transaction, before accounts anonymises the user row (so the person's
  addresses and name can still be read);
- deletion_warning(user) -> str: HTML the deletion page shows about consequences for
  others (empty when there are none);
- sharing_notice(user) -> str: HTML 'Mijn gegevens' shows about who outside Signaal
  receives the person's data from this app (empty when nobody does).

Parts keep the order they were registered in (the order of INSTALLED_APPS)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    name: str
    title: str
    export: Callable[..., dict]
    erase: Callable[..., None] | None = None
    deletion_warning: Callable[..., str] | None = None
    sharing_notice: Callable[..., str] | None = None


_parts: dict[str, Part] = {}


def register(
    name: str,
    *,
    title: str,
    export: Callable[..., dict],
    erase: Callable[..., None] | None = None,
    deletion_warning: Callable[..., str] | None = None,
    sharing_notice: Callable[..., str] | None = None,
) -> None:
    """Register (or replace) an app's part under `name`, the key of its data in the
    download; `title` heads it on the readable page."""
    _parts[name] = Part(
        name=name,
        title=title,
        export=export,
        erase=erase,
        deletion_warning=deletion_warning,
        sharing_notice=sharing_notice,
    )


def parts() -> list[Part]:
    return list(_parts.values())


def export(user) -> dict:
    """Every registered part of the person's data, by name."""
    return {part.name: part.export(user) for part in _parts.values()}


def erase(user) -> None:
    """Every registered app removes what it holds about the person."""
    for part in _parts.values():
        if part.erase is not None:
            part.erase(user)


def deletion_warnings(user) -> list[str]:
    warnings = (part.deletion_warning(user) for part in _parts.values() if part.deletion_warning)
    return [warning for warning in warnings if warning]


def sharing_notices(user) -> list[str]:
    notices = (part.sharing_notice(user) for part in _parts.values() if part.sharing_notice)
    return [notice for notice in notices if notice]
