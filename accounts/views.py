"""'Mijn gegevens': the person's own data (download) and deleting the account."""

import datetime
import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import personal_data, selectors, services
from .forms import DeleteAccountForm


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/my_data.html",
        {"sharing_notices": personal_data.sharing_notices(request.user)},
    )


@login_required
@require_GET
def download_my_data(request: HttpRequest) -> HttpResponse:
    data = selectors.personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"signaal-mijn-gegevens-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def my_data_readable(request: HttpRequest) -> HttpResponse:
    """The same data as the download, as a page a person can read (and print or save as
    PDF with the browser): nested lists and headings instead of JSON."""
    data = selectors.personal_data(request.user)
    titles = {"account": _("Your account")} | {
        part.name: part.title for part in personal_data.parts()
    }
    sections = [
        {"title": title, "body": _readable(data[key])}
        for key, title in titles.items()
        if key in data
    ]
    return render(
        request,
        "accounts/my_data_readable.html",
        {"sections": sections, "exported_at": data["exported_at"]},
    )


def _readable(value) -> dict:
    """A JSON-ready value as a tree the template walks: maps (label, value), lists, text."""
    if isinstance(value, dict):
        return {
            "kind": "map",
            "items": [(_label(key), _readable(item)) for key, item in value.items()],
        }
    if isinstance(value, list | tuple):
        return {"kind": "list", "items": [_readable(item) for item in value]}
    if isinstance(value, bool):
        return {"kind": "text", "text": _("yes") if value else _("no")}
    if value is None or value == "":
        return {"kind": "text", "text": "–"}
    if isinstance(value, datetime.datetime):
        return {"kind": "text", "text": date_format(timezone.localtime(value), "DATETIME_FORMAT")}
    if isinstance(value, datetime.date):
        return {"kind": "text", "text": date_format(value, "DATE_FORMAT")}
    return {"kind": "text", "text": str(value)}


def _label(key: str) -> str:
    return capfirst(str(key).replace("_", " "))


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, _("Your account and personal data have been deleted."))
        return redirect("/")
    return render(
        request,
        "accounts/delete_account.html",
        {
            "form": form,
            "deletion_warnings": personal_data.deletion_warnings(request.user),
        },
        status=400 if form.is_bound else 200,
    )
