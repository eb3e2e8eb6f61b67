"""``lantern serve``: the investigator web app on uvicorn, on the loopback interface by default.

Every page and API route needs a signed-in account (``lantern users``/``lantern tokens``; see
docs/security.md). Binding to 127.0.0.1 stays the default: to serve others, put it behind a reverse proxy
that terminates TLS (docs/deploy.md), set ``secure_cookies`` so the session cookie is never sent in clear,
``base_url`` to the address users type, and ``--proxy-headers`` so the audit log records the client's
address rather than the proxy's. The server refuses to start on a database whose schema is not the newest
(``lantern db upgrade`` moves it on).
"""

from __future__ import annotations

import typer

from lantern.commands.common import errors, settings_from
from lantern.config import Settings, with_overrides

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    proxy_headers: bool = typer.Option(
        None,
        "--proxy-headers/--no-proxy-headers",
        help="Trust X-Forwarded-For and X-Forwarded-Proto from --forwarded-allow-ips (setting proxy_headers).",
    ),
    forwarded_allow_ips: str = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="Comma-separated proxy addresses to trust, or * (default 127.0.0.1).",
    ),
    root_path: str = typer.Option(
        None, "--root-path", help="Path prefix the proxy serves Lantern under, e.g. /lantern (default none)."
    ),
) -> None:
    """Run the web app: search, triage, records, networks, entities, image search and the JSON API."""
    settings = with_overrides(
        settings_from(ctx),
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        root_path=root_path,
    )
    run_server(settings, host=host, port=port)


def run_server(settings: Settings, *, host: str, port: int) -> None:
    """Serve the app on ``host:port`` until interrupted (``lantern demo`` ends here too)."""
    import uvicorn

    from lantern.logs import configure_logging, uvicorn_log_config
    from lantern.web.app import create_app
    from lantern.web.links import warm_link_cache

    configure_logging(settings)
    if host not in LOOPBACK and not settings.secure_cookies:
        errors.print(
            f"warning: listening on {host} over plain http; serve it behind a TLS proxy and set "
            "LANTERN_SECURE_COOKIES=1, or passwords and session cookies cross the network in clear.",
            markup=False,
        )
    app = create_app(settings)
    typer.echo(f"Lantern on http://{host}:{port}{settings.root_path}/  (data: {settings.data_dir})")
    warm_link_cache(app)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=uvicorn_log_config(settings),
        access_log=False,  # lantern.web.observe logs each request, with its id and terms redacted
        server_header=False,
        proxy_headers=settings.proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips if settings.proxy_headers else None,
        root_path=settings.root_path,
    )


def register(app: typer.Typer) -> None:
    app.command()(serve)
