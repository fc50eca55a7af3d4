"""StreamField blocks for lessons and module metadata: one small block per idea."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

LESSON_RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class ImageWithAltBlock(blocks.StructBlock):
    """An image with the alt text a screen reader needs (required)."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """An embedded video with a full transcript (required), so it works for everyone."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    video = EmbedBlock(label=_("Video URL"))
    transcript = blocks.RichTextBlock(label=_("Transcript"), features=LESSON_RICH_TEXT_FEATURES)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


class CaseVignetteBlock(blocks.StructBlock):
    """A short case from practice (fictional people) to think with."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.RichTextBlock(label=_("Case"), features=LESSON_RICH_TEXT_FEATURES)

    class Meta:
        icon = "user"
        label = _("Case vignette")
        template = "courses/blocks/case_vignette.html"


class RedFlagBlock(blocks.StructBlock):
    """A callout for a red flag: a sign that calls for attention and action."""

    title = blocks.CharBlock(label=_("Red flag"), max_length=200)
    text = blocks.RichTextBlock(label=_("Explanation"), features=LESSON_RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Red flag")
        template = "courses/blocks/red_flag.html"


class KeyPointsBlock(blocks.StructBlock):
    """The points to remember from a lesson or section."""

    points = blocks.ListBlock(
        blocks.CharBlock(
            max_length=300,
            label=_("Key point"),
            help_text=_("One thing to remember, in one sentence."),
        ),
        label=_("Key points"),
    )

    class Meta:
        icon = "list-ul"
        label = _("Key points")
        template = "courses/blocks/key_points.html"


class ReflectionBlock(blocks.StructBlock):
    """A question for the learner; their answer is stored privately for them alone."""

    prompt = blocks.TextBlock(label=_("Question"))

    class Meta:
        icon = "help"
        label = _("Reflection question")
        template = "courses/blocks/reflection.html"


class LessonBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(label=_("Text"), features=LESSON_RICH_TEXT_FEATURES)
    image = ImageWithAltBlock()
    video = VideoBlock()
    case_vignette = CaseVignetteBlock()
    red_flag = RedFlagBlock()
    key_points = KeyPointsBlock()
    reflection = ReflectionBlock()


class CitationBlock(blocks.StructBlock):
    """A citation: an entry of the source register and the passage cited in it."""

    source = SnippetChooserBlock("courses.Source", label=_("Source"))
    passage = blocks.CharBlock(
        label=_("Passage"),
        max_length=300,
        help_text=_("The chapter, section or article cited, e.g. 'Deel A, §1.2'."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Citation")
        template = "courses/blocks/citation.html"
