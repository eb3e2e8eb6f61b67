"""``lantern serve``: the investigator web app on uvicorn, on the loopback interface by default.

Every page and API route needs a signed-in account (``lantern users``/``lantern tokens``; see
docs/security.md). Binding to 127.0.0.1 stays the default: to serve others, put it behind a reverse proxy
that terminates TLS and set ``LANTERN_SECURE_COOKIES=1`` so the session cookie is never sent in clear.
"""

from __future__ import annotations

import os

import typer

from lantern.commands.common import errors, settings_from
from lantern.config import Settings

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Run the web app: search, triage, records, networks, entities, image search and the JSON API."""
    run_server(settings_from(ctx), host=host, port=port)


def run_server(settings: Settings, *, host: str, port: int) -> None:
    """Serve the app on ``host:port`` until interrupted (``lantern demo`` ends here too)."""
    import uvicorn

    from lantern.web.app import create_app
    from lantern.web.links import warm_link_cache

    if host not in LOOPBACK and os.environ.get("LANTERN_SECURE_COOKIES") != "1":
        errors.print(
            f"warning: listening on {host} over plain http; serve it behind a TLS proxy and set "
            "LANTERN_SECURE_COOKIES=1, or passwords and session cookies cross the network in clear.",
            markup=False,
        )
    typer.echo(f"Lantern on http://{host}:{port}/  (data: {settings.data_dir})")
    app = create_app(settings)
    warm_link_cache(app)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
