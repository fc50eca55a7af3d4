"""StreamField blocks for the steps of a scenario quiz. Each step has a key that choices
point to; ListBlock item ids are stable across revisions, so answers can refer to them."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from courses.blocks import CitationBlock

NARRATIVE_FEATURES = ["bold", "italic", "ol", "ul"]
STEP_KEY_HELP = _("A short name for this step that choices point to, e.g. 'eerste-melding'.")
NEXT_HELP = _("The key of the step that comes next.")


def signal_choices():
    from .models import Signal

    return [(signal.slug, signal.name) for signal in Signal.objects.order_by("kind", "name")]


def _signals_field(label, help_text=""):
    return blocks.MultipleChoiceBlock(
        choices=signal_choices, required=False, label=label, help_text=help_text
    )


class StepBase(blocks.StructBlock):
    key = blocks.CharBlock(
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
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    sources = blocks.ListBlock(
        CitationBlock(),
        label=_("Sources"),
        required=False,
        default=[],
        help_text=_("What this step's case and feedback rest on; shown with the feedback."),
    )


class QuestionBase(StepBase):
    narrative = blocks.RichTextBlock(label=_("Narrative"), features=NARRATIVE_FEATURES)
    image = ImageChooserBlock(label=_("Image"), required=False)
    image_alt = blocks.CharBlock(
        label=_("Alternative text for the image"), required=False, max_length=250
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
    min_missed = blocks.IntegerBlock(label=_("At least this many signals missed"), min_value=1)
    signals = _signals_field(
        _("Counting only these signals"), _("Leave empty to count every missed signal.")
    )
    next = blocks.CharBlock(label=_("Go to step"), max_length=60, help_text=NEXT_HELP)

    class Meta:
        label = _("Branch on what happened so far")


def _branches():
    return blocks.ListBlock(
        BranchBlock(),
        label=_("Branches"),
        required=False,
        help_text=_(
            "Checked in order after the answer: the first that applies decides the next step "
            "instead of the choice."
        ),
    )


class DecisionChoiceBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Choice"), max_length=300)
    feedback = blocks.TextBlock(label=_("Feedback"), help_text=_("Shown after choosing."))
    score = blocks.IntegerBlock(label=_("Score"), min_value=0, default=0)
    next = blocks.CharBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    recognised = _signals_field(_("Signals recognised by this choice"))
    missed = _signals_field(_("Signals missed by this choice"))


class DecisionStepBlock(QuestionBase):
    choices = blocks.ListBlock(DecisionChoiceBlock(), label=_("Choices"), min_num=2)
    branches = _branches()

    class Meta:
        icon = "radio-full"
        label = _("Decision (one choice)")


class ResponseOptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Option"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.TextBlock(label=_("Feedback"), required=False)
    signal = blocks.ChoiceBlock(choices=signal_choices, required=False, label=_("Signal"))


class MultipleResponseStepBlock(QuestionBase):
    options = blocks.ListBlock(ResponseOptionBlock(), label=_("Options"), min_num=2)
    points = blocks.IntegerBlock(label=_("Points per correct option"), min_value=1, default=1)
    penalty = blocks.IntegerBlock(
        label=_("Points off per incorrect option"), min_value=0, default=1
    )
    next = blocks.CharBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    branches = _branches()

    class Meta:
        icon = "list-ul"
        label = _("Multiple response")


class OrderStepBlock(QuestionBase):
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=300, label=_("Item")),
        label=_("Items, in the right order"),
        min_num=2,
    )
    points = blocks.IntegerBlock(label=_("Points per item in place"), min_value=1, default=1)
    feedback = blocks.TextBlock(label=_("Feedback"), required=False)
    signals = _signals_field(_("Signals missed when the order is wrong"))
    next = blocks.CharBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    branches = _branches()

    class Meta:
        icon = "order"
        label = _("Put in order")


class SentenceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Sentence"), max_length=500)
    signal = blocks.ChoiceBlock(
        choices=signal_choices,
        required=False,
        label=_("Signal"),
        help_text=_("Leave empty for a sentence that is not a signal."),
    )
    feedback = blocks.TextBlock(label=_("Feedback"), required=False)


class MarkSignalsStepBlock(QuestionBase):
    sentences = blocks.ListBlock(SentenceBlock(), label=_("Case text, sentence by sentence"))
    points = blocks.IntegerBlock(label=_("Points per signal found"), min_value=1, default=1)
    penalty = blocks.IntegerBlock(label=_("Points off per false alarm"), min_value=0, default=1)
    next = blocks.CharBlock(label=_("Next step"), max_length=60, help_text=NEXT_HELP)
    branches = _branches()

    class Meta:
        icon = "warning"
        label = _("Mark the signals")


class EndStepBlock(StepBase):
    outcome = blocks.RichTextBlock(label=_("Outcome"), features=NARRATIVE_FEATURES)

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
