import datetime

import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from certificates import codes

TEST_PASSWORD = "een-lang-wachtwoord-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified email address who can log in with TEST_PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"professional{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs) -> None:
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate as issue_for would make it, without completing a module; pass the
    module (a ModulePage). Valid for a year unless told otherwise."""

    class Meta:
        model = "certificates.Certificate"

    code = factory.LazyFunction(codes.new_code)
    user = factory.SubFactory(UserFactory)
    cycle = 1
    holder_name = factory.LazyAttribute(lambda certificate: certificate.user.full_name)
    module_title = factory.LazyAttribute(lambda certificate: certificate.module.title)
    module_version = 1
    issuer = "Signaal"
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=365))


class RegisterFactory(factory.django.DjangoModelFactory):
    """A professional register that takes attendance through PE-online."""

    class Meta:
        model = "courses.Register"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Register {n}")
    slug = factory.Sequence(lambda n: f"register-{n}")
    identifier_label = "registratienummer"
    identifier_pattern = "[0-9]{6,12}"
    identifier_example = "123456789"
