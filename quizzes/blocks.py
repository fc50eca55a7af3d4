"""StreamField blocks for the steps of a scenario quiz. Each step has a key that choices
point to; ListBlock item ids are stable across revisions, so answers can refer to them."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from courses.blocks import CitationBlock

from .editor import StepKeyInput, StepTargetInput

NARRATIVE_FEATURES = ["bold", "italic", "ol", "ul"]
STEP_KEY_HELP = _(
    "A short name for this step that choices point to, e.g. 'eerste-melding'. Filled in "
    "from the title; when you change it, the choices that lead here follow."
)
NEXT_HELP = _("Choose the step that comes next, or add a new one.")


def signal_choices():
    from .models import Signal

    return [(signal.slug, signal.name) for signal in Signal.objects.order_by("kind", "name")]


def _signals_field(label, help_text=""):
    return blocks.MultipleChoiceBlock(
        choices=signal_choices, required=False, label=label, help_text=help_text
    )


class _WidgetCharBlock(blocks.CharBlock):
    widget_class = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        widget = self.widget_class()
        widget.attrs.update(self.field.widget_attrs(widget))
        self.field.widget = widget


class StepKeyBlock(_WidgetCharBlock):
    """A step's key (StepKeyInput: filled in from the title, renamed with its links)."""

    widget_class = StepKeyInput


class StepTargetBlock(_WidgetCharBlock):
    """The key of the step a choice, step or branch leads to, chosen from the quiz's steps
    (StepTargetInput)."""

    widget_class = StepTargetInput


class StepBase(blocks.StructBlock):
    key = StepKeyBlock(
        label=_("Key"),
        max_length=60,
        help_text=STEP_KEY_HELP,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits and hyphens."))],
    )
    case = blocks.CharBlock(
        label=_("Starts a case"),
        required=False,
        max_length=120,
        help_text=_("Fill in the case title when this step starts a new case."),
    )
    title = blocks.CharBlock(
        label=_("Title"),
        max_length=200,
        help_text=_("Shown above the step; other steps choose this step by its title."),
    )
    sources = blocks.ListBlock(
        CitationBlock(),
        label=_("Sources"),
        required=False,
        default=[],
        help_text=_("What this step's case and feedback rest on; shown with the feedback."),
    )


class QuestionBase(StepBase):
    narrative = blocks.RichTextBlock(
        label=_("Narrative"),
        features=NARRATIVE_FEATURES,
        help_text=_("What happens in the case at this point, and the question to the learner."),
    )
    image = ImageChooserBlock(
        label=_("Image"), required=False, help_text=_("Optional: shown with the narrative.")
    )
    image_alt = blocks.CharBlock(
        label=_("Alternative text for the image"),
        required=False,
        max_length=250,
        help_text=_("Required with an image: what it shows, for people who cannot see it."),
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("image") and not (value.get("image_alt") or "").strip():
            raise StructBlockValidationError(
                block_errors={
                    "image_alt": ValidationError(
                        _("Describe what the image shows for people who cannot see it.")
                    )
                }
            )
        return value


class BranchBlock(blocks.StructBlock):
    min_missed = blocks.IntegerBlock(
        label=_("At least this many signals missed"),
        min_value=1,
        help_text=_("Counted over the whole attempt so far, each signal once."),
    )
    signals = _signals_field(
        _("Counting only these signals"), _("Leave empty to count every missed signal.")
    )
    next = StepTargetBlock(
        label=_("Go to step"),
        max_length=60,
        help_text=_("Choose the step the learner goes to when this branch applies."),
    )

    class Meta:
        label = _("Branch on what happened so far")


def _branches():
    return blocks.ListBlock(
        BranchBlock(),
        label=_("Branches"),
        required=False,
        # No empty branch to start with: it would be a problem before the author wants one.
        default=[],
        help_text=_(
            "Checked in order after the answer: the first that applies decides the next step "
            "instead of the choice."
        ),
    )


class DecisionChoiceBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("Choice"), max_length=300, help_text=_("What the learner can choose to do.")
    )
    feedback = blocks.TextBlock(label=_("Feedback"), help_text=_("Shown after choosing."))
    score = blocks.IntegerBlock(
        label=_("Score"),
        min_value=0,
        default=0,
        help_text=_("Points for this choice; the best choice of the step scores highest."),
    )
    next = StepTargetBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    recognised = _signals_field(
        _("Signals recognised by this choice"),
        _("For the learner's results and the insight report."),
    )
    missed = _signals_field(
        _("Signals missed by this choice"),
        _("Counted for branches and shown in the results to review."),
    )


