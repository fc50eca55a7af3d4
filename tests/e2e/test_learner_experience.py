"""The learner's experience (issue 19), judged at phone (390 px) and desktop (1280 px)
width: quiz feedback in view and focused after every answer, played with the keyboard only
to the finish line with the certificate and one email; a first session that leads
somewhere; nothing typed in a reflection lost; every page fitting a phone; quick exit in
reach at every scroll position and signing out; Dutch content marked as Dutch in English
mode; a readable data download; a taster lesson for visitors."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from courses import content_loader
from courses import services as course_services
from courses.models import Enrolment, ReflectionAnswer
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import assert_accessible, log_in, look_at
from tests.factories import TEST_PASSWORD
from tests.organisations.factories import MembershipFactory, OrganisationFactory, requirement
from tests.quizzes.conftest import MELDCODE_ORDER, make_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NEUTRAL_PAGE = (
    "<html lang='nl'><head><title>Weer</title></head><body><h1>Het weer</h1></body></html>"
)


@pytest.fixture
def world(site):
    """Two modules: 'Rode vlaggen herkennen' (two lessons with a reflection each and the
    scenario quiz) and 'Meldcode in de praktijk' (basis, one lesson). Lotte is a member of
    Buurtteam Oost, which requires both; she has read the lessons of the first. Nina is new."""
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    meldcode = make_module(
        catalogue, "Meldcode in de praktijk", themes=("meldcode",), level="basis", lessons=1
    )
    rode_vlaggen = make_module(
        catalogue, "Rode vlaggen herkennen", level="verdieping", lessons=2, sectors=("jeugdzorg",)
    )
    quiz = make_quiz(rode_vlaggen)
    lotte = ensure_verified_account(
        email="lotte@example.nl", full_name="Lotte de Wit", password=TEST_PASSWORD
    )
    ensure_verified_account(email="nina@example.nl", full_name="Nina Bos", password=TEST_PASSWORD)
    organisation = OrganisationFactory(name="Buurtteam Oost")
    requirement(organisation, rode_vlaggen, due_within_days=60)
    requirement(organisation, meldcode, due_within_days=90)
    MembershipFactory(user=lotte, organisation=organisation)
    return {"meldcode": meldcode, "rode_vlaggen": rode_vlaggen, "quiz": quiz, "lotte": lotte}


def read_all_lessons(world) -> None:
    for lesson in lessons_of(world["rode_vlaggen"]):
        course_services.complete_lesson(user=world["lotte"], lesson=lesson)


def sticky_bottom(page) -> float:
    """Where the sticky safety bar ends: what lies above it is hidden behind it."""
    return page.evaluate(
        "document.querySelector('.signaal-safety-bar').getBoundingClientRect().bottom"
    )


def assert_in_view(page, locator, what: str) -> None:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None, f"{what} is not rendered"
    assert box["y"] >= sticky_bottom(page) - 1, f"{what} starts under the sticky bar: {box}"
    assert box["y"] + min(box["height"], 120) <= height, f"{what} is below the fold: {box}"


def tab_to(page, name: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element's text (or its label's) starts with `name`."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            """() => { const el = document.activeElement;
                 const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
                 return (label || el.textContent || el.value || '').trim(); }"""
        )
        if text.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def feedback_in_view_and_focused(page, expected: str) -> None:
    page.wait_for_url(re.compile(r"feedback=\d+"))
    feedback = page.get_by_role("region", name=re.compile("Feedback op je antwoord"))
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.reload()
        expect(feedback).to_be_focused()
        assert_in_view(page, feedback.get_by_role("heading").first, f"feedback at {size}")
        expect(feedback.get_by_text(expected)).to_be_visible()
    page.set_viewport_size(PHONE)
    page.reload()


def test_keyboard_only_quiz_with_feedback_in_view_to_the_finish_line(page, world):
    read_all_lessons(world)
    page.set_viewport_size(PHONE)
    log_in(page, "lotte@example.nl", world["quiz"].url)
    tab_to(page, "Start de toets")
    page.keyboard.press("Enter")

    # Question 1: a sense of progress, radios not drawn as errors before any answer.
    expect(page.get_by_role("heading", name="Het gesprek")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Vraag 1 van"))).to_be_visible()
    radio = page.get_by_label("Ik vraag door naar wat er gebeurde")
    error_colour = page.evaluate(
        """() => { const probe = document.createElement('div');
             probe.style.borderColor = 'var(--utrecht-feedback-invalid-border-color)';
             document.body.append(probe);
             const colour = getComputedStyle(probe).borderColor; probe.remove(); return colour; }"""
    )
    expect(radio).not_to_have_css("border-color", error_colour)
    assert_accessible(page)
    look_at(page, "quiz-question")
    tab_to(page, "Ik vraag door naar wat er gebeurde")
    page.keyboard.press("Space")
    tab_to(page, "Antwoord versturen")
    page.keyboard.press("Enter")

    # The feedback is where the learner looks, focused; the next step waits for them.
    feedback_in_view_and_focused(page, "Goed: verwurging is een rode vlag.")
    expect(page.get_by_role("heading", name="Het verslag")).to_have_count(0)
    expect(page.get_by_text("2 van 2 punten")).to_be_visible()
    assert_accessible(page)
    look_at(page, "quiz-feedback")
    tab_to(page, "Verder naar vraag 2")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Het verslag")).to_be_visible()
    tab_to(page, "Hij kneep haar keel dicht.")
    page.keyboard.press("Space")
    tab_to(page, "Hij leest haar berichten.")
    page.keyboard.press("Space")
    tab_to(page, "Antwoord versturen")
    page.keyboard.press("Enter")
    feedback_in_view_and_focused(page, "Hij leest haar berichten.")
    tab_to(page, "Verder naar vraag 3")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="De stappen")).to_be_visible()
    for place, item in enumerate(MELDCODE_ORDER, start=1):
        tab_to(page, item)
        page.keyboard.press("Home")
        for _down in range(place - 1):
            page.keyboard.press("ArrowDown")
    tab_to(page, "Antwoord versturen")
    page.keyboard.press("Enter")
    feedback_in_view_and_focused(page, "Eerst signalen, dan overleg, dan het gesprek.")
    tab_to(page, "Naar je uitslag")
    page.keyboard.press("Enter")

    # The finish line: the module is completed, the certificate is right there.
    finish = page.get_by_role("region", name=re.compile("Module afgerond"))
    expect(finish).to_be_visible()
    expect(finish).to_be_focused()
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_in_view(page, finish.get_by_role("heading").first, f"finish line at {size}")
    expect(finish.get_by_role("link", name=re.compile("Download je certificaat"))).to_be_visible()
    expect(finish.get_by_role("link", name=re.compile("verificatie", re.I))).to_be_visible()
    expect(finish.get_by_text(re.compile("Een Open Badge is"))).to_be_visible()
    next_up = page.get_by_role("region", name=re.compile("Wat je organisatie nog van je vraagt"))
    expect(next_up.get_by_role("link", name="Meldcode in de praktijk")).to_be_visible()
    expect(page.get_by_text(re.compile("We hebben je een e-mail gestuurd"))).to_be_visible()
    assert_accessible(page)
    look_at(page, "quiz-finish-line")

    page.set_viewport_size(PHONE)
    tab_to(page, "Download je certificaat")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")

    # One completion email, also after the page is opened again.
    page.reload()
    completed = [m for m in mail.outbox if "Rode vlaggen herkennen" in m.subject]
    assert len(completed) == 1, [m.subject for m in mail.outbox]
    assert "/certificaten/verifieer/" in completed[0].body
    assert page.csp_violations == []


def test_result_page_leads_with_the_outcome_and_marks_what_was_missed(page, world):
    """A poor path: the result and the way on come first; the review shows the signal the
    learner did not mark as missed, not with a check mark."""
    read_all_lessons(world)
    log_in(page, "lotte@example.nl", world["quiz"].url)
    page.get_by_role("button", name="Start de toets").click()
    page.get_by_label("Ik vraag door naar wat er gebeurde").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("link", name=re.compile("Verder naar vraag")).click()
    page.get_by_label("Hij kneep haar keel dicht.").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    missed = page.locator(".signaal-feedback-list li.is-missed")
    expect(missed).to_have_count(1)
    assert "✓" not in missed.evaluate("el => getComputedStyle(el).listStyleType")
    page.get_by_role("link", name=re.compile("Verder naar vraag")).click()
    page.get_by_role("button", name="Antwoord versturen").click()  # the order as shown
    page.get_by_role("link", name=re.compile("Naar je uitslag")).click()
    result = page.get_by_role("region", name="Je resultaat")
    expect(result).to_be_visible()
    assert "Cesuur" not in page.content()
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        action = result.get_by_role("button", name="Start een nieuwe poging")
        assert_in_view(page, action, f"new attempt at {size}")
    look_at(page, "quiz-result-not-passed")
    assert_accessible(page)


def test_a_new_learner_is_led_to_a_first_module(page, world):
    page.set_viewport_size(PHONE)
    log_in(page, "nina@example.nl")
    page.goto("/")
    start = page.get_by_role("link", name=re.compile("Begin met"))
    expect(start).to_be_visible()
    assert_in_view(page, start, "the suggested first module")
    assert_accessible(page)
    look_at(page, "home-new-learner")
    page.goto("/mijn-leren/")
    expect(page.get_by_role("link", name=re.compile("Begin met"))).to_be_visible()
    look_at(page, "my-learning-new-learner")

    start.count()
    page.goto("/")
    page.get_by_role("link", name=re.compile("Begin met")).click()
    start_button = page.get_by_role("button", name="Start deze module")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_in_view(page, start_button, f"'Start deze module' at {size}")
    look_at(page, "module-page-learner")
    assert_accessible(page)


def test_home_and_my_learning_show_where_to_continue_and_what_is_required(page, world):
    lotte = world["lotte"]
    course_services.complete_lesson(user=lotte, lesson=lessons_of(world["rode_vlaggen"])[0])
    page.set_viewport_size(PHONE)
    log_in(page, "lotte@example.nl")
    page.goto("/")
    go_on = page.get_by_role("link", name="Verder: Les 2")
    expect(go_on).to_be_visible()
    assert_in_view(page, go_on, "continue")
    expect(page.get_by_text("1 van 2 lessen gedaan").first).to_be_visible()
    required = page.get_by_role("region", name=re.compile("Wat je organisatie van je vraagt"))
    deadline = timezone.localdate() - datetime.timedelta(days=10) + datetime.timedelta(days=90)
    expect(required.get_by_role("link", name="Meldcode in de praktijk")).to_be_visible()
    expect(required.get_by_text(re.compile(str(deadline.year)))).to_have_count(2)
    assert_accessible(page)
    look_at(page, "home-learner")

    page.goto("/mijn-leren/")
    card = page.locator(".signaal-card", has_text="Rode vlaggen herkennen")
    expect(card.get_by_text("1 van 2 lessen gedaan")).to_be_visible()
    # Status pills differ by status: 'not started' is not the colour of 'meets'.
    colours = page.evaluate(
        """[...document.querySelectorAll('.signaal-status')]
             .map(el => getComputedStyle(el).backgroundColor)"""
    )
    assert len(set(colours)) >= 2, colours
    assert_accessible(page)
    look_at(page, "my-learning-learner")


def test_reflections_are_never_lost_and_saving_is_confirmed_where_typed(browser, page, world):
    lesson_one, lesson_two = lessons_of(world["rode_vlaggen"])
    page.set_viewport_size(PHONE)
    log_in(page, "lotte@example.nl", world["rode_vlaggen"].url)
    page.get_by_role("button", name="Start deze module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 1")

    # Saving: the confirmation appears next to the answer, in view.
    box = page.get_by_label("Wat herken je hiervan?")
    box.fill("Een collega die haar partner steeds belt.")
    page.get_by_role("button", name="Antwoord bewaren").click()
    saved = page.get_by_role("status").filter(has_text="bewaard")
    expect(saved).to_be_visible()
    assert_in_view(page, saved, "the save confirmation")
    look_at(page, "lesson-reflection-saved")

    # Typed and left for the next lesson without saving: the answer goes along.
    box = page.get_by_label("Wat herken je hiervan?")
    box.fill("Tweede versie, niet apart opgeslagen.")
    page.get_by_role("button", name=re.compile("Markeer als gedaan")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 2")
    answer = ReflectionAnswer.objects.get(user=world["lotte"], lesson=lesson_one)
    assert answer.answer == "Tweede versie, niet apart opgeslagen."

    # Typed and then a link clicked: saved automatically while typing.
    page.get_by_label("Wat herken je hiervan?").press_sequentially("Automatisch bewaard.")
    expect(page.get_by_role("status").filter(has_text="automatisch bewaard")).to_be_visible(
        timeout=10_000
    )
    page.get_by_role("link", name=re.compile("Vorige")).click()
    assert ReflectionAnswer.objects.get(lesson=lesson_two).answer == "Automatisch bewaard."
    assert page.csp_violations == []

    # Without JavaScript the action still takes the answer along.
    context = browser.new_context(base_url=page.url.split("/modules")[0], java_script_enabled=False)
    plain = context.new_page()
    log_in(plain, "lotte@example.nl", lesson_two.url)
    plain.get_by_label("Wat herken je hiervan?").fill("Zonder JavaScript.")
    plain.get_by_role("button", name=re.compile("Markeer als gedaan")).click()
    assert ReflectionAnswer.objects.get(lesson=lesson_two).answer == "Zonder JavaScript."
    context.close()


@pytest.mark.usefixtures("search_index")  # a search page with results, not an empty one
def test_every_learner_page_fits_a_phone(page, world):
    read_all_lessons(world)
    from quizzes import services as quiz_services

    quiz_services.play_best_path(user=world["lotte"], quiz=world["quiz"])
    page.set_viewport_size(PHONE)
    page.goto("/modules/")
    # The filters do not push the modules down: the first module is on the first screen.
    first = page.locator(".signaal-card").first
    assert_in_view(page, first.get_by_role("heading"), "the first module card")
    # The header with the help bar takes at most a fifth of a phone screen.
    header_bottom = page.evaluate(
        "document.querySelector('.signaal-header').getBoundingClientRect().bottom"
    )
    assert header_bottom <= PHONE["height"] / 5, header_bottom
    look_at(page, "catalogue-visitor")
    page.reload()
    page.locator("summary", has_text="Filters").click()
    expect(page.get_by_label(re.compile(r"^Verdieping"))).to_be_visible()
    # Checkboxes are drawn like the radios beside them.
    sizes = page.evaluate(
        """() => ['input[type=checkbox]', 'input[type=radio]'].map(
             s => getComputedStyle(document.querySelector('.signaal-filters ' + s)).inlineSize)"""
    )
    assert sizes[0] == sizes[1], sizes
    # Every filter shows how many modules it leaves.
    expect(page.locator("#catalogus-sector option", has_text="Jeugdzorg (1)")).to_have_count(1)
    expect(page.get_by_label(re.compile(r"30 tot 60 minuten \(2\)"))).to_have_count(1)
    look_at(page, "catalogue-filters-open")

    log_in(page, "lotte@example.nl")
    for path, name in [
        ("/", "home"),
        ("/mijn-leren/", "my-learning"),
        ("/mijn-certificaten/", "my-certificates"),
        (world["rode_vlaggen"].url, "module-completed"),
        (lessons_of(world["rode_vlaggen"])[0].url, "lesson"),
        (world["quiz"].url, "quiz-intro"),
        ("/zoeken/?q=rode+vlaggen", "search"),
        ("/account/email/", "account"),
        ("/mijn-gegevens/", "my-data"),
        ("/veilig-gebruik/", "safe-use"),
    ]:
        page.goto(path)
        assert_accessible(page)
        look_at(page, name)
    certificate_link = page.goto("/mijn-certificaten/")
    assert certificate_link.ok
    page.goto(page.get_by_role("link", name=re.compile("^Controleren")).first.get_attribute("href"))
    expect(page.get_by_role("heading", name="Geldig")).to_be_visible()
    look_at(page, "verification")


def test_quick_exit_is_in_reach_everywhere_signs_out_and_explains_history(browser, page, world):
    page.route(
        "https://www.knmi.nl/**",
        lambda route: route.fulfill(body=NEUTRAL_PAGE, content_type="text/html"),
    )
    page.set_viewport_size(PHONE)
    log_in(page, "lotte@example.nl", world["rode_vlaggen"].url)
    page.get_by_role("button", name="Start deze module").click()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    exit_link = page.get_by_role("link", name=re.compile("Snel weg"))
    box = exit_link.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    expect(page.get_by_role("link", name=re.compile("Signaal veilig gebruiken"))).to_have_count(1)
    exit_link.click()
    page.wait_for_url(re.compile(r"knmi\.nl"))
    # Signed out on the way: the next visit to Signaal asks for the password. The sign-out
    # travels as a beacon, which the browser sends without waiting: give a busy server a
    # moment to handle it before the next visit.
    for _attempt in range(20):
        page.goto("/mijn-leren/")
        if "/account/login/" in page.url:
            break
        page.wait_for_timeout(250)
    assert "/account/login/" in page.url

    page.goto("/veilig-gebruik/")
    expect(page.get_by_role("heading", name=re.compile("geschiedenis", re.I)).first).to_be_visible()
    assert_accessible(page)

    # A touch screen has no Escape key: no hint about it.
    touch = browser.new_context(
        base_url=page.url.split("/veilig")[0], has_touch=True, is_mobile=True, viewport=PHONE
    )
    phone = touch.new_page()
    phone.goto("/modules/")
    expect(phone.locator(".signaal-quick-exit__hint")).to_be_hidden()
    touch.close()
    expect(page.locator(".signaal-quick-exit__hint")).to_be_visible()


def test_english_mode_marks_the_dutch_content_and_says_so(page, world):
    page.goto("/modules/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_text(re.compile("course content is in Dutch only"))).to_be_visible()
    card_title = page.get_by_role("link", name="Rode vlaggen herkennen")
    assert card_title.evaluate("el => el.closest('[lang]').lang") == "nl"
    page.goto(world["rode_vlaggen"].url)
    summary = page.get_by_text("Een module voor professionals.")
    assert summary.evaluate("el => el.closest('[lang]').lang") == "nl"
    assert page.get_by_role("heading", level=1).evaluate("el => el.closest('[lang]').lang") == "nl"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_accessible(page)


def test_a_visitor_reads_the_first_lesson_as_a_taster(page, world):
    module = world["rode_vlaggen"]
    first, second = lessons_of(module)
    page.set_viewport_size(PHONE)
    page.goto(module.url)
    page.get_by_role("link", name=re.compile("Lees de eerste les")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 1")
    expect(page.get_by_text("Tekst van Les 1.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Maak een account")).first).to_be_visible()
    assert Enrolment.objects.count() == 0
    assert_accessible(page)
    look_at(page, "lesson-taster")
    page.goto(second.url)
    assert "/account/login/" in page.url


def test_my_data_can_be_read_as_a_page(page, world):
    read_all_lessons(world)
    log_in(page, "lotte@example.nl", "/mijn-gegevens/")
    page.get_by_role("link", name=re.compile("Bekijk mijn gegevens")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mijn gegevens"))
    expect(page.get_by_text("lotte@example.nl").first).to_be_visible()
    expect(page.get_by_text("Rode vlaggen herkennen").first).to_be_visible()
    assert_accessible(page)
    look_at(page, "my-data-readable")
