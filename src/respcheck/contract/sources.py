"""Find and read the upstream specs in ``shared_dir()/specs``.

WHY a module of its own: derive and drift both need the two documents, and a missing folder must be
one clear `UserError`, not a FileNotFoundError traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from respcheck import paths
from respcheck.errors import UserError

AZURE_GLOB = "azure-rest-api-specs__*.yaml"
OPENAI_GLOB = "openai-openapi__*.yaml"


@dataclass(frozen=True)
class Specs:
    azure: dict
    openai: dict
    azure_file: str
    openai_file: str


def specs_dir() -> Path:
    shared = paths.shared_dir()
    if shared is None or not (shared / "specs").is_dir():
        raise UserError(
            "upstream specs not found: ../shared/specs is missing",
            hint="set RESPCHECK_SHARED to a folder holding specs/ (Azure v1 and OpenAI OpenAPI documents)",
        )
    return shared / "specs"


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise UserError(f"no spec matching {pattern} in {folder}")
    return found[-1]


@lru_cache(maxsize=2)
def _read(path: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read spec {path}: {exc}") from None


def load_specs() -> Specs:
    folder = specs_dir()
    az, oa = _one(folder, AZURE_GLOB), _one(folder, OPENAI_GLOB)
    return Specs(_read(str(az)), _read(str(oa)), az.name, oa.name)
