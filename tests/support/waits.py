"""Wait on a condition with a generous bound (a loaded 2-core machine), never a fixed sleep standing for it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")
BOUND_S = 120.0


def wait_until(condition: Callable[[], T], what: str, bound: float = BOUND_S, poll: float = 0.5) -> T:
    """The first truthy value of `condition()`; the test fails naming `what` if none comes within `bound` s."""
    deadline = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"gave up after {bound:.0f} s waiting for {what}")
        time.sleep(poll)
