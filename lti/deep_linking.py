"""Deep Linking 2.0: a course designer in the LMS picks Signaal modules from a chooser
that looks like the catalogue; Signaal answers with a signed LtiDeepLinkingResponse
holding one LtiResourceLink per module (form post back to the LMS).

The chooser keeps no session: the deep-linking settings travel in a signed, timed token
inside its form, so it works in an LMS iframe whose browser keeps no cookies."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from courses.models import ModulePage

from .launch import LaunchRefused
from .models import Platform, origin_of
from .services import CLAIM, MODULE_PARAMETER
from .tool_conf import registration_for

SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
TOKEN_SALT = "lti.deep_linking"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_SECONDS = 60 * 60


def _modules():
    return ModulePage.objects.live().order_by("title").prefetch_related("themes")


def chooser(request: HttpRequest, platform: Platform, claims: dict) -> HttpResponse:
    settings = claims.get(SETTINGS_CLAIM) or {}
    if not settings.get("deep_link_return_url"):
        raise LaunchRefused("message", status=400)
    token = signing.dumps(
        {
            "platform": platform.pk,
            "deployment_id": claims[CLAIM + "deployment_id"],
            "settings": settings,
        },
        salt=TOKEN_SALT,
    )
    return render(
        request,
        "lti/deep_link_chooser.html",
        {
            "platform": platform,
            "modules": _modules(),
            "token": token,
            "multiple": settings.get("accept_multiple", True),
        },
    )


def content_item(request: HttpRequest, module: ModulePage) -> DeepLinkResource:
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    return (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(module.title)
        .set_custom_params({MODULE_PARAMETER: str(module.pk)})
        # A gradebook column for the module: completion comes back there (AGS).
        .set_lineitem(
            LineItem().set_score_maximum(1).set_label(module.title).set_resource_id(str(module.pk))
        )
    )


def respond(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_SECONDS)
    except signing.BadSignature:
        response = render(
            request,
            "lti/refused.html",
            {"message": _("This choice has expired. Open the chooser again from your LMS.")},
            status=400,
        )
        return response
    platform = Platform.objects.filter(pk=data["platform"], is_active=True).first()
    if platform is None:
        raise LaunchRefused("unknown_platform")
    settings = data["settings"]
    ids = [value for value in request.POST.getlist("module") if value.isdigit()]
    modules = list(_modules().filter(pk__in=ids))
    if not settings.get("accept_multiple", True):
        modules = modules[:1]
    deep_link = DeepLink(registration_for(platform), data["deployment_id"], settings)
    jwt_value = deep_link.get_response_jwt([content_item(request, m) for m in modules])
    response = render(
        request,
        "lti/deep_link_return.html",
        {"return_url": settings["deep_link_return_url"], "jwt": jwt_value, "modules": modules},
    )
    # The form posts to the LMS: allowed for this response only.
    response._csp_update = {"form-action": [origin_of(settings["deep_link_return_url"])]}
    return response
