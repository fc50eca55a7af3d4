"""Scenario quizzes: the signals choices are tagged with, the quiz page, and the attempts
learners make. Scoring and walking the graph live in quizzes.scenario (pure rules) and
quizzes.services (writes)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, Revision
from wagtail.search import index

from courses.blocks import CitationBlock
from courses.models import Theme

from . import scenario as rules
from .blocks import ScenarioStepsBlock
from .building import build_scenario
from .editor import ScenarioMapPanel, step_error_messages


class SignalKind(models.TextChoices):
    RED_FLAG = "red_flag", _("Red flag")
    RISK_FACTOR = "risk_factor", _("Additional risk factor")
    COERCIVE_CONTROL = "coercive_control", _("Coercive-control pattern")
    CHILD_ABUSE = "child_abuse", _("Form of child abuse")
    SAFETY_ACTION = "safety_action", _("Safety action")


class Signal(index.Indexed, models.Model):
    """Something a choice in a scenario is about: a red flag, a risk factor, a pattern of
    coercive control or a safety action. Authors maintain the list."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SignalKind.choices)
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="signals"
    )
    description = models.TextField(_("description"), blank=True)
    # What `load_content` last wrote (quizzes.content_sync), to notice edits made here.
    loaded_hash = models.CharField(max_length=64, blank=True, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("theme")]),
        FieldPanel("description"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")

    def __str__(self) -> str:
        return self.name


# Actions in the page editor that send a revision towards publication.
PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


class ScenarioQuizPageForm(WagtailAdminPageForm):
    """Drafts may be incomplete; publishing (or submitting for review) a quiz that cannot
    be played to an end is refused with the reasons."""

    def clean(self):
        cleaned = super().clean()
        if "steps" in self.errors:
            # Name the steps with errors in the page's error summary (Wagtail lists every
            # error there once the form has one of its own), not only on the blocks.
            field = self.fields["steps"]
            for error in self.errors.as_data()["steps"]:
                for message in step_error_messages(field.block, self.data, self.files, error):
                    self.add_error(None, message)
            return cleaned
        if not any(action in self.data for action in PUBLISHING_ACTIONS):
            return cleaned
        if self.errors or "steps" not in cleaned:
            return cleaned
        scenario = build_scenario(cleaned["steps"], settings_from=cleaned)
        for problem in rules.problems(scenario):
            self.add_error(None, problem.message)
        return cleaned


class FeedbackTiming(models.TextChoices):
    PER_STEP = rules.FeedbackTiming.PER_STEP.value, _("After each step")
    AT_END = rules.FeedbackTiming.AT_END.value, _("At the end")


class QuizNotPublishable(ValidationError):
    pass


class ScenarioQuizPage(Page):
    """The scenario quiz that ends a module and decides whether it is passed."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown before the quiz starts: what the case is about and what to expect."),
    )
    content_note = models.TextField(
        _("content note"),
        blank=True,
        help_text=_(
            "Shown before the quiz starts: what violence its cases describe, for learners "
            "who may be affected."
        ),
    )
    pass_mark = models.PositiveIntegerField(
        _("pass mark (points)"),
        validators=[MinValueValidator(1)],
        default=1,
        help_text=_("Points needed to pass; the map's checks say when no path can reach it."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, help_text=_("0 means no limit.")
    )
    wait_minutes = models.PositiveIntegerField(
        _("waiting time between attempts (minutes)"),
        default=0,
        validators=[MaxValueValidator(60 * 24 * 30)],
        help_text=_("0 means a new attempt can start at once."),
    )
    shuffle = models.BooleanField(
        _("shuffle the choices"),
        default=False,
        help_text=_("Each learner sees the choices of a step in an order of their own."),
    )
    feedback_timing = models.CharField(
        _("feedback"),
        max_length=10,
        choices=FeedbackTiming.choices,
        default="per_step",
        help_text=_("When learners see the feedback on their answers."),
    )
    steps = StreamField(
        ScenarioStepsBlock(),
        verbose_name=_("steps"),
        help_text=_(
            "The first step is the start. Each choice leads to the step you choose for it; "
            "the map above shows the result."
        ),
    )
    sources = StreamField(
        [("citation", CitationBlock())],
        verbose_name=_("sources"),
        blank=True,
        default=list,
        help_text=_("What the quiz as a whole rests on; shown on its page."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("content_note"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("attempts_allowed")]),
                FieldRowPanel([FieldPanel("wait_minutes"), FieldPanel("feedback_timing")]),
                FieldPanel("shuffle"),
            ],
            heading=_("Settings"),
        ),
        ScenarioMapPanel(),
        FieldPanel("steps"),
        FieldPanel("sources"),
    ]
    base_form_class = ScenarioQuizPageForm
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("scenario quiz")
        verbose_name_plural = _("scenario quizzes")

    # The author's overview of every step, and 'play as a learner' (quizzes.play_preview).
    preview_modes = [("", _("Overview for authors")), ("play", _("Play as a learner"))]

    def serve_preview(self, request, mode_name):
        if mode_name == "play":
            from .play_preview import serve_play

            return serve_play(self, request)
        return super().serve_preview(request, mode_name)

    def make_preview_request(
        self, original_request=None, preview_mode=None, extra_request_attrs=None
    ):
        # The preview renders a request made up for the page's address; the play mode
        # needs the preview address's query (the answers so far), so it is passed on.
        if preview_mode == "play" and original_request is not None:
            extra_request_attrs = {
                **(extra_request_attrs or {}),
                "play_query": original_request.GET,
            }
        return super().make_preview_request(original_request, preview_mode, extra_request_attrs)

    @cached_property
    def scenario(self) -> rules.Scenario:
        return build_scenario(self.steps, settings_from=self)

    def publish(self, revision, *args, **kwargs):
        # The last guard for every way of publishing (workflow approval, schedule,
        # scripts): a revision that cannot be played is never made live.
        found = rules.problems(revision.as_object().scenario)
        if found:
            raise QuizNotPublishable([problem.message for problem in found])
        return super().publish(revision, *args, **kwargs)

    def serve(self, request, *args, **kwargs):
        from . import views

        if request.method == "POST":
            return views.quiz_action(request, self)
        return views.open_quiz(request, self) or super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import views

        return super().get_context(request, *args, **kwargs) | views.quiz_context(request, self)


class QuizAttempt(models.Model):
    """One play of a quiz by a learner, against the page revision it started on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(ScenarioQuizPage, on_delete=models.CASCADE, related_name="attempts")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    current_step = models.CharField(max_length=60)
    score = models.PositiveIntegerField(_("score"), default=0)
    pass_mark = models.PositiveIntegerField(_("pass mark"))
    passed = models.BooleanField(_("passed"), null=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(finished_at__isnull=True),
                name="one_open_attempt_per_quiz",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "quiz", "number"], name="unique_attempt_number"
            ),
        ]
        verbose_name = _("quiz attempt")

    def __str__(self) -> str:
        return f"{self.user_id} – {self.quiz_id} #{self.number}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class QuizAnswer(models.Model):
    """An answer as it was given; never changed afterwards."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    sequence = models.PositiveSmallIntegerField()
    step_key = models.CharField(max_length=60)
    choice_ids = models.JSONField(default=list)
    score = models.PositiveIntegerField(default=0)
    counted = models.BooleanField(default=True)
    correct = models.BooleanField(default=False)
    recognised = models.JSONField(default=list)
    missed = models.JSONField(default=list)
    next_step = models.CharField(max_length=60)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "sequence"], name="unique_answer_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.sequence}: {self.step_key}"
