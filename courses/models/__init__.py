"""Modules, lessons and the learner's progress through them.

Page models hold content and presentation only; completion, versions and progress are
decided in courses.services and read through courses.selectors.

One module per part (taxonomy: themes, sectors, levels and the source register; pages: the
catalogue, module and lesson pages; progress: versions, enrolments, lessons done,
reflections and loaded content); import them from here, which is also how Django's app
registry finds them."""

from .pages import CourseIndexPage, LessonPage, ModuleAccreditation, ModuleChange, ModulePage
from .progress import (
    Enrolment,
    LessonCompletion,
    LoadedContent,
    ModuleVersion,
    ReflectionAnswer,
)
from .taxonomy import (
    AttendanceReporting,
    DatePrecision,
    Level,
    Register,
    Sector,
    Source,
    SourceKind,
    Theme,
)

__all__ = [
    "AttendanceReporting",
    "CourseIndexPage",
    "DatePrecision",
    "Enrolment",
    "LessonCompletion",
    "LessonPage",
    "Level",
    "LoadedContent",
    "ModuleAccreditation",
    "ModuleChange",
    "ModulePage",
    "ModuleVersion",
    "ReflectionAnswer",
    "Register",
    "Sector",
    "Source",
    "SourceKind",
    "Theme",
]
