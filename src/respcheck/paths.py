"""Where the project's data lives, in a source checkout and in an installed wheel.

In a checkout (the usual, `pip install -e .`) the data sits beside `src/`; a wheel carries copies under
`respcheck/_data/`. `RESPCHECK_HOME` overrides both (useful for a user's own cassettes and reports).
"""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout root when running from source, else the packaged data folder."""
    env = os.environ.get("RESPCHECK_HOME")
    if env:
        return Path(env).resolve()
    checkout = _PKG.parent.parent
    if (checkout / "schemas").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return _PKG / "_data"


def schemas_dir() -> Path:
    return project_root() / "schemas"


def cassettes_dir() -> Path:
    return project_root() / "cassettes"


def reports_dir() -> Path:
    return Path(os.environ.get("RESPCHECK_REPORTS", project_root() / "reports"))


def suites_dir() -> Path:
    return project_root() / "suites"


def shared_dir() -> Path | None:
    """`../shared` beside the checkout (read-only reference material), or None when absent.

    `RESPCHECK_SHARED` replaces the default location (set it to a missing folder to hide it).
    """
    env = os.environ.get("RESPCHECK_SHARED")
    candidate = Path(env) if env else project_root().parent / "shared"
    return candidate.resolve() if candidate.is_dir() else None
