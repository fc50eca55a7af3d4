"""Load test: a realistic mix of Signaal's visitors, for locust (headless). Run through
tests/benchmarks/bench_load.py, which prepares the database and the plan this file reads
(LOAD_PLAN, JSON: page URLs and accounts, see data.plan) and starts gunicorn.

User classes (weights: how many of the users are of each kind):
- Visitor (6): anonymous, browses the home page, the catalogue (with filters) and modules.
- Learner (13): signs in with a password; reads lessons (and marks them done), plays a
  module's scenario quiz from the start to its end through the real answer form (CSRF
  token, branching as the server decides), opens 'Mijn leren', downloads a certificate PDF
  and opens its public verification page. Ends the session now and then and signs in again.
- Coordinator (1): signs in with a password and an authenticator code (the coordinator area
  needs a second factor), opens the organisation's dashboard and the people list.
- Bare (for the ceiling only): a tiny view behind the same middleware, without pauses.

Think times are shortened from real life (reading a lesson takes minutes); LOAD_THINK_SCALE
multiplies them all (the driver keeps 1.0; the smoke test uses a tiny value). Every request
is named by its kind, so locust's statistics group per kind; a response with another status
than expected counts as a failure. Each simulated person connects from their own loopback
address (127.0.x.y), as real visitors come from their own addresses: the per-address rate
limits (logins, certificate verification) then apply per person, as in production."""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from html import unescape
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, HttpUser, between, constant, events, task
from locust.clients import LocustHttpAdapter
from urllib3 import PoolManager
from urllib3.util.retry import Retry

PLAN_PATH = os.environ.get("LOAD_PLAN", "var/load/plan.json")
THINK_SCALE = float(os.environ.get("LOAD_THINK_SCALE", "1"))
# Where this run starts in the account lists, so consecutive runs use other accounts.
ACCOUNT_OFFSET = int(os.environ.get("LOAD_ACCOUNT_OFFSET", "0"))
# Statistics start this many seconds after the last user started: the users' first
# sign-ins (each a deliberately slow password hash) are over by then.
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "0"))
HOST = "127.0.0.1"
SESSION_COOKIE = "sessionid"
LOGIN_URL = "/account/login/"
MFA_URL = "/account/2fa/authenticate/"

# Think times in seconds (before LOAD_THINK_SCALE), on the short side of real use: a
# lesson is about 600 words (2 to 3 minutes' reading at 200-250 words a minute; people skim),
# a quiz step a case of 100-250 words with its choices and the feedback on the last answer.
THINK = {
    "browse": (5, 15),  # between catalogue and module pages
    "lesson": (60, 180),  # reading a lesson before marking it done
    "quiz step": (15, 45),  # reading a quiz step and choosing
    "learner task": (5, 20),  # between a learner's tasks
    "coordinator": (10, 30),  # reading a dashboard or list before the next page
}
# Tasks (learners) or pages (coordinators) before signing out and in again. At the start
# each user is somewhere in a session (0 to the maximum left), so sign-ins happen all
# through a run rather than in a burst at its start.
LEARNER_SESSION_TASKS = (5, 15)
COORDINATOR_SESSION_PAGES = (5, 15)

_addresses = itertools.count()


def think(kind: str) -> None:
    low, high = THINK[kind]
    time.sleep(random.uniform(low, high) * THINK_SCALE)  # noqa: S311 (not security)


def wait_between(kind: str):
    low, high = THINK[kind]
    return between(low * THINK_SCALE, high * THINK_SCALE)


def load_plan() -> dict:
    with open(PLAN_PATH, encoding="utf-8") as file:
        return json.load(file)


PLAN = load_plan() if os.path.exists(PLAN_PATH) else None


def plan() -> dict:
    if PLAN is None:
        raise RuntimeError(f"No load plan at {PLAN_PATH}: run tests/benchmarks/bench_load.py.")
    return PLAN


_learners = itertools.count()
_coordinators = itertools.count()


def next_account(kind: str) -> dict | str:
    """Each simulated person their own account: two users sharing one would answer each
    other's quiz steps (and a TOTP code is accepted once)."""
    accounts = plan()[kind]
    counter = _learners if kind == "learners" else _coordinators
    return accounts[(ACCOUNT_OFFSET + next(counter)) % len(accounts)]


