"""Fixtures every contract suite shares."""

import pytest

from tests.fakes import CountingWakeup


@pytest.fixture
def wakeup() -> CountingWakeup:
    """What the unit-of-work factories wake after a commit that queued an email."""
    return CountingWakeup()
