"""`make run` (deploy/Procfile), the containers (docker-compose.yml) and the test stack
(tests/support/stack.py) run the same processes: a process added to one and forgotten in another
(a listener that never runs in containers, say) fails here, by name."""
from __future__ import annotations

import re

import yaml

from tests.support.environment import ROOT
from tests.support.stack import _commands

INFRASTRUCTURE = {"kafka", "postgres", "topics", "jaeger"}  # compose only: make run starts these itself
# The test stack runs the scheduled disposal by hand (tests call it), not on a timer.
NOT_IN_THE_TEST_STACK = {"cases_disposal": "the scheduled disposal; the tests run disposal when they mean to"}


def procfile() -> set[str]:
    return {m.group(1) for line in (ROOT / "deploy" / "Procfile").read_text(encoding="utf-8").splitlines()
            if (m := re.match(r"^([a-z0-9_]+):", line))}


def test_every_process_of_make_run_runs_in_the_containers_too():
    services = set(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"])
    assert procfile() - services == set(), "add these to docker-compose.yml"
    assert services - INFRASTRUCTURE - procfile() == set(), "add these to deploy/Procfile"


def test_the_test_stack_runs_what_make_run_runs():
    assert procfile() - set(NOT_IN_THE_TEST_STACK) == set(_commands()), "tests/support/stack.py and deploy/Procfile differ"
