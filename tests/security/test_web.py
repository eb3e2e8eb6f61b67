"""The FastAPI building blocks, proved on a tiny app of their own (the real app is wired in later)."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI, Form, HTTPException, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import select

from lantern.security import accounts, tokens
from lantern.security import audit as audit_log
from lantern.security.web import (
    SESSION_COOKIE,
    Principal,
    SecurityConfig,
    current_principal,
    login,
    logout,
    require,
    verify_csrf,
)
from lantern.security.web import audit as audit_request
from lantern.security.web import csrf_token as csrf_for_request
from lantern.store.schema import audit_log as audit_table
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def build_app(engine, clock, **config) -> FastAPI:
    app = FastAPI(dependencies=[Depends(verify_csrf)])
    app.state.engine = engine
    app.state.security = SecurityConfig(clock=clock, **config)

    @app.post("/login")
    def sign_in(
        request: Request,
        response: Response,
        username: str = Form(),
        password: str = Form(),
        code: str = Form(""),
    ) -> dict:
        result = login(request, response, username, password, code or None)
        if not result.ok:
            raise HTTPException(401, accounts.PUBLIC_FAILURE)
        return {"user": result.user.username, "must_change_password": result.user.must_change_password}

    @app.post("/logout")
    def sign_out(request: Request, response: Response, _: Principal = Depends(current_principal)) -> dict:
        logout(request, response)
        return {}

    @app.get("/me")
    def me(request: Request, principal: Principal = Depends(current_principal)) -> dict:
        return {"username": principal.username, "via": principal.via, "csrf": csrf_for_request(request)}

    @app.get("/records/{record_id}")
    def record(request: Request, record_id: str, _: Principal = Depends(require("read"))) -> dict:
        audit_request(request, "record.view", f"record:{record_id}")
        return {"id": record_id}

    @app.get("/export")
    def export(_: Principal = Depends(require("export"))) -> dict:
        return {"rows": 0}

    @app.post("/cases")
    def create_case(_: Principal = Depends(require("case_write"))) -> dict:
        return {"created": True}

    @app.post("/notes")
    def add_note(note: str = Form(), _: Principal = Depends(require("case_write"))) -> dict:
        return {"note": note}

    @app.get("/audit")
    def agency_log(principal: Principal = Depends(require("audit_agency"))) -> list:
        with engine.connect() as connection:
            return [e["action"] for e in audit_log.entries(connection, agency_id=principal.agency_id)]

    return app


def sign_in(client: TestClient, username: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"username": username, "password": password, **extra})


@pytest.fixture
def client(engine, clock):
    return TestClient(build_app(engine, clock))


def test_cookie_flags_and_dev_http(client, make_user, monkeypatch, engine, clock) -> None:
    make_user("quinn")
    response = sign_in(client, "quinn")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie and "secure" not in cookie
    https = TestClient(build_app(engine, clock), base_url="https://testserver")
    assert "secure" in sign_in(https, "quinn").headers["set-cookie"].lower()
    monkeypatch.setenv("LANTERN_SECURE_COOKIES", "1")
    assert "secure" in sign_in(TestClient(build_app(engine, clock)), "quinn").headers["set-cookie"].lower()


def test_anonymous_is_refused_and_failure_is_generic(client, make_user) -> None:
    make_user("riley")
    assert client.get("/me").status_code == 401
    assert client.get("/records/ad-1").status_code == 401
    for name, password in (("riley", "wrong password!"), ("nobody", "wrong password!")):
        response = sign_in(client, name, password)
        assert (response.status_code, response.json()["detail"]) == (401, accounts.PUBLIC_FAILURE)
    assert SESSION_COOKIE not in client.cookies


def test_csrf_is_required_on_state_changes_from_a_session(client, make_user, engine, clock) -> None:
    make_user("sage", role="investigator")
    make_user("tay", role="investigator")
    sign_in(client, "sage")
    token = client.get("/me").json()["csrf"]
    assert client.post("/cases").status_code == 403
    assert client.post("/cases", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/cases", headers={"X-CSRF-Token": token}).status_code == 200
    assert client.post("/cases", data={"csrf_token": token}).status_code == 200
    # The dependency reads the form and the route still gets its own fields from it.
    assert client.post("/notes", data={"csrf_token": token, "note": "seen twice"}).json() == {
        "note": "seen twice"
    }
    assert client.post("/notes", data={"note": "no token"}).status_code == 403
    other = TestClient(build_app(engine, clock))
    sign_in(other, "tay")
    assert client.post("/cases", headers={"X-CSRF-Token": other.get("/me").json()["csrf"]}).status_code == 403
    with engine.connect() as connection:
        actions = connection.execute(select(audit_table.c.action)).scalars().all()
    assert actions.count("csrf.rejected") == 4


def test_roles_are_enforced_and_denials_audited(client, make_user, engine) -> None:
    make_user("uma", role="analyst")
    sign_in(client, "uma")
    csrf = client.get("/me").json()["csrf"]
    assert client.get("/records/ad-1").status_code == 200
    assert client.get("/export").status_code == 403
    assert client.post("/cases", headers={"X-CSRF-Token": csrf}).status_code == 403
    with engine.connect() as connection:
        entries = audit_log.entries(connection, limit=3)
    assert [e["action"] for e in entries] == ["access.denied", "access.denied", "record.view"]
    assert entries[2]["target"] == "record:ad-1" and entries[2]["detail"]["via"] == "session"
    assert entries[2]["username"] == "uma" and entries[2]["agency_id"] is not None


def test_supervisors_read_their_own_agencys_log_only(client, make_user) -> None:
    make_user("vic", role="supervisor", agency="North Unit")
    make_user("wren", role="investigator", agency="North Unit")
    make_user("xan", role="investigator", agency="South Unit")
    for name in ("wren", "xan"):
        peer = TestClient(client.app)
        sign_in(peer, name)
        peer.get(f"/records/{name}-record")
    sign_in(client, "vic")
    response = client.get("/audit")
    assert response.status_code == 200
    with client.app.state.engine.connect() as connection:
        north = accounts.get_user(connection, "vic").agency_id
        everything = audit_log.entries(connection, limit=1000)
    expected = [e["action"] for e in everything if e["agency_id"] == north]
    assert response.json() == expected and "record.view" in expected
    assert len(expected) < len(everything)  # South Unit's entries exist but are not shown
    wren = TestClient(client.app)
    sign_in(wren, "wren")
    assert wren.get("/audit").status_code == 403


def test_bearer_tokens_use_scopes_skip_csrf_and_can_be_revoked(client, make_user, engine, clock) -> None:
    user = make_user("yael", role="investigator")
    _, search_only = tokens.create(engine, user.id, "search bot", ["search"], clock=clock)
    token_id, reader = tokens.create(engine, user.id, "reader", ["read", "write"], clock=clock)
    assert client.get("/records/ad-1", headers={"Authorization": f"Bearer {search_only}"}).status_code == 403
    headers = {"Authorization": f"Bearer {reader}"}
    assert client.get("/me", headers=headers).json()["via"] == "token"
    assert client.get("/records/ad-1", headers=headers).status_code == 200
    assert client.post("/cases", headers=headers).status_code == 200  # no CSRF for bearer tokens
    assert client.get("/export", headers=headers).status_code == 403  # scope missing
    tokens.revoke(engine, token_id, clock=clock)
    assert client.get("/me", headers=headers).status_code == 401
    # A bad Authorization header does not fall back to the session cookie.
    sign_in(client, "yael")
    assert client.get("/me").status_code == 200
    assert client.get("/me", headers={"Authorization": "Bearer lt_nope"}).status_code == 401


def test_idle_session_expires_and_logout_ends_it(client, make_user, clock) -> None:
    make_user("zion")
    sign_in(client, "zion")
    assert client.get("/me").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/me").status_code == 401
    sign_in(client, "zion")
    csrf = client.get("/me").json()["csrf"]
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post("/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.set(SESSION_COOKIE, cookie)  # replaying the old cookie does not work
    assert client.get("/me").status_code == 401


def test_reset_password_blocks_everything_but_the_change(client, make_user, engine, clock) -> None:
    make_user("abby")
    one_time = accounts.reset_password(engine, "abby", clock=clock)
    assert sign_in(client, "abby", one_time).json()["must_change_password"] is True
    assert client.get("/me").status_code == 200
    response = client.get("/records/ad-1")
    assert (response.status_code, response.json()["detail"]) == (403, "password change required")


def test_cross_origin_login_and_address_throttle(engine, clock, make_user) -> None:
    make_user("bo")
    client = TestClient(build_app(engine, clock, login_attempts_per_ip=3))
    cross = client.post(
        "/login", data={"username": "bo", "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 401
    assert (
        client.post(
            "/login", data={"username": "bo", "password": PASSWORD}, headers={"Origin": "http://testserver"}
        ).status_code
        == 200
    )
    client.cookies.clear()  # signed in, a second sign-in would need the session's CSRF token
    for number in range(3):
        assert sign_in(client, f"guess{number}", "wrong password!").status_code == 401
    assert sign_in(client, "bo").status_code == 401  # this address is throttled, whatever the password
    with engine.connect() as connection:
        reasons = [e["detail"].get("reason") for e in audit_log.entries(connection, limit=10)]
    assert reasons[0] == "ip_throttled" and "cross_origin" in reasons


def test_totp_login_through_the_app(client, make_user, engine, clock) -> None:
    from lantern.security import totp

    make_user("cy")
    secret, _ = accounts.enrol_totp(engine, "cy", clock=clock)
    assert sign_in(client, "cy").status_code == 401
    assert sign_in(client, "cy", code=totp.current_code(secret, clock.now)).status_code == 200
