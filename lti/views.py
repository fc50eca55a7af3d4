"""LTI 1.3 endpoints: the tool's JWKS, OIDC login initiation, the launch, linking an
existing account with the person's consent, and the deep-linking chooser's answer."""

from urllib.parse import urlencode

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from courses.models import ModulePage
from organisations.models import Organisation

from . import deep_linking, dynamic_registration, scorm
from .embedding import EMBED_SESSION_KEY, secure_context
from .keys import jwks as tool_jwks
from .launch import (
    LOGIN_SECONDS,
    STATE_COOKIE_PREFIX,
    LaunchRefused,
    SignaalMessageLaunch,
    start_login,
)
from .models import Platform, ScormPackage, origin_of
from .services import CLAIM, link_account, module_of, person_for, record_launch

PENDING_LINK_KEY = "lti_pending_link"


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(tool_jwks())


def refused(request: HttpRequest, refusal: LaunchRefused) -> HttpResponse:
    response = render(
        request,
        "lti/refused.html",
        {"message": refusal.message, "reason": refusal.reason},
        status=refusal.status,
    )
    response["X-LTI-Refusal"] = refusal.reason
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    try:
        auth_url, state = start_login(params=params, launch_url=launch_url)
    except LaunchRefused as refusal:
        return refused(request, refusal)
    response = redirect(auth_url)
    # Binds the login to this browser. SameSite=None (with Secure) so that it comes back
    # with the platform's cross-site form post, inside the LMS's iframe too.
    secure = secure_context(request)
    response.set_cookie(
        STATE_COOKIE_PREFIX + state[-16:],
        state,
        max_age=LOGIN_SECONDS,
        path="/lti/",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )
    return response


@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    message = SignaalMessageLaunch(request)
    try:
        claims = message.validated()
    except LaunchRefused as refusal:
        if refusal.reason == "no_cookies":
            # Start the login again in a window of its own, where cookies are first-party.
            params = message.login_state.login_params
            return render(
                request,
                "lti/new_window.html",
                {"login_url": reverse("lti:login") + "?" + urlencode(params)},
            )
        return refused(request, refusal)
    platform = message.platform()
    message_type = claims.get(CLAIM + "message_type")
    if message_type == "LtiDeepLinkingRequest":
        return deep_linking.chooser(request, platform, claims)
    if message_type != "LtiResourceLinkRequest":
        return refused(request, LaunchRefused("message", status=400))
    module = module_of(claims)
    if module is None:
        return refused(request, LaunchRefused("module", status=404))
    person = person_for(platform, claims)
    if person.user is None:
        request.session[EMBED_SESSION_KEY] = platform.pk
        request.session[PENDING_LINK_KEY] = {
            "platform": platform.pk,
            "user": person.link_candidate_id,
            "module": module.pk,
            "claims": claims,
        }
        return redirect("lti:link_account")
    return _enter(request, platform, person.user, claims, module)


def _enter(request, platform: Platform, user: User, claims: dict, module) -> HttpResponse:
    if not user.is_active:
        return refused(request, LaunchRefused("inactive"))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[EMBED_SESSION_KEY] = platform.pk
    record_launch(platform=platform, user=user, claims=claims, module=module)
    return redirect(module.url)


