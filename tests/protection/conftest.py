"""Fixtures for the duty tests: logged-in browsers per role of region A."""
import pytest

from tests.conftest import Browser


@pytest.fixture
def login(app, world):
    def _login(role: str, region: str = "a") -> Browser:
        browser = Browser(app.test_client())
        username = "admin" if role == "admin" else world.user(role, region).username
        assert browser.login(username).status_code == 302
        return browser

    return _login
