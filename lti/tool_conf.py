"""pylti1p3's tool configuration, read from the platforms registered in the admin."""

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from .keys import signing_key
from .models import Platform


def registration_for(platform: Platform) -> Registration:
    key = signing_key()
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_auth_audience(platform.auth_audience or None)
        .set_key_set_url(platform.jwks_url)
        .set_tool_private_key(key.private_key)
        .set_tool_public_key(key.public_key)
    )


class PlatformToolConf(ToolConfAbstract):
    """Every issuer may have several client ids (one registration each)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None) -> Platform | None:
        if not iss or not client_id:
            return None
        return Platform.objects.filter(issuer=iss, client_id=client_id, is_active=True).first()

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        raise NotImplementedError  # never asked: an issuer may have several clients

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        return registration_for(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        raise NotImplementedError

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_id_list():
            return None
        return Deployment().set_deployment_id(deployment_id)