@never_cache
@require_http_methods(["GET", "POST"])
def link_account_view(request: HttpRequest) -> HttpResponse:
    """An LMS launched someone whose address belongs to a Signaal account: they sign in to
    that account and confirm, or the accounts stay apart (nothing is linked silently)."""
    pending = request.session.get(PENDING_LINK_KEY)
    if not pending:
        return refused(request, LaunchRefused("state"))
    platform = Platform.objects.filter(pk=pending["platform"], is_active=True).first()
    module = ModulePage.objects.live().filter(pk=pending["module"]).first()
    if platform is None or module is None:
        request.session.pop(PENDING_LINK_KEY, None)
        return refused(request, LaunchRefused("module", status=404))
    is_owner = request.user.is_authenticated and request.user.pk == pending["user"]
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            request.session.pop(PENDING_LINK_KEY, None)
            return render(request, "lti/link_declined.html", {"platform": platform})
        if is_owner:
            link_account(platform, pending["claims"]["sub"], request.user)
            request.session.pop(PENDING_LINK_KEY, None)
            return _enter(request, platform, request.user, pending["claims"], module)
    sign_in_url = reverse("account_login") + "?" + urlencode({"next": request.path})
    return render(
        request,
        "lti/link_account.html",
        {
            "platform": platform,
            "module": module,
            "is_owner": is_owner,
            "other_account": request.user.is_authenticated and not is_owner,
            "sign_in_url": sign_in_url,
        },
    )


@csrf_exempt  # the signed, timed token in the form is what proves the chooser's launch
@require_POST
def deep_link_response(request: HttpRequest) -> HttpResponse:
    try:
        return deep_linking.respond(request)
    except LaunchRefused as refusal:
        return refused(request, refusal)


@csrf_exempt  # the signed registration link in the URL is what authorises the post
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    """Dynamic registration: the LMS opens this link (from a Signaal administrator) with
    its openid_configuration; a click registers Signaal there and stores the LMS."""
    link = dynamic_registration.read_link(token)
    params = request.POST if request.method == "POST" else request.GET
    configuration_url = params.get("openid_configuration", "")
    context = {"configuration_url": configuration_url, "token": token}
    status = 200
    if link is None:
        context["error"] = _("This registration link is not valid (any more).")
        status = 400
    elif not configuration_url:
        context["error"] = _("Paste this link in your LMS as a dynamic registration URL.")
        status = 400
    elif request.method == "POST":
        try:
            context["platform"] = dynamic_registration.register(
                link=link,
                openid_configuration=configuration_url,
                registration_token=params.get("registration_token", ""),
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except dynamic_registration.RegistrationError as error:
            context["error"] = str(error)
            status = 400
    else:
        context["registration_token"] = params.get("registration_token", "")
        context["organisation"] = Organisation.objects.filter(pk=link["organisation"]).first()
    response = render(request, "lti/register.html", context, status=status)
    # Shown in the LMS's registration dialog: that LMS (and only it) may frame it.
    origin = origin_of(configuration_url) if link else ""
    response._csp_replace = {"frame-ancestors": [origin] if origin else ["'none'"]}
    return response


@login_required
@require_GET
def scorm_download(request: HttpRequest, package_id: int) -> HttpResponse:
    """The package as a zip, for a platform administrator (the admin links here)."""
    if not request.user.has_perm("lti.view_scormpackage"):
        raise PermissionDenied
    package = get_object_or_404(ScormPackage, pk=package_id)
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(scorm.build_zip(package, base_url), content_type="application/zip")
    name = f"signaal-{package.module.slug}-{package.organisation.slug}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@require_GET
def scorm_start(request: HttpRequest, key: str) -> HttpResponse:
    """Opened by the SCORM package in a window of its own: sign in as the LMS's learner."""
    learner_id = request.GET.get("learner", "")[:255]
    try:
        package = scorm.open_package(key)
        if not learner_id:
            raise scorm.PackageRefused
        user = scorm.learner_account(package, learner_id, request.GET.get("name", ""))
    except scorm.PackageRefused:
        return refused(request, LaunchRefused("scorm"))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(package.module.url)


@never_cache
@require_GET
def scorm_status(request: HttpRequest, key: str) -> JsonResponse:
    """Whether the LMS's learner completed the module (read by the package's page, on the
    LMS's origin: CORS for any origin, no credentials)."""
    try:
        package = scorm.open_package(key)
    except scorm.PackageRefused:
        response = JsonResponse({"status": "revoked"}, status=403)
    else:
        response = JsonResponse(scorm.learner_status(package, request.GET.get("learner", "")))
    response["Access-Control-Allow-Origin"] = "*"
    return response
