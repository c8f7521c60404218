"""Fixtures for the accounts and hardening tests: logged-in browsers per role and region."""
import pytest

from tests.conftest import Browser


@pytest.fixture
def login(app, world):
    """``login("auditor")`` → a Browser logged in as region A's user of that role (or ``"admin"``)."""
    def _login(role: str, region: str = "a") -> Browser:
        browser = Browser(app.test_client())
        username = "admin" if role == "admin" else world.user(role, region).username
        assert browser.login(username).status_code == 302
        return browser

    return _login
