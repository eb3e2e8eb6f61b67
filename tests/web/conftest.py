"""A small store shared by the web tests, built by the real pipeline: a synthetic world plus hand-written
hostile records, ingested (extraction and assessment) and linked into networks by ``run_link``.

Nothing here fakes scores, indicators or network ids: the pages under test show what users get. The
hand-written records form one small network around a phone that one ad disguises, and one of them states
an age under 18, so the likely-minor propagation (with its path) reaches the other two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from lantern.config import Settings
from lantern.ingest.pipeline import Ingestor
from lantern.networks.runner import run_link
from lantern.security import accounts, passwords, roles, tokens
from lantern.store.db import open_database
from lantern.store.schema import networks, records
from lantern.synth import generate
from tests.conftest import DATABASES, ad, make_image, write_jsonl
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, ServerThread

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
DISGUISED = "seven one three 555 oh one four two"
DEMO_SOURCE = "example-classifieds"
CYRILLIC = "Новая девушка в городе"
THAI = "น้องใหม่ในเมือง"
EMOJI_PHONE = "214✨555✨0166"
SYNTHETIC = 240


def hostile_records(folder: Path) -> list[dict]:
    """Records a hostile poster could write, plus a three-record network around one disguised phone."""
    evil_name = 'evil"><img src=x onerror=alert(3)>.png'
    make_image(folder / "img" / evil_name, seed=91)
    make_image(folder / "img" / "demo-a.png", seed=92)
    make_image(folder / "img" / "demo-b.png", seed=93)
    make_image(folder / "img" / "demo-c.png", seed=94)
    return [
        ad(
            901,
            id="xss-1",
            title=f"Title {XSS}",
            body=f"Body {XSS} [not a mark] \x02odd\x03 call 713-555-0188 ]]>",
            location='Houston, TX "><svg onload=alert(2)>',
            url="javascript:alert(document.cookie)",
            images=[f"img/{evil_name}"],
        ),
        ad(
            902,
            id="demo-disguised",
            title="New in town, friendly company",
            body=(
                f"<p>Hi, I&#39;m <b>Rosa</b>, 19. Call {DISGUISED}, ask for Rosa.</p>"
                "<p>Booking line too &amp; more.</p>"
            ),
            location="Houston, TX",
            posted_at="2026-03-02T10:00:00Z",
            images=["img/demo-a.png", "img/demo-b.png"],
        ),
        ad(
            903,
            id="demo-plain",
            title="Rosa visiting Dallas this week",
            body="Rosa here, 19 years. Text 713-555-0142. rosa.visits@example.com",
            location="Dallas, TX",
            posted_at="2026-03-05T10:00:00Z",
            images=["img/demo-a.png", "img/demo-c.png"],
        ),
        ad(
            904,
            id="demo-minor",
            title="Sweet girl visiting Austin",
            body="Lily, 16 years old, just arrived. Serious inquiries only.",
            location="Austin, TX",
            posted_at="2026-03-08T10:00:00Z",
            images=["img/demo-c.png"],
        ),
        # A second network, written in Russian and Thai, around a phone one ad disguises with emoji.
        ad(
            905,
            id="lena-cyrillic",
            title="Лена, Даллас",
            body=f"<p>{CYRILLIC}<br>Пишите {EMOJI_PHONE}<br/>Только серьёзные</p>",
            location="Dallas, TX",
            posted_at="2026-03-10T10:00:00Z",
        ),
        ad(
            906,
            id="lena-thai",
            title="Lena in Fort Worth",
            body=f"{THAI}<br>โทร 214-555-0166<br>ยินดีต้อนรับ",
            location="Fort Worth, TX",
            posted_at="2026-03-12T10:00:00Z",
        ),
    ]


def build_store(root: Path, synthetic: int = SYNTHETIC, database_url: str | None = None) -> Settings:
    """Generate, ingest and link a store under ``root``; returns the settings that point at it.

    The store is SQLite in ``root/data`` unless ``database_url`` names another (a PostgreSQL database).
    """
    world = root / "world"
    generate(world, synthetic, seed=5, images=True)
    extra = write_jsonl(world / "extra.jsonl", hostile_records(world))
    data = root / "data"
    settings = Settings(data_dir=data, database_url=database_url or f"sqlite:///{data / 'lantern.db'}")
    engine = open_database(settings.database_url)
    Ingestor(engine, settings).run([(str(world / "records.jsonl"), "jsonl"), (str(extra), "jsonl")])
    run_link(engine, settings, full=True)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(records)).scalar_one() > synthetic // 2
        assert connection.execute(select(func.count()).select_from(networks)).scalar_one() > 1
    engine.dispose()
    return settings


def network_of(settings: Settings, record_id: str, source: str = DEMO_SOURCE) -> str:
    engine = open_database(settings.database_url)
    with engine.connect() as connection:
        found = connection.execute(
            select(records.c.network_id).where(records.c.source == source, records.c.record_id == record_id)
        ).scalar_one()
    engine.dispose()
    return found


def biggest_network(settings: Settings) -> str:
    engine = open_database(settings.database_url)
    with engine.connect() as connection:
        found = connection.execute(
            select(networks.c.id).order_by(networks.c.size.desc(), networks.c.id).limit(1)
        ).scalar_one()
    engine.dispose()
    return found


@pytest.fixture(scope="session", params=DATABASES)
def web_settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The web tests' store, once on SQLite and once on PostgreSQL: every web test runs on both
    (``[sqlite]``/``[postgresql]`` in its id); the PostgreSQL run is skipped where it is not installed."""
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").new_database()
    return build_store(tmp_path_factory.mktemp(f"web-store-{request.param}"), database_url=url)


