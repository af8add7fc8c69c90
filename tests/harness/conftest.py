from __future__ import annotations

import pytest

from . import fake_service


@pytest.fixture
def service():
    svc = fake_service.start()
    yield svc
    svc.stop()
