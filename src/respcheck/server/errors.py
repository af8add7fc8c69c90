"""Errors the reference server answers with, in the Azure OpenAI error envelope.

Handlers raise `ApiError`; the app turns it into ``{"error": {"message", "type", "param", "code"}}`` with the
given status and headers. One type for every module of the server keeps the envelope in one place (and lets
a fault change its shape in one place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiError(Exception):
    status: int
    message: str
    code: str | None = None
    param: str | None = None
    type: str = "invalid_request_error"
    headers: dict[str, str] = field(default_factory=dict)

    def envelope(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def bad_request(message: str, *, code: str = "invalid_value", param: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=param)


def not_found(message: str, *, param: str | None = None) -> ApiError:
    return ApiError(404, message, code=None, param=param)
