"""The module completion rule and module versions (courses.services)."""

import pytest

from courses import services
from courses.models import Enrolment, ModuleVersion
from tests.courses.conftest import add_lesson, lessons_of, make_module
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_first_publication_creates_version_one_with_all_lessons(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=3)
    version = ModuleVersion.objects.get(module=module)
    assert version.number == 1
    assert version.lesson_ids == [lesson.pk for lesson in lessons_of(module)]
    assert module.current_version == 1


def test_module_is_complete_only_when_every_lesson_is_done(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=3)
    learner = UserFactory()
    first, second, third = lessons_of(module)
    services.complete_lesson(user=learner, lesson=first)
    enrolment = services.complete_lesson(user=learner, lesson=third)
    completion = services.module_completion(enrolment=enrolment)
    assert (completion.lessons_done, completion.lessons_total) == (2, 3)
    assert not completion.is_complete
    assert enrolment.completed_at is None

    enrolment = services.complete_lesson(user=learner, lesson=second)
    assert services.module_completion(enrolment=enrolment).is_complete
    assert enrolment.completed_at is not None


def test_marking_a_lesson_done_twice_changes_nothing(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=2)
    learner = UserFactory()
    first = lessons_of(module)[0]
    services.complete_lesson(user=learner, lesson=first)
    enrolment = services.complete_lesson(user=learner, lesson=first)
    assert enrolment.lesson_completions.count() == 1
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_a_substantive_change_starts_a_new_version_and_clears_the_tick(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=2)
    module.substantive_change = True
    module.save_revision().publish()
    module.refresh_from_db()
    assert module.current_version == 2
    assert module.substantive_change is False
    assert module.latest_revision.content["substantive_change"] is False
    # A later ordinary publication keeps version 2.
    module.summary = "Andere samenvatting."
    module.save_revision().publish()
    module.refresh_from_db()
    assert module.current_version == 2
    assert ModuleVersion.objects.filter(module=module).count() == 2


def test_completion_is_judged_against_the_enrolled_version(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=2)
    learner = UserFactory()
    enrolment = services.start_module(user=learner, module=module)
    assert enrolment.module_version.number == 1

    # The module is published as a substantive change, then a new lesson arrives:
    # version 2 requires it, the learner enrolled in version 1 does not.
    module.substantive_change = True
    module.save_revision().publish()
    add_lesson(module, "Nieuwe les")
    for lesson in lessons_of(module)[:2]:
        enrolment = services.complete_lesson(user=learner, lesson=lesson)
    assert enrolment.completed_at is not None
    assert enrolment.module_version.number == 1

    newcomer = UserFactory()
    newcomers_enrolment = services.start_module(user=newcomer, module=module)
    assert newcomers_enrolment.module_version.number == 2
    assert services.module_completion(enrolment=newcomers_enrolment).lessons_total == 3


def test_after_a_substantive_change_a_learner_who_completed_starts_again(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    learner = UserFactory()
    done = services.complete_lesson(user=learner, lesson=lessons_of(module)[0])
    assert done.completed_at is not None
    assert services.start_module(user=learner, module=module) == done

    module.substantive_change = True
    module.save_revision().publish()
    again = services.start_module(user=learner, module=module)
    assert again.pk != done.pk
    assert again.module_version.number == 2
    assert again.completed_at is None
    # The earlier completion stays in the history.
    done.refresh_from_db()
    assert done.completed_at is not None


def test_an_ordinary_lesson_addition_is_required_in_the_current_version(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    learner = UserFactory()
    enrolment = services.start_module(user=learner, module=module)
    add_lesson(module, "Extra les")
    assert services.module_completion(enrolment=enrolment).lessons_total == 2


def test_starting_twice_gives_one_open_enrolment(catalogue):
    module = make_module(catalogue, "Rode vlaggen")
    learner = UserFactory()
    assert services.start_module(user=learner, module=module) == services.start_module(
        user=learner, module=module
    )
    assert Enrolment.objects.filter(user=learner, completed_at__isnull=True).count() == 1


def test_a_reflection_answer_is_stored_for_that_learner_only(catalogue):
    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    lesson = lessons_of(module)[0]
    block_id = next(block.id for block in lesson.body if block.block_type == "reflection")
    learner = UserFactory()
    services.save_reflection(user=learner, lesson=lesson, block_id=block_id, answer="Mijn antwoord")
    from courses.selectors.learning import reflection_answers

    assert reflection_answers(user=learner, lesson=lesson) == {block_id: "Mijn antwoord"}
    assert reflection_answers(user=UserFactory(), lesson=lesson) == {}
    with pytest.raises(ValueError):
        services.save_reflection(user=learner, lesson=lesson, block_id="bestaat-niet", answer="x")
    with pytest.raises(ValueError):
        services.save_reflection(user=learner, lesson=lesson, block_id=block_id, answer="x" * 5001)
    assert reflection_answers(user=learner, lesson=lesson) == {block_id: "Mijn antwoord"}


def test_the_module_page_shows_the_open_enrolment_before_a_completed_one(catalogue):
    from courses.selectors.learning import learner_enrolment

    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    learner = UserFactory()
    done = services.complete_lesson(user=learner, lesson=lessons_of(module)[0])
    assert learner_enrolment(user=learner, module=module) == done
    module.substantive_change = True
    module.save_revision().publish()
    again = services.start_module(user=learner, module=module)
    # PostgreSQL sorts NULLs last, SQLite first: the open one must win on both.
    assert learner_enrolment(user=learner, module=module) == again
