import pytest

from core.testing import build_county


@pytest.fixture
def org(db):
    return build_county()