def loopback_address() -> str:
    number = next(_addresses)
    return f"127.0.{1 + number // 250 % 250}.{2 + number % 250}"


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), what an authenticator app shows."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@events.spawning_complete.add_listener
def _measure_after_settling(user_count, **_kwargs):
    def reset():
        runner = _environment["runner"]
        if runner is not None:
            runner.stats.reset_all()

    if SETTLE_SECONDS:
        gevent.spawn_later(SETTLE_SECONDS, reset)


_environment: dict = {"runner": None}


@events.init.add_listener
def _remember_runner(environment, **_kwargs):
    _environment["runner"] = environment.runner


# HTML parsing: only what these pages need, by pattern (the pages are ours and stable).
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(attempt|step|action)" value="([^"]*)"')
CHOICE = re.compile(r'type="(radio|checkbox)" name="choice" value="([^"]+)"')
POSITION = re.compile(r'<select [^>]*name="position-([^"]+)"')
PDF_LINK = re.compile(r'href="(/certificaten/([^/"]+)/pdf/)"')


def csrf_token(html: str) -> str | None:
    found = CSRF.search(html)
    return found.group(1) if found else None


def quiz_form(html: str) -> dict | None:
    """The answer form of the current step: hidden fields and a random answer (a learner
    who mostly does not know the best answer: branches and low scores happen too)."""
    hidden = dict(HIDDEN.findall(html))
    token = csrf_token(html)
    if hidden.get("action") != "answer" or not token:
        return None
    data: list[tuple[str, str]] = [
        ("csrfmiddlewaretoken", token),
        ("action", "answer"),
        ("attempt", hidden.get("attempt", "")),
        ("step", unescape(hidden.get("step", ""))),
    ]
    choices = CHOICE.findall(html)
    items = POSITION.findall(html)
    if items:
        places = list(range(1, len(items) + 1))
        random.shuffle(places)
        data += [(f"position-{item}", str(place)) for item, place in zip(items, places)]  # noqa: B905
    elif choices and choices[0][0] == "radio":
        data.append(("choice", random.choice(choices)[1]))  # noqa: S311
    elif choices:
        picked = random.sample(choices, random.randint(1, len(choices)))  # noqa: S311
        data += [("choice", value) for _kind, value in picked]
    return {"step": hidden.get("step", ""), "data": data}


class Session:
    """A person's browser: cookies, and requests that fail unless the status is the
    expected one."""

    def __init__(self, user):
        self.user = user
        self.client = user.client
        self.totp_step = None

    def get(self, url: str, name: str, expect: int = 200, **kwargs):
        return self.request("GET", url, name, expect, **kwargs)

    def post(self, url: str, name: str, data, expect: int = 302):
        return self.request("POST", url, name, expect, data=data)

    def request(self, method: str, url: str, name: str, expect: int, **kwargs):
        with self.client.request(
            method, url, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code != expect:
                detail = f": {response.error!r}" if response.status_code == 0 else ""
                response.failure(f"{response.status_code} (expected {expect}) for {url}{detail}")
                response = None
            elif expect == 302 and not response.headers.get("Location"):
                response.failure(f"redirect without Location for {url}")
                response = None
            else:
                response.success()
        # The server's cookies are Secure, as in production. Browsers treat 127.0.0.1 as a
        # secure context and send them over plain HTTP; requests would not, so the flag is
        # dropped on this side (requests copies the jar per request: a policy would not do).
        for cookie in self.client.cookies:
            cookie.secure = False
        return response

    def sign_in(self, email: str, password: str, *, totp_secret: str | None = None) -> bool:
        page = self.get(LOGIN_URL, "login page")
        token = page and csrf_token(page.text)
        if not token:
            return False
        response = self.post(
            LOGIN_URL,
            "login",
            {"csrfmiddlewaretoken": token, "login": email, "password": password},
        )
        if response is None:
            return False
        if totp_secret is None:
            return True
        if urlsplit(response.headers["Location"]).path != MFA_URL:
            return False
        page = self.get(MFA_URL, "login code page")
        token = page and csrf_token(page.text)
        if not token:
            return False
        # A code is accepted once: after signing out within the same 30 seconds, wait for
        # the app's next code, as a person would.
        if int(time.time() // 30) == self.totp_step:
            time.sleep(30.5 - time.time() % 30)
        self.totp_step = int(time.time() // 30)
        return (
            self.post(
                MFA_URL,
                "login code",
                {"csrfmiddlewaretoken": token, "code": totp_code(totp_secret)},
            )
            is not None
        )

    def sign_out(self) -> None:
        page = self.get("/mijn-leren/", "my learning")
        token = page and csrf_token(page.text)
        if token:
            self.post("/account/logout/", "logout", {"csrfmiddlewaretoken": token})
        self.client.cookies.clear()


class LoopbackUser(HttpUser):
    abstract = True

    def __init__(self, environment):
        # One connection from this person's own loopback address (see the module doc).
        self.pool_manager = PoolManager(maxsize=1, source_address=(loopback_address(), 0))
        super().__init__(environment)
        # As browsers do: a GET on a kept-alive connection that the server closed at that
        # moment (its keep-alive timeout, a worker being replaced) is sent again once.
        # Anything else, and every POST, fails as it is.
        adapter = LocustHttpAdapter(
            pool_manager=self.pool_manager,
            max_retries=Retry(
                total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET", "HEAD"}
            ),
        )
        self.client.mount("http://", adapter)
        self.session = Session(self)


class Visitor(LoopbackUser):
    """Someone without an account looking at what Signaal offers."""

    weight = 6
    wait_time = wait_between("browse")

    @task(2)
    def home(self):
        self.session.get("/", "home")

    @task(5)
    def catalogue(self):
        filters = random.choice(["", "?niveau=basis", "?duur=kort", "?q=signalen"])  # noqa: S311
        self.session.get(plan()["catalogue"] + filters, "catalogue")

    @task(4)
    def module(self):
        self.session.get(random.choice(plan()["modules"])["url"], "module page")  # noqa: S311


class Learner(LoopbackUser):
    """A professional working through modules."""

    weight = 13
    wait_time = wait_between("learner task")

    def on_start(self):
        """Already signed in (a session the driver made, as a returning learner's browser
        has one); signs in with the password when a session ends (before_task)."""
        self.email = next_account("learners")
        self.tasks_left = random.randint(0, LEARNER_SESSION_TASKS[1])  # noqa: S311
        session_key = plan().get("sessions", {}).get(self.email)
        if session_key:
            self.client.cookies.set(SESSION_COOKIE, session_key, domain=HOST, path="/")
            self.signed_in = self.session.get("/mijn-leren/", "my learning") is not None
        else:
            self.start_session()

    def start_session(self):
        self.tasks_left = random.randint(*LEARNER_SESSION_TASKS)  # noqa: S311
        self.signed_in = self.session.sign_in(self.email, plan()["password"])
        if self.signed_in:
            self.session.get("/mijn-leren/", "my learning")

    def before_task(self) -> bool:
        """Sign out after a session's tasks (and in again): logins happen all along, not
        only at the start."""
        self.tasks_left -= 1
        if self.tasks_left < 0 or not self.signed_in:
            if self.signed_in:
                self.session.sign_out()
            self.start_session()
        return self.signed_in

    @task(3)
    def browse(self):
        if not self.before_task():
            return
        self.session.get(plan()["catalogue"], "catalogue")
        think("browse")
        self.session.get(random.choice(plan()["modules"])["url"], "module page")  # noqa: S311

    @task(5)
    def read_lessons(self):
        """A few lessons of one module in order, each marked done after reading."""
        if not self.before_task():
            return
        module = random.choice(plan()["modules"])  # noqa: S311
        lessons = module["lessons"]
        start = random.randrange(len(lessons))  # noqa: S311
        for url in lessons[start : start + random.randint(1, 3)]:  # noqa: S311
            page = self.session.get(url, "lesson")
            token = page and csrf_token(page.text)
            if not token:
                return
            think("lesson")
            if not self.session.post(
                url, "lesson done", {"csrfmiddlewaretoken": token, "action": "complete"}
            ):
                return

    @task(4)
    def play_quiz(self):
        """A scenario quiz from the intro to the results page, or an open attempt to its
        end; another module's when this one allows no more attempts."""
        if not self.before_task():
            return
        modules = [module for module in plan()["modules"] if module["quiz"]]
        for module in random.sample(modules, min(3, len(modules))):
            if self.play(module["quiz"]):
                return

    def play(self, url: str) -> bool:
        page = self.session.get(url, "quiz page")
        if page is None:
            return True
        form = quiz_form(page.text)
        if form is None:
            token = csrf_token(page.text)
            if 'name="action" value="start"' not in page.text or not token:
                return False  # no attempts left here
            think("quiz step")
            if not self.session.post(
                url, "quiz start", {"csrfmiddlewaretoken": token, "action": "start"}
            ):
                return True
            page = self.session.get(url, "quiz step")
            form = page and quiz_form(page.text)
        for _step in range(40):  # the quizzes have about 8 steps; a guard against loops
            if form is None:
                return True
            think("quiz step")
            answered = self.session.post(url, "quiz answer", form["data"])
            if answered is None:
                return True
            location = answered.headers["Location"]
            if "poging=" in location:
                self.session.get(urlsplit(location)._replace(fragment="").geturl(), "quiz results")
                return True
            page = self.session.get(url, "quiz step")
            previous, form = form, page and quiz_form(page.text)
            if form and form["step"] == previous["step"]:
                self.environment.events.request.fire(
                    request_type="POST",
                    name="quiz answer",
                    response_time=0,
                    response_length=0,
                    response=None,
                    context={},
                    exception=RuntimeError(f"answer to step {previous['step']} refused"),
                )
                return True
        return True

    @task(1)
    def certificates(self):
        """'Mijn certificaten', a PDF, and the public page an employer would check."""
        if not self.before_task():
            return
        page = self.session.get("/mijn-certificaten/", "my certificates")
        links = PDF_LINK.findall(page.text) if page else []
        if not links:
            return
        pdf_url, code = random.choice(links)  # noqa: S311
        think("browse")
        pdf = self.session.get(pdf_url, "certificate pdf")
        if pdf is not None and not pdf.content.startswith(b"%PDF"):
            self.environment.events.request.fire(
                request_type="GET",
                name="certificate pdf",
                response_time=0,
                response_length=0,
                response=None,
                context={},
                exception=RuntimeError("not a PDF"),
            )
        think("browse")
        self.session.get(f"/certificaten/verifieer/{code}/", "certificate verification")

    @task(1)
    def my_learning(self):
        if not self.before_task():
            return
        self.session.get("/mijn-leren/", "my learning")


class Coordinator(LoopbackUser):
    """A coordinator checking how their organisation's people are doing."""

    weight = 1
    wait_time = wait_between("coordinator")

    def on_start(self):
        account = next_account("coordinators")
        self.organisation = account["organisation"]
        self.email, self.totp_secret = account["email"], account["totp_secret"]
        self.start_session()
        self.pages_left = random.randint(0, COORDINATOR_SESSION_PAGES[1])  # noqa: S311

    def start_session(self):
        self.pages_left = random.randint(*COORDINATOR_SESSION_PAGES)  # noqa: S311
        self.signed_in = self.session.sign_in(
            self.email, plan()["password"], totp_secret=self.totp_secret
        )

    def before_page(self) -> bool:
        self.pages_left -= 1
        if self.pages_left < 0 or not self.signed_in:
            if self.signed_in:
                self.session.sign_out()
            self.start_session()
        return self.signed_in

    @task(3)
    def dashboard(self):
        if self.before_page():
            self.session.get(f"/organisaties/{self.organisation}/", "dashboard")

    @task(2)
    def people(self):
        if self.before_page():
            status = random.choice(["", "?status=overdue", "?status=does_not_meet", "?page=2"])  # noqa: S311
            self.session.get(f"/organisaties/{self.organisation}/mensen/{status}", "people list")


class Bare(FastHttpUser):
    """The ceiling: the cheapest response through the whole stack, as fast as it comes."""

    wait_time = constant(0)

    @task
    def bare(self):
        self.client.get("/__bare__/", name="bare view")
