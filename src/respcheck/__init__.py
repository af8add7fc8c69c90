"""respcheck: contract tests and a conformance suite for the Azure OpenAI Responses API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("respcheck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