@pytest.fixture(scope="session")
def demo_network(web_settings: Settings) -> str:
    """The network the linker made of the hand-written Rosa records (its id is the linker's)."""
    return network_of(web_settings, "demo-plain")


PASSWORD = "correct horse battery staple"
AGENCY = "Example County Unit (fictional)"
OTHER_AGENCY = "Other Valley Task Force (fictional)"
ROLE_USERS = {role: f"{role}1" for role in roles.ROLES}  # analyst1, investigator1, supervisor1, admin1
OTHER_USER = "other-supervisor"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass(frozen=True)
class People:
    """The accounts every web test can use: one user per role in :data:`AGENCY`, a supervisor of another
    agency, and API tokens (``all``: the admin's, every scope; ``read``: an investigator's, read only)."""

    agency_id: int
    other_agency_id: int
    users: dict[str, int]
    tokens: dict[str, str]


@pytest.fixture(scope="session", autouse=True)
def cheap_hashing():
    """Argon2 at test cost for the whole web session (production cost is the point only in production)."""
    saved = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords.dummy_hash.cache_clear()
    yield
    passwords._hasher = saved
    passwords.dummy_hash.cache_clear()


def make_people(settings: Settings) -> People:
    engine = open_database(settings.database_url)
    agency_id = accounts.create_agency(engine, AGENCY)
    other_id = accounts.create_agency(engine, OTHER_AGENCY)
    ids = {}
    for role, name in ROLE_USERS.items():
        ids[name] = accounts.create_user(engine, name, PASSWORD, agency_id=agency_id, role=role).id
    ids[OTHER_USER] = accounts.create_user(
        engine, OTHER_USER, PASSWORD, agency_id=other_id, role="supervisor"
    ).id
    _, every_scope = tokens.create(engine, ids["admin1"], "schemathesis", list(roles.SCOPES))
    _, read_only = tokens.create(engine, ids["investigator1"], "read-only script", ["read"])
    engine.dispose()
    return People(agency_id, other_id, ids, {"all": every_scope, "read": read_only})


@pytest.fixture(scope="session")
def people(web_settings: Settings) -> People:
    return make_people(web_settings)


@pytest.fixture(scope="session")
def app(web_settings: Settings, people: People):
    from lantern.security.web import SecurityConfig
    from lantern.web.app import create_app

    app = create_app(web_settings)
    # Every TestClient shares one address; the failures the tests make on purpose must not add up to the
    # address throttle (test_accounts checks the throttle on an app of its own).
    app.state.security = SecurityConfig(login_attempts_per_ip=10_000)
    return app


def sign_in(app, username: str, password: str = PASSWORD):
    """A TestClient signed in through the real form, sending the page's CSRF token on every request."""
    from fastapi.testclient import TestClient

    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": password, "next": "/triage"})
    assert response.status_code == 200 and response.url.path == "/triage", response.text[:300]
    token = CSRF_META.search(response.text)
    assert token, "signed-in pages carry the CSRF token in a meta tag"
    client.headers["X-CSRF-Token"] = token.group(1)
    return client


@pytest.fixture(scope="session")
def clients(app) -> dict[str, object]:
    """Signed-in clients by role name (``analyst`` … ``admin``) plus ``other`` (another agency)."""
    signed = {role: sign_in(app, name) for role, name in ROLE_USERS.items()}
    signed["other"] = sign_in(app, OTHER_USER)
    return signed


@pytest.fixture(scope="session")
def client(clients):
    """The investigator: may read, search and reveal (most page tests are about what they see)."""
    return clients["investigator"]


@pytest.fixture
def anonymous(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


# --- single sign-on (test_sso.py, test_sso_browser.py) ---------------------------------------------------

SSO_ROLE_MAP = {"lantern-investigators": "investigator", "lantern-supervisors": "supervisor"}


@pytest.fixture(scope="module")
def provider():
    made = LoopbackProvider()
    server = ServerThread(made.app())
    made.base_url = server.url
    server.start("/jwks")
    yield made
    server.stop()


@pytest.fixture(scope="module")
def sso_settings(provider, tmp_path_factory) -> Settings:
    data = tmp_path_factory.mktemp("sso") / "data"
    settings = Settings(
        data_dir=data,
        oidc_issuer=provider.base_url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_role_map=SSO_ROLE_MAP,
        oidc_agency_claim="agency",
    )
    engine = open_database(settings.database_url)
    agency = accounts.create_agency(engine, AGENCY)
    accounts.create_user(engine, "local-admin", PASSWORD, agency_id=agency, role="admin")
    engine.dispose()
    return settings
