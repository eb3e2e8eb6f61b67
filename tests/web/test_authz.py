"""Every route of the app and API, with every role, anonymous, another agency and API tokens.

The table below gives each route the permission ``security/roles.py`` requires for it (or ``PUBLIC`` /
``SIGNED_IN``); the test walks ``app.routes`` and fails on any route missing from the table, so a new
route cannot escape the matrix. Expected outcomes are computed from ``roles.allowed`` and
``roles.scope_allows``, not written by hand.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from lantern.security import audit as audit_log
from lantern.security import roles
from lantern.store.db import open_database
from tests.web.conftest import DEMO_SOURCE

PUBLIC = "public"
SESSION = "session"  # any signed-in browser, not an API token (own password, sign-out)

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,  # ready or not, and which check failed; no data
    ("GET", "/metrics"): "metrics",  # administrators, or a token with only the metrics scope
    ("GET", "/openapi.json"): PUBLIC,  # the schema only, no data
    ("GET", "/static"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/auth/oidc/login"): PUBLIC,  # single sign-on: off to the provider (404 when not configured)
    ("GET", "/auth/oidc/callback"): PUBLIC,  # back from it: checks state, code and ID token
    ("POST", "/logout"): SESSION,
    ("GET", "/account/password"): SESSION,
    ("POST", "/account/password"): SESSION,
    ("GET", "/"): "read",
    ("GET", "/search"): "search",
    ("GET", "/image-search"): "search",
    ("POST", "/image-search"): "search",
    ("GET", "/records/{source}/{record_id:path}"): "read",
    ("GET", "/networks/{network_id:path}"): "read",
    ("GET", "/hubs"): "read",
    ("GET", "/triage"): "read",
    ("GET", "/entities/{kind}/{value:path}"): "read",
    ("GET", "/media/{name}/blurred"): "read",
    ("GET", "/media/{name}"): "reveal_image",
    ("GET", "/audit"): "audit_agency",
    ("POST", "/audit/verify"): "audit_agency",
    ("GET", "/api/search"): "search",
    ("GET", "/api/records/{source}/{record_id:path}"): "read",
    ("GET", "/api/networks/{network_id}/why/{source}/{record_id:path}"): "read",
    ("GET", "/api/networks/{network_id:path}"): "read",
    ("GET", "/api/hubs"): "read",
    ("GET", "/api/triage"): "read",
    ("GET", "/api/entities/{kind}/{value:path}"): "read",
    ("POST", "/api/images/search"): "search",
    ("POST", "/api/images/{sha256}/reveal"): "reveal_image",
    ("GET", "/networks"): "read",
    ("GET", "/cases"): "read",
    ("POST", "/cases"): "case_write",
    ("POST", "/cases/add"): "case_write",
    ("GET", "/cases/{case_id}"): "read",
    ("POST", "/cases/{case_id}/notes"): "case_write",
    ("POST", "/cases/{case_id}/update"): "case_write",
    ("GET", "/cases/{case_id}/export"): "export",
    ("POST", "/review"): "case_write",
    ("POST", "/feedback"): "case_write",
    ("GET", "/api/today"): "read",
    ("GET", "/api/networks"): "read",
    ("GET", "/api/triage/queue"): "read",
    ("POST", "/api/review"): "case_write",
    ("GET", "/api/cases"): "read",
    ("POST", "/api/cases"): "case_write",
    ("GET", "/api/cases/{case_id}"): "read",
    ("PATCH", "/api/cases/{case_id}"): "case_write",
    ("POST", "/api/cases/{case_id}/items"): "case_write",
    ("POST", "/api/cases/{case_id}/notes"): "case_write",
    ("POST", "/api/feedback"): "case_write",
    ("GET", "/api/cases/{case_id}/export"): "export",
    ("GET", "/api/export/networks/{network_id}"): "export",
    ("GET", "/api/export/cases/{case_id}"): "export",
    ("GET", "/api/export/ads"): "export",
}
RECORD = {"source": DEMO_SOURCE, "id": "demo-minor"}
JSON_BODIES = {
    "/api/review": {"record": RECORD, "state": "new"},
    "/api/cases": {"title": "Route matrix (fictional)"},
    "/items": {"records": [RECORD]},
    "/notes": {"text": "A note from the route matrix."},
    "/api/feedback": {"record": RECORD, "kind": "lead", "verdict": "correct"},
}
FORM_BODIES = {
    "/cases": {"title": "Route matrix (fictional)"},
    "/cases/add": {"case": "new", "title": "Route matrix (fictional)", "record": f"{DEMO_SOURCE}/demo-minor"},
    "/notes": {"text": "A note from the route matrix."},
    "/update": {"status": "active"},
    "/review": {"record": f"{DEMO_SOURCE}/demo-minor", "state": "new"},
    "/feedback": {"record": f"{DEMO_SOURCE}/demo-minor", "kind": "minor", "verdict": "incorrect"},
}

PRINCIPALS = ("anonymous", *roles.ROLES, "other", "token-all", "token-read")


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route, including those inside included routers (FastAPI ≥ 0.16x keeps
    included routers as one node each) and mounts."""
    found: set[tuple[str, str]] = set()

    def walk(routes) -> None:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):
                for context in route.effective_route_contexts():
                    original = context.original_route
                    for method in getattr(original, "methods", None) or {"GET"}:
                        if method != "HEAD":
                            found.add((method, context.path or original.path))
            elif hasattr(route, "methods") and route.methods:
                found.update((m, route.path) for m in route.methods if m != "HEAD")
            else:
                found.add(("GET", route.path))

    walk(app.routes)
    return found


def test_every_route_is_in_the_matrix(app) -> None:
    routes = app_routes(app)
    assert routes == set(ROUTES), {"not in the table": routes - set(ROUTES), "gone": set(ROUTES) - routes}
    for permission in ROUTES.values():
        assert permission in (PUBLIC, SESSION) or permission in roles.PERMISSIONS


@pytest.fixture(scope="module")
def fill(client, demo_network) -> dict[str, str]:
    record = client.get(f"/api/records/{DEMO_SOURCE}/demo-plain").json()
    sha = record["images"][0]["sha256"]
    case = client.post("/api/cases", json={"title": "Matrix case (fictional)"}).json()["id"]
    return {
        "{case_id}": str(case),
        "{source}": DEMO_SOURCE,
        "{record_id:path}": "demo-minor",
        "{network_id:path}": demo_network,
        "{network_id}": demo_network,
        "{kind}": "phone",
        "{value:path}": "+17135550142",
        "{name}": sha,
        "{sha256}": sha,
    }


def concrete(path: str, fill: dict[str, str]) -> str:
    if path == "/static":
        return "/static/css/lantern.css"
    for key, value in fill.items():
        path = path.replace(key, value)
    return path


def expected(principal: str, permission: str) -> bool:
    if permission == PUBLIC:
        return True
    if principal == "anonymous":
        return False
    if permission == SESSION:
        return not principal.startswith("token-")
    if principal == "token-all":
        return roles.allowed("admin", permission)
    if principal == "token-read":
        return roles.allowed("investigator", permission) and roles.scope_allows({"read"}, permission)
    role = "supervisor" if principal == "other" else principal
    return roles.allowed(role, permission)


@pytest.fixture(scope="module")
def callers(app, clients, people) -> dict[str, TestClient]:
    out: dict[str, TestClient] = {"anonymous": TestClient(app)}
    out.update(clients)
    for name, token in people.tokens.items():
        out[f"token-{name}"] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return out


