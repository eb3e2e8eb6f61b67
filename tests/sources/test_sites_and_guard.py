"""Site files are validated with the file and key named; the address guard refuses non-public hosts."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from lantern.sources.crawl.guard import address_problem, parse_networks, url_problem
from lantern.sources.sites import SiteConfigError, SiteRegistry, Unmapped, load_site, map_page
from tests.sources.fixtures import SITE, ad_html


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[site]\ndomains=['a.example']\n", "needs a name"),
        ("[site]\nname='a'\n", "site.domains"),
        (
            "[site]\nname='a'\ndomains=['a.example']\n[fields]\nphone='css:p'\n",
            "fields.phone: not a record field",
        ),
        ("[site]\nname='a'\ndomains=['a.example']\n[fields]\ntitle='h1'\n", "expected 'css:…' or 'xpath:…'"),
        ("[site]\nname='a'\ndomains=['a.example']\n[fields]\ntitle='xpath://['\n", "fields.title"),
        ("[site]\nname='a'\ndomains=['a.example']\n[crawl]\nspeed=3\n", "crawl: unknown key 'speed'"),
        ("[site]\nname='a'\ndomains=['a.example'\n", "site.toml"),
    ],
)
def test_bad_site_files_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SiteConfigError, match=message.replace("[", r"\[")):
        load_site(write(tmp_path, text))


def test_builtin_rules_map_a_page_and_name_the_selector_that_failed() -> None:
    site = SiteRegistry.load().for_url(f"{SITE}/ad/7")
    assert site is not None and site.name == "example-classifieds"
    record = map_page(site, f"{SITE}/ad/7", ad_html(7).decode(), collected_at="2026-03-01T00:00:00Z")
    assert isinstance(record, dict)
    assert record["id"] == "7" and record["location"] == "Houston, TX" and record["author"] == "p7"
    assert record["body"] == "Call 713-555-0107. Mail person7@example.com"
    assert record["images"] == [f"{SITE}/img/7.png"] and record["posted_at"].startswith("2026-03-08")
    broken = map_page(site, f"{SITE}/ad/7", ad_html(7, title=False).decode())
    assert isinstance(broken, Unmapped) and "css:h1.title::text" in broken.reason


def test_unparseable_dates_are_kept_as_text(tmp_path: Path) -> None:
    site = load_site(
        write(tmp_path, "[site]\nname='a'\ndomains=['a.example']\n[fields]\nposted_at='css:time::text'\n")
    )
    record = map_page(site, "https://a.example/x", "<time>last Tuesday</time>")
    assert (
        isinstance(record, dict) and record["posted_at_text"] == "last Tuesday" and "posted_at" not in record
    )


def test_guard_refuses_private_loopback_link_local_and_odd_schemes() -> None:
    none = parse_networks([])
    assert "private" in url_problem("http://10.255.255.1/img.png", none)
    assert "loopback" in url_problem("http://127.0.0.1:8000/", none)
    assert "private address" in url_problem("http://169.254.169.254/latest/", none)
    assert "loopback" in url_problem("http://[::1]/", none)
    assert url_problem("http://[::ffff:127.0.0.1]/", none)
    assert "scheme" in url_problem("file:///etc/passwd", none)
    assert url_problem("http://93.184.216.34/", none) is None  # public (literal, nothing is resolved)
    allowed = parse_networks(["127.0.0.1/32"])
    assert url_problem("http://127.0.0.1:8000/", allowed) is None
    assert url_problem("http://127.0.0.2/", allowed) is not None
    assert address_problem(ipaddress.ip_address("224.0.0.1"), none) is not None
