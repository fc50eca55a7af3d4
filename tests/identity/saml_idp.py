"""A real SAML 2.0 identity provider (pysaml2's IdP, signing with Debian's xmlsec1) for the
sign-in tests, run as `python tests/identity/saml_idp.py` by tests/identity/idp.py.
Configuration as JSON in SAML_TEST_CONFIG: port, key and certificate files, the service
providers (entity id, ACS URL) and the people it knows by login name with their attributes.

GET /metadata gives its metadata; GET /sso/redirect takes an AuthnRequest (HTTP-Redirect)
and shows a login form (any password); POST /login answers the service provider with a
signed response (HTTP-POST, a form the page submits)."""

import html
import json
import os
import tempfile
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

CONFIG = json.loads(os.environ["SAML_TEST_CONFIG"])
BASE = f"http://127.0.0.1:{CONFIG['port']}"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def sp_metadata() -> str:
    entities = "".join(
        f'<md:EntityDescriptor entityID="{html.escape(sp["entity_id"])}">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" '
        f'Location="{html.escape(sp["acs"])}" index="0"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
        for sp in CONFIG["service_providers"]
    )
    return f'<md:EntitiesDescriptor xmlns:md="{MD}">{entities}</md:EntitiesDescriptor>'


def idp_config() -> IdPConfig:
    metadata = tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False)  # noqa: SIM115
    metadata.write(sp_metadata())
    metadata.close()
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{BASE}/metadata",
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT)]
                    },
                    "policy": {"default": {"lifetime": {"minutes": 5}, "entity_categories": []}},
                    "want_authn_requests_signed": False,
                    "sign_response": True,
                    "sign_assertion": True,
                }
            },
            "key_file": CONFIG["key_file"],
            "cert_file": CONFIG["cert_file"],
            "metadata": {"local": [metadata.name]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
        }
    )
    return config


SERVER = Server(config=idp_config())


def page(body: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Test IdP</title>"
        f"</head><body>{body}</body></html>"
    ).encode()


def app(environ, start_response):
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    if path == "/metadata":
        start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
        return [create_metadata_string(None, config=SERVER.config, sign=False)]
    if path == "/sso/redirect" and method == "GET":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(query[name][0])}">'
            for name in ("SAMLRequest", "RelayState")
            if name in query
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [
            page(
                f'<h1>Test IdP sign-in</h1><form method="post" action="/login">{fields}'
                '<label>Login <input name="login"></label>'
                '<label>Password <input name="password" type="password"></label>'
                '<button type="submit">Sign in at the IdP</button></form>'
            )
        ]
    if path == "/login" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        login = form["login"][0]
        person = CONFIG["people"].get(login)
        if person is None:
            start_response("403 Forbidden", [("Content-Type", "text/html; charset=utf-8")])
            return [page("<p>Unknown person</p>")]
        request = SERVER.parse_authn_request(form["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        binding, destination = SERVER.pick_binding(
            "assertion_consumer_service",
            bindings=[BINDING_HTTP_POST],
            entity_id=message.issuer.text,
            request=message,
        )
        response = SERVER.create_authn_response(
            identity=person,
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=message.issuer.text,
            name_id=saml.NameID(format=saml.NAMEID_FORMAT_PERSISTENT, text=login),
            authn={"class_ref": saml.AUTHN_PASSWORD, "authn_auth": BASE},
            sign_response=True,
            sign_assertion=True,
            # SHA-1 signatures are refused by python3-saml (rightly).
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        args = SERVER.apply_binding(
            binding, str(response), destination, form.get("RelayState", [""])[0], response=True
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [args["data"].encode() if isinstance(args["data"], str) else args["data"]]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    print(f"saml idp listening on {BASE}", flush=True)
    make_server("127.0.0.1", CONFIG["port"], app, handler_class=QuietHandler).serve_forever()
