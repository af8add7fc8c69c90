"""pytest imports test modules by basename (no packages under suites/): two test files with one name in
tests/ and suites/ break collection of the whole run. Keep every basename unique."""

from __future__ import annotations

from collections import Counter

from respcheck import paths


def test_test_module_basenames_are_unique_across_tests_and_suites():
    root = paths.project_root()
    names = Counter(p.name for folder in ("tests", "suites") for p in (root / folder).rglob("*.py")
                    if p.name not in ("__init__.py", "conftest.py"))
    assert [n for n, c in names.items() if c > 1] == []