def call(client: TestClient, method: str, path: str, upload: bytes):
    kwargs: dict = {"follow_redirects": False}
    if path.endswith(("/image-search", "/images/search")) and method == "POST":
        kwargs["files"] = {"image": ("a.png", upload, "image/png")}
    if path == "/login" and method == "POST":
        kwargs["data"] = {"username": "nobody", "password": "wrong password here"}
    if path == "/logout":
        return None  # signing out would end the shared session; covered in test_accounts
    if path == "/account/password" and method == "POST":
        kwargs["data"] = {"current": "wrong", "new": "x", "confirm": "y"}
    if method in ("POST", "PATCH") and path.startswith("/api/"):
        kwargs["json"] = next(
            (b for end, b in JSON_BODIES.items() if path.endswith(end)), {"status": "active"}
        )
    elif method == "POST" and "files" not in kwargs and "data" not in kwargs:
        kwargs["data"] = next((b for end, b in FORM_BODIES.items() if path.endswith(end)), None)
    return client.request(method, path, **kwargs)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_route_matrix(principal, callers, fill, web_settings) -> None:
    upload = (web_settings.data_dir.parent / "world" / "img" / "demo-a.png").read_bytes()
    client = callers[principal]
    problems = []
    for (method, path), permission in sorted(ROUTES.items()):
        url = concrete(path, fill)
        response = call(client, method, url, upload)
        if response is None:
            continue
        status = response.status_code
        if status >= 500 and not (path == "/readyz" and status == 503):  # 503: not ready (yet), by design
            problems.append(f"{method} {url}: server error {status}")
        elif expected(principal, permission):
            to_login = status == 303 and "/login" in response.headers.get("location", "")
            failed_sign_in = path == "/login" and status == 401  # the wrong password posted on purpose
            if (status in (401, 403) or to_login) and not failed_sign_in:
                problems.append(f"{method} {url}: {principal} refused ({status}) but may ({permission})")
        elif principal == "anonymous":
            if url.startswith("/api/"):
                ok = status == 401 and response.json() == {"detail": "sign-in required"}
            else:
                location = response.headers.get("location", "")
                ok = status == 303 and location.startswith("/login?next=/")
            if not ok:
                problems.append(f"{method} {url}: anonymous got {status}, expected sign-in")
        elif status != 403:
            problems.append(f"{method} {url}: {principal} got {status}, expected 403 ({permission})")
    assert not problems, "\n".join(problems)


def test_denials_are_audited_and_logs_stay_in_their_agency(clients, people, web_settings) -> None:
    assert clients["analyst"].get("/api/images/" + "a" * 64 + "/reveal").status_code == 405
    assert clients["analyst"].post("/api/images/" + "a" * 64 + "/reveal").status_code == 403
    engine = open_database(web_settings.database_url)
    with engine.connect() as connection:
        mine = audit_log.entries(connection, agency_id=people.agency_id, limit=500)
        theirs = audit_log.entries(connection, agency_id=people.other_agency_id, limit=500)
    engine.dispose()
    assert any(e["action"] == "access.denied" and e["username"] == "analyst1" for e in mine)
    page = clients["other"].get("/audit").text
    assert "analyst1" not in page and "investigator1" not in page
    assert all(e["agency_id"] == people.other_agency_id for e in theirs)
    own = clients["supervisor"].get("/audit").text
    assert "analyst1" in own and "access.denied" in own and "other-supervisor" not in own
    # only admins (audit_all) can widen the view to every agency
    clients["other"].get("/search", params={"q": "harbour"})  # the newest entry is theirs
    assert "other-supervisor" not in clients["supervisor"].get("/audit?scope=all").text
    assert "other-supervisor" in clients["admin"].get("/audit?scope=all").text


def test_csrf_required_for_cookie_sessions_not_tokens(app, client, people, fill) -> None:
    reveal = f"/api/images/{fill['{sha256}']}/reveal"
    bare = TestClient(app, cookies=dict(client.cookies))
    assert bare.post(reveal).status_code == 403
    assert bare.post(reveal, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(reveal).status_code == 204  # the fixture sends the page's token
    read_only = TestClient(app, headers={"Authorization": f"Bearer {people.tokens['read']}"})
    assert read_only.post(reveal).status_code == 403  # revealing is an audited act: the write scope
    every_scope = TestClient(app, headers={"Authorization": f"Bearer {people.tokens['all']}"})
    assert every_scope.post(reveal).status_code == 204
    bad = TestClient(app, headers={"Authorization": "Bearer lt_not-a-token"}, cookies=dict(client.cookies))
    assert bad.get("/api/triage").status_code == 401  # an invalid bearer never falls back to the cookie
