"""The deployments the reference server pretends to host, with the capabilities that decide what they accept.

Azure addresses models by deployment name and echoes that name back as `model`; capabilities drive the
documented limits ("PDF input only for models that take images", text-only models reject images).
"""

from __future__ import annotations

from dataclasses import dataclass

from respcheck.server.errors import ApiError


@dataclass(frozen=True)
class Deployment:
    name: str
    model: str
    version: str
    vision: bool
    reasoning: bool
    tools: bool = True
    fine_tuned: bool = False
    """A fine-tuned model: listed by GET /models, refused by /responses ("Not currently supported: Fine-tuned models")."""

    @property
    def takes_images(self) -> bool:
        """Alias used by the input checks: images and PDFs need a vision model."""
        return self.vision

    @property
    def capabilities(self) -> dict[str, bool]:
        return {
            "text": True,
            "vision": self.vision,
            "image_input": self.vision,
            "file_input": self.vision,
            "reasoning": self.reasoning,
            "function_calling": self.tools,
            "mcp": self.tools,
            "background": True,
        }

    def to_model_object(self, created: int) -> dict:
        obj = {
            "id": self.name,
            "object": "model",
            "created": created,
            "owned_by": "user" if self.fine_tuned else "system",
            "model": self.model,
            "version": self.version,
            "capabilities": self.capabilities,
        }
        if self.fine_tuned:
            obj["fine_tuned"] = True
        return obj


DEPLOYMENTS: dict[str, Deployment] = {
    d.name: d
    for d in (
        Deployment("gpt-4.1", "gpt-4.1", "2025-04-14", vision=True, reasoning=False),
        Deployment("gpt-4.1-mini", "gpt-4.1-mini", "2025-04-14", vision=True, reasoning=False),
        Deployment("o4-mini", "o4-mini", "2025-04-16", vision=True, reasoning=True),
        Deployment("o3-mini", "o3-mini", "2025-01-31", vision=False, reasoning=True),
        Deployment("gpt-4.1-mini-ft", "gpt-4.1-mini-2025-04-14.ft-respcheck", "2025-04-14", vision=False, reasoning=False, fine_tuned=True),
    )
}
DEFAULT_DEPLOYMENT = "gpt-4.1"
TEXT_ONLY_DEPLOYMENT = "o3-mini"
REASONING_DEPLOYMENT = "o4-mini"
REFERENCE_ROLES = {"reasoning": REASONING_DEPLOYMENT, "text_only": TEXT_ONLY_DEPLOYMENT, "other": "gpt-4.1-mini"}
"""The roles the reference target offers suites (`Target.deployments`)."""


def resolve(name: object) -> Deployment:
    """The deployment for `model`; unknown -> 400 model_not_found (what the service answers)."""
    if not isinstance(name, str) or not name:
        raise ApiError(400, "Missing required parameter: 'model'.", code="missing_required_parameter", param="model")
    dep = DEPLOYMENTS.get(name)
    if dep is None:
        raise ApiError(
            400,
            f"The model '{name}' does not exist or you do not have access to it.",
            code="model_not_found",
            param="model",
        )
    if dep.fine_tuned:
        raise ApiError(
            400,
            f"The deployment '{name}' runs a fine-tuned model; fine-tuned models are not supported by the Responses API.",
            code="unsupported_model",
            param="model",
        )
    return dep
