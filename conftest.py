"""Root conftest: only enables pytester, which the harness tests use to run fake suites through the plugin.

(The respcheck plugin itself is registered through the `pytest11` entry point, not here.)
"""

pytest_plugins = ["pytester"]
