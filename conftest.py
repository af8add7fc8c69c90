"""Root conftest: only enables pytester, which the harness tests use to run fake suites through the plugin.

(The respcheck plugin itself is registered through the `pytest11` entry point, not here.)
"""

pytest_plugins = ["pytester"]

# pytester's in-process runs restore sys.modules afterwards; a cryptography module first imported inside one
# would be imported twice, and its Rust bindings then reject the second copy's classes ("Expected instance
# of hashes.HashAlgorithm"). Import them once, up front, so every run shares one copy.
import cryptography.hazmat.primitives.ciphers.aead  # noqa: E402,F401
import cryptography.hazmat.primitives.hashes  # noqa: E402,F401
import cryptography.hazmat.primitives.kdf.hkdf  # noqa: E402,F401
import mcp.server.request_state  # noqa: E402,F401
