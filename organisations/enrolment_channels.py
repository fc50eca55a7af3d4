"""Through which channel people took modules outside Signaal's own pages (their LMS over
LTI, a SCORM package), for the coordinator's person page: higher apps (lti) register a
lookup in their AppConfig.ready(), so organisations never imports them.

A lookup answers for one organisation (only channels that organisation set up: another
organisation's LMS is not its business), many people and modules at once, in a fixed
number of queries: a page asks once, never per row."""

from collections.abc import Callable, Collection, Iterable, Mapping

from .models import Organisation

# (organisation, user ids, module ids) -> {(user id, module id): labels}
EnrolmentChannel = Callable[
    [Organisation, Collection[int], Collection[int]],
    Mapping[tuple[int, int], Iterable[str]],
]

_channels: list[EnrolmentChannel] = []


def register_enrolment_channel(channel: EnrolmentChannel) -> None:
    if channel not in _channels:
        _channels.append(channel)


def enrolment_channels(
    organisation: Organisation, *, user_ids: Collection[int], module_ids: Collection[int]
) -> dict[tuple[int, int], list[str]]:
    """Every registered channel's labels per (person, module), sorted, without repeats."""
    if not user_ids or not module_ids:
        return {}
    found: dict[tuple[int, int], set[str]] = {}
    for channel in _channels:
        for key, labels in channel(organisation, user_ids, module_ids).items():
            found.setdefault(key, set()).update(str(label) for label in labels)
    return {key: sorted(labels) for key, labels in found.items()}
