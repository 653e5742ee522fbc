"""Fixtures shared by the value and collection runtime tests (modules with their own
``rt`` fixture, e.g. a module-scoped one, override these)."""
from __future__ import annotations

import pytest

from tests.runtime.harness import Runtime
from tests.runtime.test_values import Vals, make_runtime


@pytest.fixture
def rt() -> Runtime:
    return make_runtime()


@pytest.fixture
def V(rt: Runtime) -> Vals:
    return Vals(rt)
