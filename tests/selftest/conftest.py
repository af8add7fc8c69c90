"""Registers the `selftest` marker: the full selftest over the real suites is long, the lead decides
whether CI runs it (`-m selftest` / `-m "not selftest"`)."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line("markers", "selftest: runs `respcheck selftest` over the real suites (minutes)")
