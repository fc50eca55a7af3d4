import copy

import pytest

from quizzes import content_loader
from quizzes.models import ScenarioQuizPage
from tests import registers
from tests.courses.conftest import catalogue, make_module  # noqa: F401 (fixture)

MELDCODE_ORDER = [
    "Signalen in kaart brengen",
    "Overleggen met een collega",
    "Gesprek met de cliënt",
]

# A small case in the content file format (quizzes/content/README.md). Best path:
# doorvragen (2) -> all signals marked (2) -> order right (3) = 7 points.
HAND_OM_DE_KEEL = {
    "module": "test-module",
    "slug": "toets",
    "title": "Toets",
    "intro": "Een korte casus.",
    "pass_mark": 5,
    "attempts_allowed": 3,
    "wait_minutes": 0,
    "shuffle": False,
    "feedback": "per_step",
    "sources": [{"source": "plan-stop-femicide-2024", "passage": "Deel A, §3.2"}],
    "steps": [
        {
            "key": "start",
            "case": "Een hand om de keel",
            "type": "decision",
            "title": "Het gesprek",
            "narrative": "<p>Sanne vertelt dat haar partner haar keel heeft dichtgeknepen.</p>",
            "choices": [
                {
                    "label": "Ik vraag door naar wat er gebeurde",
                    "feedback": "Goed: verwurging is een rode vlag.",
                    "score": 2,
                    "next": "signalen",
                    "recognised": ["poging-tot-verwurging", "doorvragen"],
                },
                {
                    "label": "Ik zie het als een gewone ruzie",
                    "feedback": "Hiermee mis je een belangrijke rode vlag.",
                    "score": 0,
                    "next": "gevolg",
                    "missed": ["poging-tot-verwurging"],
                },
            ],
        },
        {
            "key": "gevolg",
            "type": "decision",
            "title": "Een week later",
            "narrative": "<p>Sanne belt opnieuw.</p>",
            "choices": [
                {
                    "label": "Ik vraag nu wel door",
                    "feedback": "Beter laat dan nooit.",
                    "score": 1,
                    "next": "signalen",
                    "recognised": ["doorvragen"],
                },
                {
                    "label": "Ik sluit het gesprek af",
                    "feedback": "Zo blijft het patroon onzichtbaar.",
                    "score": 0,
                    "next": "einde-zorg",
                    "missed": ["doorvragen"],
                },
            ],
        },
        {
            "key": "signalen",
            "type": "mark_signals",
            "title": "Het verslag",
            "narrative": "<p>Markeer de signalen.</p>",
            "sentences": [
                {"text": "Hij kneep haar keel dicht.", "signal": "poging-tot-verwurging"},
                {"text": "Hij leest haar berichten.", "signal": "dwangmatige-controle"},
                {"text": "Ze werkt in een bakkerij.", "feedback": "Geen signaal."},
            ],
            "points": 1,
            "penalty": 1,
            "next": "meldcode",
            "branches": [{"min_missed": 2, "next": "escalatie"}],
        },
        {
            "key": "escalatie",
            "type": "decision",
            "title": "Het gaat mis",
            "narrative": "<p>De situatie escaleert.</p>",
            "choices": [
                {"label": "Ik bel Veilig Thuis", "feedback": "Goed.", "score": 1,
                 "next": "meldcode", "recognised": ["veilig-thuis-raadplegen"]},
                {"label": "Ik wacht af", "feedback": "Te laat.", "score": 0,
                 "next": "einde-zorg", "missed": ["veilig-thuis-raadplegen"]},
            ],
        },
        {
            "key": "meldcode",
            "type": "order",
            "title": "De stappen",
            "narrative": "<p>Zet in volgorde.</p>",
            "items": MELDCODE_ORDER,
            "points": 1,
            "feedback": "Eerst signalen, dan overleg, dan het gesprek.",
            "missed": ["collega-consulteren"],
            "next": "einde-goed",
        },
        {"key": "einde-goed", "type": "end", "title": "Afloop",
         "outcome": "<p>Sanne krijgt hulp.</p>"},
        {"key": "einde-zorg", "type": "end", "title": "Afloop",
         "outcome": "<p>Het patroon blijft.</p>"},
    ],
}  # fmt: skip


def quiz_data(**changes) -> dict:
    data = copy.deepcopy(HAND_OM_DE_KEEL)
    data.update(changes)
    return data


def make_quiz(module, data: dict | None = None, *, publish: bool = True) -> ScenarioQuizPage:
    registers.ensure_signals()
    quiz = content_loader.unsaved_quiz_page(data or quiz_data(), registers.ensure_sources())
    quiz.live = publish
    module.add_child(instance=quiz)
    if publish:
        quiz.save_revision().publish()
    else:
        quiz.save_revision()
    quiz.refresh_from_db()
    return quiz


def choice_id(quiz: ScenarioQuizPage, step_key: str, index: int) -> str:
    return quiz.scenario.step(step_key).choices[index].id


def play_to_poor_end(quiz: ScenarioQuizPage, user):
    """Miss the strangulation, then close the conversation: the poor end, 0 points."""
    from quizzes import services

    attempt = services.start_attempt(user=user, quiz=quiz)
    attempt = services.answer(
        attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 1)]
    ).attempt
    return services.answer(
        attempt=attempt, step_key="gevolg", choice_ids=[choice_id(quiz, "gevolg", 1)]
    ).attempt


@pytest.fixture
def module(catalogue):  # noqa: F811
    return make_module(catalogue, "Rode vlaggen", lessons=2)


@pytest.fixture
def quiz(module) -> ScenarioQuizPage:
    return make_quiz(module)
