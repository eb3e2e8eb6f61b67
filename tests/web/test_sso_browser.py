"""In Chromium, as a person would: single sign-on through the test's identity provider, and a password
sign-in through a reverse proxy that rewrites Host (the browser sets Origin itself)."""

from __future__ import annotations

import pytest

from lantern.config import Settings
from tests.web.conftest import PASSWORD
from tests.web.oidc_provider import ServerThread, free_port
from tests.web.rewriting_proxy import rewriting_proxy
from tests.web.test_browser import ARGS, CHROMIUM, shot
from tests.web.test_sso import claims

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def servers(provider, sso_settings):
    """Lantern (with SSO), and a Host-rewriting proxy in front of it whose address is the public one."""
    from lantern.web.app import create_app

    port = free_port()
    proxy = ServerThread(rewriting_proxy(f"http://127.0.0.1:{port}"))
    configured = Settings.model_validate({**sso_settings.model_dump(), "base_url": proxy.url})
    lantern = ServerThread(create_app(configured), port=port).start("/healthz")
    proxy.start("/healthz")
    yield lantern.url, proxy.url
    proxy.stop()
    lantern.stop()


@pytest.fixture
def tab():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_sso_sign_in_in_the_browser(tab, servers, provider) -> None:
    _, public = servers
    provider.claims = claims("sub-900", "pat.browser", ["lantern-investigators"])
    tab.goto(f"{public}/triage")
    tab.wait_for_url("**/login?next=**")
    shot(tab, "login-sso.png")
    tab.click("[data-testid=sso]")
    tab.wait_for_selector("#continue")
    assert tab.inner_text("#who") == "pat.browser"
    tab.click("#continue")
    tab.wait_for_url(f"{public}/triage")
    assert "pat.browser" in tab.inner_text(".account .who") and "investigator" in tab.inner_text(
        ".account .who"
    )


def test_password_sign_in_through_the_proxy_in_the_browser(tab, servers) -> None:
    _, public = servers
    tab.goto(f"{public}/triage")
    tab.wait_for_url("**/login?next=**")
    tab.fill("input[name=username]", "local-admin")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form.auth-form button")
    tab.wait_for_url(f"{public}/triage")
    assert "local-admin" in tab.inner_text(".account .who")
