"""Single sign-on against an OpenID Connect provider the test starts on loopback (``oidc_provider.py``), and
sign-in through a reverse proxy that rewrites Host as nginx's default ``proxy_pass`` does.

Each SSO sign-in goes the whole way: Lantern's redirect with state, nonce and PKCE, the provider's page,
the code exchange, the ID token's signature and claims, the mapping of its claims to a role and an agency.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lantern.config import Settings
from lantern.security import accounts
from lantern.store.db import open_database
from lantern.store.schema import audit_log, sso_identities, users
from tests.web.conftest import AGENCY, PASSWORD
from tests.web.oidc_provider import LoopbackProvider, ServerThread, free_port
from tests.web.rewriting_proxy import rewriting_proxy


@pytest.fixture
def lantern(sso_settings):
    from lantern.web.app import create_app

    return TestClient(create_app(sso_settings))


def claims(sub: str, name: str, groups: list[str], agency: str = AGENCY) -> dict:
    return {
        "sub": sub,
        "preferred_username": name,
        "email": f"{name}@example.org",
        "roles": groups,
        "agency": agency,
    }


def sso_sign_in(client: TestClient, provider: LoopbackProvider, who: dict, next_path: str = "/triage"):
    """Lantern -> the provider's page -> Continue -> back to Lantern's callback; returns that answer."""
    provider.claims = who
    start = client.get("/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"].startswith(
        provider.base_url + "/authorize?"
    )
    assert "code_challenge_method=S256" in start.headers["location"]
    page = httpx.get(start.headers["location"])
    code = re.search(r'name=code value="([^"]+)"', page.text).group(1)
    back = httpx.post(f"{provider.base_url}/approve", data={"code": code}, follow_redirects=False)
    callback = back.headers["location"]
    assert callback.startswith("http://testserver/auth/oidc/callback?")
    return client.get(callback.removeprefix("http://testserver"), follow_redirects=False)


def _audit(settings: Settings, action: str) -> list[dict]:
    engine = open_database(settings.database_url)
    with engine.connect() as connection:
        rows = (
            connection.execute(select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id))
            .mappings()
            .all()
        )
    engine.dispose()
    return [dict(r) for r in rows]


def test_the_login_page_offers_sso_and_keeps_local_accounts(lantern) -> None:
    page = lantern.get("/login")
    assert "Sign in with your agency account" in page.text and 'href="/auth/oidc/login?next=' in page.text
    signed = lantern.post("/login", data={"username": "local-admin", "password": PASSWORD})
    assert signed.status_code == 200 and signed.url.path == "/"


def test_a_first_sso_sign_in_creates_the_user_with_the_mapped_role_and_agency(
    lantern, provider, sso_settings
) -> None:
    answer = sso_sign_in(
        lantern, provider, claims("sub-100", "jo.investigator", ["lantern-investigators", "other"])
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/triage"
    assert lantern.get("/triage").status_code == 200
    assert (
        lantern.get("/api/export/ads", params={"format": "csv"}).status_code == 200
    )  # investigators may export
    engine = open_database(sso_settings.database_url)
    with engine.connect() as connection:
        user = accounts.get_user(connection, "jo.investigator")
        identity = connection.execute(select(sso_identities)).mappings().one()
    engine.dispose()
    assert user.role == "investigator" and identity["subject"] == "sub-100" and identity["user_id"] == user.id
    assert _audit(sso_settings, "login.success")[-1]["detail"]["via"] == "oidc"


def test_the_provider_stays_the_source_of_truth_for_role_and_agency(lantern, provider, sso_settings) -> None:
    sso_sign_in(lantern, provider, claims("sub-200", "sam.lead", ["lantern-investigators"]))
    again = TestClient(lantern.app)
    assert (
        sso_sign_in(
            again, provider, claims("sub-200", "renamed-upstream", ["lantern-supervisors"])
        ).status_code
        == 303
    )
    engine = open_database(sso_settings.database_url)
    with engine.connect() as connection:
        user = accounts.get_user(connection, "sam.lead")  # found by subject, not by the name
        assert connection.execute(select(users).where(users.c.username == "renamed-upstream")).first() is None
    engine.dispose()
    assert user.role == "supervisor"
    assert again.get("/audit").status_code == 200  # supervisors read their agency's audit log


@pytest.mark.parametrize(
    ("who", "tamper", "reason"),
    [
        (claims("sub-300", "no.role", ["somebody-else"]), None, "oidc_no_role"),
        (
            claims("sub-301", "lost", ["lantern-investigators"], agency="Nowhere Unit"),
            None,
            "oidc_unknown_agency",
        ),
        (claims("sub-302", "local-admin", ["lantern-supervisors"]), None, "oidc_username_taken"),
        (claims("sub-303", "nonce.check", ["lantern-investigators"]), "nonce", "oidc_invalid_id_token"),
        (claims("sub-304", "aud.check", ["lantern-investigators"]), "audience", "oidc_invalid_id_token"),
        (claims("sub-305", "sig.check", ["lantern-investigators"]), "signature", "oidc_invalid_id_token"),
        (claims("sub-306", "exp.check", ["lantern-investigators"]), "expired", "oidc_invalid_id_token"),
    ],
)
def test_refused_sign_ins_look_generic_and_are_audited_with_the_reason(
    lantern, provider, sso_settings, who, tamper, reason
) -> None:
    provider.tamper = tamper
    try:
        answer = sso_sign_in(lantern, provider, who)
    finally:
        provider.tamper = None
    assert answer.status_code == 401 and accounts.PUBLIC_FAILURE in answer.text
    assert lantern.get("/triage", follow_redirects=False).status_code == 303  # still signed out
    assert _audit(sso_settings, "login.failure")[-1]["detail"]["reason"] == reason


def test_a_callback_without_the_browsers_state_is_refused(lantern, provider, sso_settings) -> None:
    provider.claims = claims("sub-400", "forged", ["lantern-investigators"])
    start = lantern.get("/auth/oidc/login", follow_redirects=False)
    other_browser = TestClient(lantern.app)  # an attacker's callback URL opened in someone else's browser
    page = httpx.get(start.headers["location"])
    code = re.search(r'name=code value="([^"]+)"', page.text).group(1)
    callback = httpx.post(
        f"{provider.base_url}/approve", data={"code": code}, follow_redirects=False
    ).headers["location"]
    answer = other_browser.get(callback.removeprefix("http://testserver"), follow_redirects=False)
    assert answer.status_code == 401
    assert _audit(sso_settings, "login.failure")[-1]["detail"]["reason"] == "oidc_state_mismatch"


def test_a_disabled_lantern_account_cannot_sign_in_through_the_provider(
    lantern, provider, sso_settings
) -> None:
    sso_sign_in(lantern, provider, claims("sub-500", "leaver", ["lantern-investigators"]))
    engine = open_database(sso_settings.database_url)
    accounts.set_disabled(engine, "leaver", True)
    engine.dispose()
    answer = sso_sign_in(
        TestClient(lantern.app), provider, claims("sub-500", "leaver", ["lantern-investigators"])
    )
    assert answer.status_code == 401
    assert _audit(sso_settings, "login.failure")[-1]["detail"]["reason"] == "disabled"


# --- behind a reverse proxy that rewrites Host ------------------------------------------------------------


@pytest.fixture(scope="module")
def behind_proxy(sso_settings):
    """Lantern on one port, a Host-rewriting proxy in front of it on another; yields (proxy URL, servers)."""
    from lantern.web.app import create_app

    upstream_port = free_port()
    proxy = ServerThread(rewriting_proxy(f"http://127.0.0.1:{upstream_port}"))
    configured = Settings.model_validate(
        {**sso_settings.model_dump(), "base_url": proxy.url, "proxy_headers": True}
    )
    lantern_server = ServerThread(create_app(configured), port=upstream_port)
    lantern_server.start("/healthz")
    proxy.start("/healthz")
    yield proxy.url, lantern_server
    proxy.stop()
    lantern_server.stop()


def test_password_sign_in_through_a_host_rewriting_proxy(behind_proxy, sso_settings) -> None:
    proxy_url, _ = behind_proxy
    with httpx.Client(base_url=proxy_url, follow_redirects=True) as browser:
        form = browser.get("/login")
        assert form.status_code == 200
        answer = browser.post("/login", data={"username": "local-admin", "password": PASSWORD, "next": "/triage"},
                              headers={"Origin": proxy_url, "Referer": f"{proxy_url}/login"})  # fmt: skip
        assert answer.status_code == 200 and answer.url.path == "/triage", answer.text[:300]
        # the same browser, from a page of another site, is still refused (login CSRF)
        forged = browser.post("/login", data={"username": "local-admin", "password": PASSWORD},
                              headers={"Origin": "http://127.0.0.9:1"}, follow_redirects=False)  # fmt: skip
        assert forged.status_code == 403


def test_the_sign_in_origin_check_accepts_the_configured_public_address_only(sso_settings) -> None:
    """nginx's default proxy_pass sends Host 127.0.0.1:PORT while the browser's Origin is the public address:
    without base_url that looked like a cross-site post and every sign-in failed."""
    from lantern.web.app import create_app

    form = {"username": "local-admin", "password": PASSWORD}
    rewritten = {"Host": "127.0.0.1:8000", "Origin": "https://lantern.example.org"}
    plain = TestClient(create_app(sso_settings))
    assert plain.post("/login", data=form, headers=rewritten, follow_redirects=False).status_code == 403
    public = Settings.model_validate({**sso_settings.model_dump(), "base_url": "https://lantern.example.org"})
    configured = TestClient(create_app(public))
    assert configured.post("/login", data=form, headers=rewritten, follow_redirects=False).status_code == 303
    evil = {**rewritten, "Origin": "https://evil.example.net"}
    assert configured.post("/login", data=form, headers=evil, follow_redirects=False).status_code == 403
