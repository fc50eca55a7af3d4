"""What other apps may use of identity. Nothing yet: cms only includes its URLs and
templates, and organisations learn of a sign-in through organisations.api."""

__all__: list[str] = []
