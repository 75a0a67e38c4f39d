import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield
