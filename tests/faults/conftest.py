from tests.courses.conftest import catalogue  # noqa: F401 (fixture)
from tests.organisations.conftest import coordinator, coordinator_client, organisation  # noqa: F401
from tests.quizzes.conftest import module, quiz  # noqa: F401
