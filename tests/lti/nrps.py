"""The test platform's Names and Role Provisioning Services 2.0 endpoint (1EdTech NRPS
2.0): GET on a course's context_memberships_url, with a bearer token issued for the
contextmembership.readonly scope and the membership container's media type in Accept,
answers the container {id, context, members} in pages of `page_size`, each page but the
last with a `Link: <...>; rel="next"` header. The path has capitals, as Moodle's
(/mod/lti/services.php/CourseSection/...) has.

Nothing here uses Signaal's code: it only speaks HTTP to it."""

import json
from urllib.parse import parse_qs

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
PATH = "/CourseSection/{context}/memberships"


def memberships_url(platform, context_id: str = "course-7") -> str:
    return platform.issuer + PATH.format(context=context_id)


def nrps_claim(platform, context_id: str = "course-7") -> dict:
    """The launch's claim that offers the service (NRPS 2.0 §3.6.1)."""
    return {
        NRPS_CLAIM: {
            "context_memberships_url": memberships_url(platform, context_id),
            "service_versions": ["2.0"],
        }
    }


def member(user_id: str, *, email: str = "", name: str = "", status: str = "Active") -> dict:
    """One member as the container lists them (NRPS 2.0 §2.3)."""
    found = {"user_id": user_id, "status": status, "roles": [LEARNER]}
    if email:
        found["email"] = email
    if name:
        found["name"] = name
    return found


class Rosters:
    """The platform's courses' members, and how the endpoint behaves."""

    def __init__(self):
        self.members: dict[str, list[dict]] = {}  # context id -> members
        self.page_size = 2
        self.down_pages: set[int] = set()  # these pages answer 503
        self.requests: list[str] = []  # the paths and queries asked for


def answer(platform, path: str, query: str, headers) -> tuple[int, str, dict]:
    """(status, JSON body, extra headers) for a GET on a memberships URL."""
    rosters: Rosters = platform.rosters
    rosters.requests.append(path + ("?" + query if query else ""))
    context = path.removeprefix("/CourseSection/").removesuffix("/memberships")
    if context not in rosters.members:
        return 404, json.dumps({"error": "no such context"}), {}
    token = headers.get("Authorization", "").removeprefix("Bearer ")
    if NRPS_SCOPE not in platform.token_scopes.get(token, "").split():
        return 401, json.dumps({"error": "invalid_token"}), {}
    if CONTAINER not in headers.get("Accept", ""):
        return 406, json.dumps({"error": "not acceptable"}), {}
    page = int((parse_qs(query).get("page") or ["1"])[0])
    if page in rosters.down_pages:
        return 503, json.dumps({"error": "down for maintenance"}), {}
    everyone = rosters.members[context]
    start = (page - 1) * rosters.page_size
    url = memberships_url(platform, context)
    body = {
        "id": url,
        "context": {"id": context, "title": "Verplichte scholing 2026"},
        "members": everyone[start : start + rosters.page_size],
    }
    extra = {"Content-Type": CONTAINER}
    if start + rosters.page_size < len(everyone):
        extra["Link"] = f'<{url}?page={page + 1}>; rel="next"'
    return 200, json.dumps(body), extra
