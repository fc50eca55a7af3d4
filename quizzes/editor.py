"""The quiz editor: the scenario as the page form holds it while the author works (for the
map and the checks beside the steps), block errors named by their step in the page's
error summary, the fields that choose a step instead of typing its key, and the map panel.

The rules themselves stay in quizzes.scenario; this module only reads the form."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import Panel

from . import scenario as rules
from .building import build_scenario

MAP_SCRIPTS = ("vendor/dagre/dagre.min.js", "quizzes/scenario-map.js")
MAP_STYLES = ("quizzes/scenario-map.css",)
QUIZ_SETTINGS = ("pass_mark", "attempts_allowed", "wait_minutes", "shuffle", "feedback_timing")
# The list fields whose minimum the scenario check states in its own words.
CHOICE_LISTS = ("choices", "options", "items")


class FormDataError(ValueError):
    """The posted data is not a page form's steps."""


def scenario_from_form_data(stream_block, data, files=None, *, prefix="steps"):
    """The scenario as the editor's form holds it now, drafts and half-typed numbers
    included. Raises FormDataError when the data is not a steps form at all."""
    try:
        steps = stream_block.value_from_datadict(data, files or {}, prefix)
        settings = {name: data.get(name) for name in QUIZ_SETTINGS}
        return build_scenario(steps, settings_from=settings)
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise FormDataError(str(error)) from error


def step_error_messages(stream_block, data, files, error: ValidationError) -> list[str]:
    """One line per step with a block error, for the page's error summary: the step named
    by key and title, in the scenario check's words where the check says the same thing
    (e.g. a decision with fewer than two choices), else the field and its error."""
    block_errors = getattr(error, "block_errors", None)
    if not block_errors:
        return []
    try:
        steps = scenario_from_form_data(stream_block, data, files).steps
    except FormDataError:
        return []
    kinds = stream_block.child_blocks
    lines: list[str] = []
    for index, step_error in sorted(block_errors.items()):
        if index >= len(steps):
            continue
        step = steps[index]
        own_check = [
            problem.message
            for problem in rules.problems(rules.Scenario(steps=(step,), pass_mark=0))
            if problem.code == rules.ProblemCode.TOO_FEW_CHOICES
        ]
        block = kinds.get(str(step.kind))
        for path, message in _flatten(block, step_error):
            if path and path[0] in CHOICE_LISTS and len(path) == 1 and own_check:
                lines.extend(own_check)
                own_check = []
                continue
            lines.append(
                _("Step %(step)s, %(field)s: %(error)s")
                % {
                    "step": rules.step_name(step) if step.key else f"{index + 1}",
                    "field": " › ".join(_labels(block, path)) or _("step"),
                    "error": message,
                }
            )
    return list(dict.fromkeys(lines))


def _flatten(block, error, path=()):
    """(path of child names and item numbers, message) for every error in a block's
    error tree."""
    children = getattr(error, "block_errors", None) or {}
    for message in getattr(error, "non_block_errors", None) or ():
        yield path, message
    for name, child_error in children.items():
        yield from _flatten(block, child_error, (*path, name))
    if not children and not getattr(error, "non_block_errors", None):
        yield path, " ".join(error.messages)


def _labels(block, path) -> list[str]:
    labels = []
    for part in path:
        if isinstance(part, int):
            labels.append(str(part + 1))
            block = getattr(block, "child_block", block)
            continue
        child = getattr(block, "child_blocks", {}).get(part)
        if child is None:
            labels.append(str(part))
            continue
        labels.append(str(child.label))
        block = child
    return labels


def map_strings(stream_block=None) -> dict:
    """The words the map's script uses (quizzes/static/quizzes/scenario-map.js)."""
    strings = {
        "noSteps": _("No steps yet."),
        "drawingLabel": _(
            "Map of the quiz: %(steps)s steps and %(links)s links. The outline beside it says "
            "the same in text."
        ),
        "start": _("Start"),
        "end": _("End of the quiz"),
        "missing": _("This step does not exist"),
        "points": _("at most %(points)s points"),
        "attempts": _("reached in %(count)s attempts"),
        "problemCount": _("problems: %(count)s"),
        "choice": _("Choice %(number)s, '%(label)s' (%(score)s points)"),
        "choiceShort": _("%(number)s: %(score)s pt"),
        "branch": _("When %(count)s or more signals have been missed"),
        "branchShort": _("%(count)s+ missed"),
        "next": _("Next"),
        "noTarget": _("no step chosen yet"),
        "missingTarget": _("'%(key)s', which does not exist"),
        "share": _("%(share)s of the attempts that reached the step: %(count)s"),
        "signalMissed": _("Signal '%(name)s': missed in %(rate)s of the answers here"),
        "problem": _("Problem"),
        "noProblems": _("No problems: this quiz can be published as far as the checks go."),
        "problemsIntro": _(
            "This still stops the quiz from being published (the same check runs when you "
            "publish or submit it):"
        ),
        "statusProblems": _("Map updated: %(count)s problems."),
        "statusOk": _("Map updated: no problems."),
        "failed": _(
            "The map could not be updated. Your work is not affected; it tries again on your "
            "next change."
        ),
        "keyTaken": _(
            "Another step already has the key '%(key)s', so the key stays '%(old)s'. "
            "Choose another key."
        ),
        "renamed": _("The key is now '%(key)s': %(count)s links to '%(old)s' now lead here."),
        "choose": _("— Choose a step —"),
        "newStep": _("Add a new step"),
        "newStepOf": _("New step: %(kind)s"),
        "added": _("New step '%(key)s' added below the other steps: give it a title."),
    }
    if stream_block is not None:
        strings["kinds"] = {
            name: str(block.label) for name, block in stream_block.child_blocks.items()
        }
    return strings


class StepKeyInput(forms.TextInput):
    """A step's key: filled in from the title while the author has not chosen one, and
    when it changes, the choices and branches that pointed to the old key follow."""

    def __init__(self, attrs=None):
        super().__init__({"data-controller": "signaal-step-key", **(attrs or {})})

    @property
    def media(self):
        return forms.Media(js=MAP_SCRIPTS, css={"all": MAP_STYLES})


class StepTargetInput(forms.TextInput):
    """Where a choice, a step or a branch leads: the stored value is the step's key, but
    the author chooses the step from a list of the quiz's steps by title (or a new one)."""

    def __init__(self, attrs=None):
        super().__init__({"data-controller": "signaal-step-target", **(attrs or {})})

    @property
    def media(self):
        return forms.Media(js=MAP_SCRIPTS, css={"all": MAP_STYLES})


class ScenarioMapPanel(Panel):
    """The scenario as a map, its problems and an outline (the map as text, for keyboard
    and screen reader), redrawn as the author edits the steps."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", gettext_lazy("Map and checks"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Updated as you edit the steps: how the steps lead to each other, and what "
                "still stops the quiz from being published."
            ),
        )
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "quizzes/admin/scenario_map_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["map_url"] = reverse("quizzes_scenario_map")
            steps = self.panel.model._meta.get_field("steps").stream_block
            context["strings"] = json.dumps(map_strings(steps))
            return context

        @property
        def media(self):
            return forms.Media(js=MAP_SCRIPTS, css={"all": MAP_STYLES})
