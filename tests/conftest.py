import pytest

from harness import PYTHONS, VERSIONS


def pytest_report_header(config):
    return "CPython under test: " + (", ".join(f"{v} ({PYTHONS[v]})" for v in VERSIONS) or "none found")


_NONE = pytest.param(None, marks=pytest.mark.skip(reason="no CPython 2.7 or 3.6-3.13 under ~/.pyenv/versions"))


@pytest.fixture(params=VERSIONS or [_NONE])
def version(request):
    return request.param