class DecisionStepBlock(QuestionBase):
    choices = blocks.ListBlock(
        DecisionChoiceBlock(),
        label=_("Choices"),
        min_num=2,
        help_text=_("At least two; each leads to a step of its own choosing."),
    )
    branches = _branches()

    class Meta:
        icon = "radio-full"
        label = _("Decision (one choice)")


class ResponseOptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("Option"), max_length=300, help_text=_("An option the learner can tick.")
    )
    correct = blocks.BooleanBlock(
        label=_("Correct"), required=False, help_text=_("Tick when this option should be chosen.")
    )
    feedback = blocks.TextBlock(
        label=_("Feedback"), required=False, help_text=_("Optional: shown with the answer.")
    )
    signal = blocks.ChoiceBlock(
        choices=signal_choices,
        required=False,
        label=_("Signal"),
        help_text=_("The signal this option is about: recognised when chosen rightly."),
    )


class MultipleResponseStepBlock(QuestionBase):
    options = blocks.ListBlock(
        ResponseOptionBlock(),
        label=_("Options"),
        min_num=2,
        help_text=_("At least two, one or more of them correct."),
    )
    points = blocks.IntegerBlock(
        label=_("Points per correct option"),
        min_value=1,
        default=1,
        help_text=_("For each correct option chosen."),
    )
    penalty = blocks.IntegerBlock(
        label=_("Points off per incorrect option"),
        min_value=0,
        default=1,
        help_text=_("For each incorrect option chosen; the step never scores below zero."),
    )
    next = StepTargetBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    branches = _branches()

    class Meta:
        icon = "list-ul"
        label = _("Multiple response")


class OrderStepBlock(QuestionBase):
    items = blocks.ListBlock(
        blocks.CharBlock(
            max_length=300, label=_("Item"), help_text=_("One thing to put in its place.")
        ),
        label=_("Items, in the right order"),
        min_num=2,
        help_text=_("At least two; learners see them shuffled."),
    )
    points = blocks.IntegerBlock(
        label=_("Points per item in place"),
        min_value=1,
        default=1,
        help_text=_("For each item the learner puts in its right place."),
    )
    feedback = blocks.TextBlock(
        label=_("Feedback"), required=False, help_text=_("Shown with the right order.")
    )
    signals = _signals_field(
        _("Signals missed when the order is wrong"),
        _("Counted for branches and shown in the results to review."),
    )
    next = StepTargetBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    branches = _branches()

    class Meta:
        icon = "order"
        label = _("Put in order")


class SentenceBlock(blocks.StructBlock):
    text = blocks.CharBlock(
        label=_("Sentence"), max_length=500, help_text=_("One sentence of the case text.")
    )
    signal = blocks.ChoiceBlock(
        choices=signal_choices,
        required=False,
        label=_("Signal"),
        help_text=_("Leave empty for a sentence that is not a signal."),
    )
    feedback = blocks.TextBlock(
        label=_("Feedback"),
        required=False,
        help_text=_("Optional: why this sentence is or is not a signal."),
    )


class MarkSignalsStepBlock(QuestionBase):
    sentences = blocks.ListBlock(
        SentenceBlock(),
        label=_("Case text, sentence by sentence"),
        help_text=_("At least one sentence that is a signal and one that is not."),
    )
    points = blocks.IntegerBlock(
        label=_("Points per signal found"),
        min_value=1,
        default=1,
        help_text=_("For each signal sentence the learner marks."),
    )
    penalty = blocks.IntegerBlock(
        label=_("Points off per false alarm"),
        min_value=0,
        default=1,
        help_text=_("For each sentence marked that is not a signal."),
    )
    next = StepTargetBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    branches = _branches()

    class Meta:
        icon = "warning"
        label = _("Mark the signals")


class EndStepBlock(StepBase):
    outcome = blocks.RichTextBlock(
        label=_("Outcome"),
        features=NARRATIVE_FEATURES,
        help_text=_("How the case ends on this path; shown with the learner's results."),
    )

    class Meta:
        icon = "success"
        label = _("End")


class ScenarioStepsBlock(blocks.StreamBlock):
    decision = DecisionStepBlock()
    multiple_response = MultipleResponseStepBlock()
    order = OrderStepBlock()
    mark_signals = MarkSignalsStepBlock()
    end = EndStepBlock()

    class Meta:
        min_num = 1
