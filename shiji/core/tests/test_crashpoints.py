"""Crash points (``shiji.core.crashpoints``): an armed point kills its process with SIGKILL, on
the n-th hit when asked; an unarmed one does nothing; every registered point is placed in the
code and has a process the crash harness starts armed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.test import TestCase

from shiji.core import crashpoints
from shiji.core.crashpoints import POINTS, parse_armed
from shiji.reliability.processes import ROLE_OF_FAMILY

ROOT = Path(__file__).resolve().parents[3]
POINT = crashpoints.CHECKOUT_BEFORE_COMMIT


def _run(code: str, armed: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != crashpoints.ENV_VAR}
    if armed is not None:
        env[crashpoints.ENV_VAR] = armed
    return subprocess.run(
        [sys.executable, "-c", f"from shiji.core.crashpoints import crashpoint\n{code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def test_an_armed_point_kills_the_process_with_sigkill_where_it_stands():
    done = _run(f"print('before', flush=True)\ncrashpoint({POINT!r})\nprint('after', flush=True)", POINT)

    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["before"]
    assert f"crash point {POINT} reached" in done.stderr


def test_a_count_waits_for_that_hit():
    done = _run(f"for hit in (1, 2, 3):\n    print(hit, flush=True)\n    crashpoint({POINT!r})", f"{POINT}@2")

    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["1", "2"]


def test_unarmed_and_other_points_do_nothing():
    other = crashpoints.RELEASE_AFTER_COMMIT
    for armed in (None, other):
        done = _run(f"crashpoint({POINT!r})\nprint('alive')", armed)
        assert (done.returncode, done.stdout.strip()) == (0, "alive")


@pytest.mark.parametrize("value", ["checkout.nowhere", f"{POINT}@0", f"{POINT}@x", f"{POINT}@-1"])
def test_a_misspelt_point_or_count_is_refused_at_start(value):
    with pytest.raises(ValueError, match=crashpoints.ENV_VAR):
        parse_armed(value)
    assert _run("", value).returncode == 1  # the process does not start with a point that tests nothing


def test_values_are_parsed():
    assert parse_armed("") == ("", 0)
    assert parse_armed(POINT) == (POINT, 1)
    assert parse_armed(f"{POINT}@7") == (POINT, 7)


@pytest.mark.django_db
def test_after_commit_dies_once_the_transaction_has_committed(monkeypatch):
    killed: list[str] = []
    monkeypatch.setattr(crashpoints, "_ARMED", crashpoints.CHECKOUT_AFTER_COMMIT)
    monkeypatch.setattr(crashpoints, "_AT", 1)
    monkeypatch.setattr(crashpoints, "_hits", 0)
    monkeypatch.setattr(crashpoints, "_kill", killed.append)

    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        crashpoints.crashpoint_after_commit(crashpoints.CHECKOUT_AFTER_COMMIT)
        assert killed == []  # not before the commit

    assert killed == [crashpoints.CHECKOUT_AFTER_COMMIT]


def test_every_registered_point_is_placed_in_the_code_and_has_a_process():
    assert len(set(POINTS)) == len(POINTS) >= 8
    constants = {value: name for name, value in vars(crashpoints).items() if name.isupper() and value in POINTS}
    assert set(constants) == set(POINTS)
    source = "".join(
        path.read_text()
        for path in (ROOT / "shiji").rglob("*.py")
        if "tests" not in path.parts and path.name != "crashpoints.py"
    )
    placed = set(re.findall(r"crashpoints\.([A-Z_]+)\)", source))
    assert sorted(set(constants.values()) - placed) == []
    assert {point.split(".", 1)[0] for point in POINTS} == set(ROLE_OF_FAMILY)
