"""Fixtures for the activity tests: logged-in browsers per role of region A."""
import pytest

from tests.conftest import Browser


@pytest.fixture
def login(app, world):
    """``login("volunteer")`` → a Browser logged in as region A's user of that role (or ``"admin"``)."""
    def _login(role: str, region: str = "a") -> Browser:
        browser = Browser(app.test_client())
        username = "admin" if role == "admin" else world.user(role, region).username
        assert browser.login(username).status_code == 302
        return browser

    return _login


@pytest.fixture(autouse=True)
def request_context(app):
    """Providers build links with url_for: call them inside a request, as the home page does."""
    with app.test_request_context("/"):
        yield
