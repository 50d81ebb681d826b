"""Schemathesis over the generated OpenAPI schema (issue 8): every operation, against a seeded
marketplace, each case sent as a buyer (CN), a seller (JP), an admin, an arbitrator or a finance
officer, plus stateful sequences along the links schemathesis infers. Four checks and no others:
no 5xx, only documented status codes, responses that match their schema, invalid input refused.

``SHIJI_FUZZ_EXAMPLES`` generated examples per operation, on top of schemathesis's deterministic
coverage cases (25 in CI, 100 for ``make fuzz``); ``SHIJI_FUZZ_SEED`` to explore other inputs
than the derandomized default (see ``fuzzing.fuzz_seed``). No operation is excluded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from shiji.api.tests import fuzzing
from shiji.core.tests.storage import file_settings

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, negative_data_rejection]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzing.wsgi_app)
schema.config.generation.update(
    max_examples=fuzzing.examples_per_operation(),
    database="none",  # nothing written into the checkout
    deterministic=fuzzing.fuzz_seed() is None,
    with_security_parameters=False,  # credentials are a persona's, set by the hook or the test
)
if fuzzing.fuzz_seed() is not None:
    schema.config.seed = fuzzing.fuzz_seed()
schema.config.phases.coverage.unexpected_methods = set()  # 405 probes: no check looks at them
schema.hook("flatmap_case")(lambda context, case: fuzzing.persona_and_real_ids(case))

# Each operation runs many examples inside one test (one transaction): the fixtures are shared
# by the examples on purpose, and a slow example is not a failure.
SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


@pytest.fixture(autouse=True)
def _isolated_files(files_root: Path) -> Iterator[None]:
    """The seeded photos, labels and documents stay readable in every test of this module."""
    with override_settings(**file_settings(files_root)):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, files_root: Path) -> Iterator[fuzzing.World]:
    """Seeded once for the module inside a transaction that is rolled back at the end (as
    Django's ``setUpTestData``); each test then runs in a savepoint of it."""
    with django_db_blocker.unblock(), override_settings(**file_settings(files_root)):
        atomic = transaction.atomic()
        atomic._from_testcase = True  # services' durable blocks may nest in it, as in TestCase
        atomic.__enter__()
        try:
            seeded = fuzzing.seed_world()
            fuzzing.CURRENT["world"] = seeded
            yield seeded
        finally:
            fuzzing.CURRENT.pop("world", None)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
@schema.parametrize()
@SETTINGS
def test_api(case: Any, world: fuzzing.World) -> None:
    if "Authorization" not in case.headers:
        case.headers["Authorization"] = f"Bearer {world.tokens[fuzzing.persona_for(case)]}"
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
def test_stateful(world: fuzzing.World) -> None:
    """Sequences along the links schemathesis infers from the schema (a listing's id from
    ``GET /market`` into ``POST /listings/{id}/inquiries``, an order's from ``GET /orders`` into
    its cancel, ship, dispute and review...), each step as one of the personas, with the same
    four checks. As many scenarios as examples per operation, up to ten steps each."""

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        # Each scenario starts from the seeded world: Hypothesis replays scenarios, and one that
        # saw another's leftovers (a deleted listing, a used rate limit) would draw differently.
        def setup(self) -> None:
            cache.clear()
            self._savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self._savepoint)
            super().teardown()

        def before_call(self, case: Any) -> None:
            if "Authorization" not in case.headers:
                case.headers["Authorization"] = f"Bearer {world.tokens[fuzzing.persona_for(case)]}"

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(
                response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=getattr(self, "recorder", None)
            )

    world.real_ids = False
    try:
        Scenarios.run(
            settings=settings(
                max_examples=fuzzing.examples_per_operation(),
                stateful_step_count=10,
                deadline=None,
                database=None,
                derandomize=fuzzing.fuzz_seed() is None,
                suppress_health_check=list(HealthCheck),
            )
        )
    finally:
        world.real_ids = True
