"""Hypothesis profiles for the fuzz suite.

``ci`` (default): derandomized (fixed seed), bounded example counts, no example
database: the same cases on every run, all fuzz tests together well under 3 minutes
on a 2-core machine. ``long``: random seeds and many more examples, for manual runs:

    NYASH_FUZZ_PROFILE=long python -m pytest tests/fuzz -q
    NYASH_FUZZ_PROFILE=long NYASH_FUZZ_EXAMPLES=20000 python -m pytest tests/fuzz -q

The profiles are registered here but applied per test (``fuzz_settings``), so the
other hypothesis tests of the repository keep their own defaults.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture]

settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          max_examples=100, print_blob=True, suppress_health_check=_SLOW_OK)
settings.register_profile("long", derandomize=False, database=None, deadline=None,
                          max_examples=int(os.environ.get("NYASH_FUZZ_EXAMPLES", "5000")),
                          print_blob=True, suppress_health_check=_SLOW_OK)
