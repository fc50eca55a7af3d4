"""Every task of the load test's user classes once, in a fixed order and without think
times, against a running server; prints locust's statistics as JSON. tests/test_load_test.py
runs it against pytest's live server, so the locustfile's flows (forms, CSRF, sign-in with
a password and an authenticator code, a quiz from start to end) are checked in CI.

    LOAD_PLAN=plan.json python -m tests.benchmarks.load.smoke http://127.0.0.1:8000

A separate process: importing locust patches the standard library with gevent."""

import json
import os
import random
import sys

os.environ.setdefault("LOAD_THINK_SCALE", "0")

from locust.env import Environment  # noqa: E402

from tests.benchmarks.load import locustfile  # noqa: E402


def run(host: str) -> dict:
    random.seed(7)
    # The users connect from 127.0.x.y: the server must be reached over IPv4.
    host = host.replace("//localhost:", f"//{locustfile.HOST}:")
    classes = [locustfile.Visitor, locustfile.Learner, locustfile.Coordinator]
    environment = Environment(user_classes=classes, host=host)
    environment.create_local_runner()
    for user_class in classes:
        user_class.host = host  # what locust's runner does when it spawns users

    visitor = locustfile.Visitor(environment)
    visitor.home()
    visitor.catalogue()
    visitor.module()

    # The first learner has a session from the plan, the second signs in with a password.
    returning = locustfile.Learner(environment)
    returning.on_start()
    returning.read_lessons()
    returning.play_quiz()
    returning.certificates()
    returning.my_learning()
    returning.browse()
    returning.tasks_left = 0  # the session ends: sign out, and in again
    returning.my_learning()
    newcomer = locustfile.Learner(environment)
    newcomer.on_start()

    coordinator = locustfile.Coordinator(environment)
    coordinator.on_start()
    coordinator.pages_left = 5  # not signing out again: that waits for the next TOTP code
    coordinator.dashboard()
    coordinator.people()

    stats = environment.stats
    return {
        "requests": {
            name: {"requests": entry.num_requests, "failures": entry.num_failures}
            for (name, _method), entry in stats.entries.items()
        },
        "errors": [f"{error.name}: {error.error}" for error in stats.errors.values()],
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
