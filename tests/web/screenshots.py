"""Refresh docs/screenshots/ from the demo world (fictional), with Debian's Chromium.

    .venv/bin/python -m tests.web.screenshots [--data-dir /tmp/lantern-shots] [--out docs/screenshots]

Builds the demo world with ``lantern demo --no-serve`` when the folder holds none, serves the app on a
free local port, and photographs the pages investigators use most: search by a disguised phone, a
record with its network's indicators, the largest network, triage, image search, an entity, the
suppressed hubs, the sign-in page and the supervisor's audit log; then the investigator's workspace:
Today, the networks list, triage after reviewing a row and adding one to a new case, the network added
to that case, and the case page with a note. It signs in through the form as the
demo's ``demo`` supervisor, whose password it first sets to a fresh random one (the demo printed the
original; this folder is a throw-away demo). Not a test (nothing is asserted beyond the pages loading).
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from lantern.config import load_settings
from lantern.ingest.images import store_path
from lantern.security import accounts
from lantern.store.db import open_database
from lantern.store.schema import networks, record_images, records
from lantern.web.urls import entity_url, network_url, record_url
from tests.web.test_browser import ARGS, CHROMIUM, _free_port

ROOT = Path(__file__).resolve().parents[2]


def _demo(folder: Path) -> None:
    if (folder / "lantern.db").exists() and (folder / "link-state.npz").exists():
        return
    subprocess.run(
        [sys.executable, "-m", "lantern", "--data-dir", str(folder), "demo", "--no-serve"], check=True
    )


def _choices(settings: Any) -> dict[str, Any]:
    """What to show: the largest network with a likely-minor score, a disguised phone from it, etc."""
    engine = open_database(settings.database_url)
    with engine.connect() as connection:
        network = (
            connection.execute(
                select(networks.c.id).order_by((networks.c.minor_score >= 0.5).desc(), networks.c.size.desc())
            )
            .scalars()
            .first()
        )
        rows = (
            connection.execute(
                select(
                    records.c.id,
                    records.c.source,
                    records.c.record_id,
                    records.c.extracted,
                    records.c.minor_score,
                )
                .where(records.c.network_id == network)
                .order_by(records.c.minor_score.desc(), records.c.trafficking_score.desc())
            )
            .mappings()
            .all()
        )
        disguised = None
        for row in rows:
            for mention in row["extracted"].get("mentions") or []:
                words = str(mention.get("text") or "")
                if (
                    mention.get("type") == "phone"
                    and mention.get("obscured")
                    and sum(c.isalpha() for c in words) > 8
                ):
                    disguised = (words, mention.get("value"))
                    break
            if disguised:
                break
        record = rows[0]
        image = connection.execute(
            select(record_images.c.image_sha256).where(record_images.c.record_pk == record["id"]).limit(1)
        ).scalar()
    engine.dispose()
    return {
        "network": network,
        "record": record_url(record["source"], record["record_id"]),
        "disguised": disguised,
        "image": store_path(settings.images_dir, image) if image else None,
        "image_sha": image,
    }


def _demo_password(settings: Any) -> str:
    """A fresh password for the demo's ``demo`` account (reset, then changed, so no forced change)."""
    engine = open_database(settings.database_url)
    one_time = secrets.token_urlsafe(18)
    accounts.reset_password(engine, "demo", one_time, actor={"via": "screenshots"})
    with engine.connect() as connection:
        user = accounts.get_user(connection, "demo")
    password = secrets.token_urlsafe(18)
    assert user is not None and accounts.change_password(engine, user.id, one_time, password)
    engine.dispose()
    return password


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/lantern-shots"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    _demo(args.data_dir)
    settings = load_settings(args.data_dir, None)
    chosen = _choices(settings)
    print(chosen)
    password = _demo_password(settings)

    import uvicorn
    from playwright.sync_api import sync_playwright

    from lantern.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)

        def shot(name: str, full: bool = False) -> None:
            page.screenshot(path=str(args.out / name), full_page=full)
            print("wrote", args.out / name)

        page.goto("/")
        page.wait_for_url("**/login?next=/")
        page.fill("input[name=username]", "demo")
        page.fill("input[name=password]", "wrong password for the picture")
        page.click("form.auth-form button")
        page.wait_for_selector(".notice.bad")
        page.fill("input[name=password]", "")
        shot("login.png")
        page.fill("input[name=password]", password)
        page.click("form.auth-form button")
        page.wait_for_selector(".account .who")

        if chosen["disguised"]:
            page.fill("#top-q", chosen["disguised"][0])
            page.press("#top-q", "Enter")
            page.wait_for_selector("#results")
        shot("search.png")

        page.goto(chosen["record"])
        page.wait_for_selector(".from-network")
        shot("record.png")
        page.locator(".from-network").scroll_into_view_if_needed()
        shot("record-network-indicators.png")

        page.goto(network_url(chosen["network"]))
        page.wait_for_selector("#graph.ready", timeout=60_000)
        page.wait_for_selector("#map.ready svg")
        shot("network.png")
        page.locator("#graph").scroll_into_view_if_needed()
        shot("network-graph.png")
        page.locator(".template").first.scroll_into_view_if_needed()
        shot("network-templates.png")
        page.locator(".members").scroll_into_view_if_needed()
        shot("network-members.png")

        page.goto("/triage")
        shot("triage.png")

        if chosen["image"] is not None and chosen["image"].exists():
            page.goto("/image-search")
            page.set_input_files("input[name=image]", str(chosen["image"]))
            page.click("form.upload button")
            page.wait_for_selector(".match, .empty")
            shot("image-search.png")

        if chosen["disguised"]:
            page.goto(entity_url("phone", str(chosen["disguised"][1])))
            shot("entity.png")

        page.goto("/hubs")
        shot("hubs.png")

        page.goto("/audit")
        page.click("text=Verify chain")
        page.wait_for_selector(".verify-result")
        shot("audit.png")

        _workspace(page, shot, chosen)
        browser.close()
    server.should_exit = True


def _workspace(page: Any, shot: Any, chosen: dict[str, Any]) -> None:
    """Today, networks, the triage workflow and a case, made through the pages as an investigator would."""
    page.goto("/networks?sort=minor")
    shot("networks.png")
    page.goto("/triage")
    page.keyboard.press("r")
    page.wait_for_selector(".notice")
    page.keyboard.press("x")
    page.select_option("#add-to-case select.case-choice", "new")
    page.fill("#add-to-case input[name=title]", "Likely-minor network, East Coast (demo)")
    page.click("#add-to-case button.add-button")
    page.wait_for_selector(".notice a")
    case_href = page.get_attribute(".notice a", "href")
    shot("triage-workflow.png")
    page.goto(network_url(chosen["network"]))
    page.select_option("#add-network select.case-choice", case_href.rsplit("/", 1)[1])
    page.click("#add-network button.add-button")
    page.wait_for_selector(".notice")
    page.goto(chosen["record"])  # and one record by hand, so the case shows both kinds
    page.select_option("#add-to-case select.case-choice", case_href.rsplit("/", 1)[1])
    page.click("#add-to-case button.add-button")
    page.wait_for_selector(".notice")
    page.goto(case_href)
    page.fill(
        ".note-form textarea",
        "Same phone on three sites; the likely-minor network joins through a shared picture.",
    )
    page.click(".note-form button")
    page.wait_for_selector(".note-text")
    page.goto(case_href)
    shot("case.png")
    page.goto("/")
    shot("today.png")


if __name__ == "__main__":
    main()
