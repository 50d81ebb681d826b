from __future__ import annotations

import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog.tests.factories import demo_rates


@pytest.fixture(autouse=True)
def _rates(db):
    demo_rates()


@pytest.fixture
def moderator():
    return UserFactory(roles=["moderator"], display_name="Mod")
