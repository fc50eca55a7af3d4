"""The learner's own part of courses for their data download (assembled by
accounts.selectors.personal_data)."""

from accounts.models import User
from courses.models import Enrolment, LessonPage, ReflectionAnswer


def personal_data(user: User) -> dict:
    """The learner's own part of courses for their data download: enrolments with the
    lessons done, and their reflection answers."""
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("module", "module_version")
        .prefetch_related("lesson_completions")
        .order_by("started_at", "pk")
    )
    lesson_titles = dict(
        LessonPage.objects.filter(
            pk__in={
                completion.lesson_id
                for enrolment in enrolments
                for completion in enrolment.lesson_completions.all()
            }
            | set(ReflectionAnswer.objects.filter(user=user).values_list("lesson_id", flat=True))
        ).values_list("pk", "title")
    )
    return {
        "enrolments": [
            {
                "module": enrolment.module.title,
                "module_version": enrolment.module_version.number,
                "update_from_version": enrolment.update_from_version,
                "started_at": enrolment.started_at,
                "completed_at": enrolment.completed_at,
                "last_activity_at": enrolment.last_activity_at,
                "lessons_done": [
                    {
                        "lesson": lesson_titles.get(completion.lesson_id, ""),
                        "completed_at": completion.completed_at,
                    }
                    for completion in sorted(
                        enrolment.lesson_completions.all(), key=lambda c: c.completed_at
                    )
                ],
            }
            for enrolment in enrolments
        ],
        "reflection_answers": [
            {
                "lesson": lesson_titles.get(answer.lesson_id, ""),
                "question": answer.block_id,
                "answer": answer.answer,
                "updated_at": answer.updated_at,
            }
            for answer in ReflectionAnswer.objects.filter(user=user).order_by("updated_at", "pk")
        ],
    }
