"""An organisation's identity provider (OpenID Connect or SAML 2.0): configured by a
platform administrator in the admin, mirrored into an allauth SocialApp (services)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


def parse_domains(text: str) -> list[str]:
    """'zorg.nl, Zorg-West.nl' (commas, spaces or lines) -> ['zorg.nl', 'zorg-west.nl']."""
    parts = text.replace(",", " ").split()
    return sorted({part.strip().lstrip("@").lower() for part in parts if part.strip()})


def metadata_xml_is_usable(xml: str, entity_id: str) -> bool:
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    try:
        idp = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id).get("idp", {})
    except Exception:  # noqa: BLE001 - any parse failure means: not usable
        return False
    return bool(idp.get("singleSignOnService", {}).get("url") and idp.get("x509cert"))


class IdentityProvider(models.Model):
    class Protocol(models.TextChoices):
        OIDC = "openid_connect", _("OpenID Connect (Entra ID, Google Workspace, ...)")
        SAML = "saml", _("SAML 2.0")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("name"), max_length=40, help_text=_("Shown to people, e.g. 'Zorggroep West account'.")
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        unique=True,
        help_text=_("Part of the sign-in addresses (callback URL); do not change it later."),
    )
    protocol = models.CharField(_("protocol"), max_length=20, choices=Protocol.choices)
    active = models.BooleanField(_("active"), default=True)
    email_domains = models.TextField(
        _("email domains"),
        help_text=_(
            "The addresses this sign-in service covers, e.g. 'zorggroep-west.nl'; "
            "several separated by commas. It may only sign in addresses of these domains."
        ),
    )
    required = models.BooleanField(
        _("required for these domains"),
        default=False,
        help_text=_("Password sign-in is refused for addresses of these domains."),
    )
    enforces_mfa = models.BooleanField(
        _("the sign-in service enforces multi-factor authentication"),
        default=False,
        help_text=_(
            "Then a sign-in through it counts as the second factor for this organisation's "
            "coordinator area. Otherwise coordinators still confirm with Signaal's app code."
        ),
    )
    role_claim = models.CharField(
        _("role claim or attribute"),
        max_length=200,
        blank=True,
        help_text=_(
            "The claim (OpenID Connect) or attribute (SAML) holding the person's role; its "
            "value is matched against the roles' slug or name."
        ),
    )
    default_role = models.ForeignKey(
        "organisations.Role",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default role"),
        help_text=_("The role of a new member when the claim is missing or unknown."),
    )
    # OpenID Connect
    discovery_url = models.URLField(
        _("discovery URL"),
        blank=True,
        help_text=_(
            "The issuer or its /.well-known/openid-configuration address, e.g. "
            "https://login.microsoftonline.com/<tenant>/v2.0"
        ),
    )
    client_id = models.CharField(_("client id"), max_length=191, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=191, blank=True)
    # SAML 2.0
    saml_entity_id = models.CharField(_("IdP entity id"), max_length=255, blank=True)
    saml_metadata_url = models.URLField(_("IdP metadata URL"), blank=True)
    saml_metadata_xml = models.TextField(
        _("IdP metadata XML"), blank=True, help_text=_("Instead of the metadata URL.")
    )

    panels = [
        FieldPanel("organisation"),
        FieldPanel("name"),
        FieldPanel("key"),
        FieldPanel("protocol"),
        FieldPanel("active"),
        FieldPanel("email_domains"),
        FieldPanel("required"),
        FieldPanel("enforces_mfa"),
        FieldPanel("role_claim"),
        FieldPanel("default_role"),
        MultiFieldPanel(
            [FieldPanel("discovery_url"), FieldPanel("client_id"), FieldPanel("client_secret")],
            heading=_("OpenID Connect"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("saml_entity_id"),
                FieldPanel("saml_metadata_url"),
                FieldPanel("saml_metadata_xml"),
            ],
            heading=_("SAML 2.0"),
        ),
    ]

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def domains(self) -> list[str]:
        return parse_domains(self.email_domains)

    def clean(self) -> None:
        errors = {}
        domains = self.domains
        if not domains or any("." not in domain or "@" in domain for domain in domains):
            errors["email_domains"] = _("Give one or more domains, like 'zorggroep-west.nl'.")
        else:
            self.email_domains = ", ".join(domains)
            others = IdentityProvider.objects.exclude(pk=self.pk)
            taken = sorted({d for other in others for d in other.domains} & set(domains))
            if taken:
                errors["email_domains"] = _(
                    "Another sign-in service already covers %(domains)s."
                ) % {"domains": ", ".join(taken)}
        if self.protocol == self.Protocol.OIDC:
            for field in ("discovery_url", "client_id", "client_secret"):
                if not getattr(self, field):
                    errors[field] = _("Needed for OpenID Connect.")
        elif self.protocol == self.Protocol.SAML:
            if not self.saml_entity_id:
                errors["saml_entity_id"] = _("Needed for SAML.")
            if not self.saml_metadata_url and not self.saml_metadata_xml:
                errors["saml_metadata_url"] = _("Give the metadata URL or the metadata XML.")
            elif self.saml_metadata_xml and not metadata_xml_is_usable(
                self.saml_metadata_xml, self.saml_entity_id
            ):
                errors["saml_metadata_xml"] = _(
                    "This metadata has no sign-in address and certificate for this entity id."
                )
        if errors:
            raise ValidationError(errors)
