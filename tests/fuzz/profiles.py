"""Per-test settings derived from the active fuzz profile (see conftest.py)."""
from __future__ import annotations

import os

from hypothesis import settings


def profile_name() -> str:
    name = os.environ.get("NYASH_FUZZ_PROFILE", "ci")
    if name not in ("ci", "long"):
        raise ValueError(f"NYASH_FUZZ_PROFILE must be 'ci' or 'long', not {name!r}")
    return name


def fuzz_settings(ci_examples: int) -> settings:
    """The active profile; under ``ci`` with this test's own example count."""
    import tests.fuzz.conftest  # noqa: F401  - registers the profiles when run standalone

    name = profile_name()
    parent = settings.get_profile(name)
    if name == "ci":
        return settings(parent=parent, max_examples=ci_examples)
    return settings(parent=parent)
