"""Sign-in, sign-out, lockout, TOTP, forced password change, and the audit entries the pages append."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from lantern.security import accounts, totp
from lantern.security import audit as audit_log
from lantern.store.db import open_database
from lantern.web.routes.account import safe_next
from tests.web.conftest import AGENCY, CSRF_META, DEMO_SOURCE, PASSWORD, sign_in


@pytest.fixture(scope="module")
def engine(web_settings):
    engine = open_database(web_settings.database_url)
    yield engine
    engine.dispose()


def new_user(engine, name: str, role: str = "investigator") -> accounts.User:
    with engine.connect() as connection:
        agency_id = accounts.agency_id_by_name(connection, AGENCY)
    return accounts.create_user(engine, name, PASSWORD, agency_id=agency_id, role=role)


def last_actions(engine, username: str, n: int = 20) -> list[dict]:
    with engine.connect() as connection:
        return [e for e in audit_log.entries(connection, limit=400) if e["username"] == username][:n]


def test_safe_next_keeps_only_local_paths() -> None:
    assert safe_next("/records/a/b?x=1") == "/records/a/b?x=1"
    for hostile in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        None,
        "/login?next=/",
        "/ok\r\nSet-Cookie: x=1",
        "records",
    ):
        assert safe_next(hostile) == "/", hostile


def test_pages_redirect_to_sign_in_and_back(app, engine) -> None:
    new_user(engine, "returner")
    browser = TestClient(app)
    first = browser.get("/records/example-classifieds/demo-plain?x=1", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login?next=/records/")
    form = browser.get(first.headers["location"]).text
    assert 'name="next" value="/records/example-classifieds/demo-plain?x=1"' in form
    done = browser.post(
        "/login",
        data={
            "username": "returner",
            "password": PASSWORD,
            "next": "/records/example-classifieds/demo-plain?x=1",
        },
        follow_redirects=False,
    )
    assert (
        done.status_code == 303 and done.headers["location"] == "/records/example-classifieds/demo-plain?x=1"
    )
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    evil = TestClient(app).post(
        "/login",
        data={"username": "returner", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/"
    assert TestClient(app).get("/api/triage").status_code == 401


def test_failures_are_generic_and_lock_the_account(app, engine) -> None:
    new_user(engine, "locked-out")
    browser = TestClient(app)
    unknown = browser.post("/login", data={"username": "no-such-user", "password": "whatever it is"})
    wrong = browser.post("/login", data={"username": "locked-out", "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 401
    assert accounts.PUBLIC_FAILURE in unknown.text and accounts.PUBLIC_FAILURE in wrong.text
    for _ in range(4):
        browser.post("/login", data={"username": "locked-out", "password": "not the password"})
    locked = browser.post("/login", data={"username": "locked-out", "password": PASSWORD})
    assert locked.status_code == 401 and accounts.PUBLIC_FAILURE in locked.text  # right password, locked
    assert "lantern_session" not in browser.cookies
    reasons = [
        e["detail"]["reason"] for e in last_actions(engine, "locked-out") if e["action"] == "login.failure"
    ]
    assert reasons[0] == "locked" and reasons.count("bad_password") == 5


def test_cross_origin_sign_in_is_refused(app, engine) -> None:
    new_user(engine, "cross-origin")
    response = TestClient(app).post(
        "/login",
        data={"username": "cross-origin", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and accounts.PUBLIC_FAILURE in response.text


def test_address_throttle(web_settings) -> None:
    from lantern.security.web import SecurityConfig
    from lantern.web.app import create_app

    app = create_app(web_settings)
    app.state.security = SecurityConfig(login_attempts_per_ip=3)
    browser = TestClient(app)
    codes = [browser.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_totp_second_factor(app, engine) -> None:
    new_user(engine, "two-factor")
    secret, _ = accounts.enrol_totp(engine, "two-factor")
    browser = TestClient(app)
    assert browser.post("/login", data={"username": "two-factor", "password": PASSWORD}).status_code == 401
    wrong = browser.post("/login", data={"username": "two-factor", "password": PASSWORD, "totp": "000000"})
    assert wrong.status_code == 401 or totp.current_code(secret, datetime.now(UTC)) == "000000"
    ok = browser.post(
        "/login",
        data={
            "username": "two-factor",
            "password": PASSWORD,
            "totp": totp.current_code(secret, datetime.now(UTC)),
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and "lantern_session" in browser.cookies


def test_forced_password_change_then_sign_out(app, engine) -> None:
    new_user(engine, "reset-me")
    one_time = accounts.reset_password(engine, "reset-me")
    one_time = one_time if isinstance(one_time, str) else one_time[0]
    browser = TestClient(app)
    first = browser.post(
        "/login",
        data={"username": "reset-me", "password": one_time, "next": "/triage"},
        follow_redirects=False,
    )
    assert first.headers["location"].startswith("/account/password")
    blocked = browser.get("/triage", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/account/password")
    assert browser.get("/api/triage").status_code == 403
    form = browser.get("/account/password").text
    csrf = CSRF_META.search(form).group(1)
    new = "a much longer new passphrase"
    no_token = browser.post("/account/password", data={"current": one_time, "new": new, "confirm": new})
    assert no_token.status_code == 403
    mismatch = browser.post(
        "/account/password", data={"current": one_time, "new": new, "confirm": new + "x", "csrf_token": csrf}
    )
    assert mismatch.status_code == 400
    done = browser.post(
        "/account/password",
        data={"current": one_time, "new": new, "confirm": new, "csrf_token": csrf, "next": "/triage"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/triage"
    page = browser.get("/triage")
    assert page.status_code == 200 and "reset-me" in page.text and "Sign out" in page.text
    csrf = CSRF_META.search(page.text).group(1)
    assert browser.post("/logout", follow_redirects=False).status_code == 403  # CSRF on sign-out too
    out = browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert browser.get("/triage", follow_redirects=False).status_code == 303
    assert sign_in(app, "reset-me", new).get("/api/triage").status_code == 200
    actions = [e["action"] for e in last_actions(engine, "reset-me")]
    assert "logout" in actions and "user.change_password" in actions and "login.success" in actions


def test_reads_are_audited_with_the_query(app, engine, web_settings) -> None:
    new_user(engine, "audited")
    browser = sign_in(app, "audited")
    browser.get("/search", params={"q": "rosa.visits@example.com", "city": "dallas"})
    browser.get("/api/search", params={"q": "' OR 1=1 --"})
    record = browser.get(f"/api/records/{DEMO_SOURCE}/demo-plain").json()
    browser.get(f"/records/{DEMO_SOURCE}/demo-minor")
    sha = record["images"][0]["sha256"]
    assert browser.post(f"/api/images/{sha}/reveal").status_code == 204
    assert browser.get(f"/media/{sha}").status_code == 200
    upload = (web_settings.data_dir.parent / "world" / "img" / "demo-b.png").read_bytes()
    browser.post("/image-search", files={"image": ("b.png", upload, "image/png")})
    entries = last_actions(engine, "audited", 40)
    by_action: dict[str, list[dict]] = {}
    for entry in entries:
        by_action.setdefault(entry["action"], []).append(entry)
    queries = [e["detail"]["query"] for e in by_action["search"]]
    assert "rosa.visits@example.com" in queries and "' OR 1=1 --" in queries
    assert any(e["detail"]["filters"] == {"city": "dallas"} for e in by_action["search"])
    assert {e["target"] for e in by_action["record.view"]} >= {
        f"record:{DEMO_SOURCE}:demo-plain",
        f"record:{DEMO_SOURCE}:demo-minor",
    }
    assert by_action["image.reveal"][0]["target"] == f"image:{sha}"
    assert by_action["image.file"][0]["target"] == f"image:{sha}"
    assert by_action["image.search"][0]["detail"]["filename"] == "b.png"
    assert all(
        e["detail"]["via"] == "session" and e["detail"]["ip"]
        for e in entries
        if e["action"] != "login.success"
    )
    assert len(by_action["login.success"]) == 1  # not logged twice


def test_audit_page_and_chain_check(clients) -> None:
    supervisor = clients["supervisor"]
    page = supervisor.get("/audit")
    assert page.status_code == 200 and "Verify chain" in page.text and "login.success" in page.text
    checked = supervisor.post("/audit/verify")
    assert checked.status_code == 200 and "Chain intact" in checked.text
    assert clients["investigator"].get("/audit", follow_redirects=False).status_code == 403
    assert "Audit log" not in clients["investigator"].get("/triage").text
    assert "Audit log" in supervisor.get("/triage").text


def test_analyst_sees_no_reveal_button(clients) -> None:
    analyst = clients["analyst"].get(f"/records/{DEMO_SOURCE}/demo-plain").text
    investigator = clients["investigator"].get(f"/records/{DEMO_SOURCE}/demo-plain").text
    assert '<html lang="en" class="can-reveal">' in investigator
    assert 'class="can-reveal"' not in analyst  # the CSS hides the reveal buttons; the API refuses anyway
