"""Going through the import's steps as a coordinator does: upload, check (the preview),
send."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def upload_file(client, organisation, content: bytes, name="leden.csv", **data):
    """Upload; returns the check page (with the preview or the problems), or step 1's
    answer when the file cannot be read at all."""
    response = client.post(
        reverse("organisations:import", args=[organisation.slug]),
        {"file": SimpleUploadedFile(name, content), **data},
    )
    if response.status_code != 302:
        return response
    return client.get(response.url)


def send(client, check_page):
    """Press 'Verstuur de uitnodigingen' on a check page with a preview."""
    return client.post(
        check_page.wsgi_request.path,
        {"stap": "versturen", "plan": check_page.context["plan"].digest},
    )


def import_file(client, organisation, content: bytes, name="leden.csv", **data):
    """Upload and, when the preview shows, send: the answer to sending (302 when
    imported), or the page that showed the problems."""
    page = upload_file(client, organisation, content, name, **data)
    if page.status_code != 200 or page.context.get("plan") is None:
        return page
    return send(client, page)
