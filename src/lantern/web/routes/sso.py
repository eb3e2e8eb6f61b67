"""Single sign-on pages: leave for the agency's identity provider, come back signed in (``security.oidc``).

``/auth/oidc/login`` sends the browser to the provider with a fresh state, nonce and PKCE challenge, kept
in a short-lived cookie scoped to ``/auth/oidc``; ``/auth/oidc/callback`` checks the state, exchanges the
code, checks the ID token and starts a Lantern session. Every refusal is audited with its reason and shown
as the sign-in page's generic failure. The return address is ``base_url`` + ``/auth/oidc/callback``
(register that address with the provider); without ``base_url``, the address the request came to.
"""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from lantern.security import accounts
from lantern.security import audit as audit_log
from lantern.security.oidc import PendingSignIn, Provider, SignInRefused, sign_in_user
from lantern.security.web import app_settings, audit, client_ip, config, cookie_secure, start_session
from lantern.web.routes.account import safe_next
from lantern.web.routes.common import render

router = APIRouter()
COOKIE = "lantern_oidc"
COOKIE_PATH = "/auth/oidc"
UNREACHABLE = "The sign-in service of your agency could not be reached. Try again, or use a Lantern account."
log = logging.getLogger("lantern.sso")


def provider(request: Request) -> Provider:
    settings = app_settings(request)
    if not settings.oidc_enabled:
        raise HTTPException(404, "Single sign-on is not configured")
    found = getattr(request.app.state, "oidc_provider", None)
    if found is None:
        found = request.app.state.oidc_provider = Provider(settings)
    return found


def callback_url(request: Request) -> str:
    base = app_settings(request).base_url
    return f"{base}/auth/oidc/callback" if base else str(request.url_for("oidc_callback"))


def _refused(
    request: Request, reason: str, detail: dict | None = None, message: str = accounts.PUBLIC_FAILURE
) -> Response:
    audit(request, "login.failure", "sso", {"reason": reason, "via": "oidc", **(detail or {})})
    context = {"next": "/", "error": message, "username": "", "sso_button": app_settings(request).oidc_button}
    page = render(request, "login.html", context, status_code=401)
    page.delete_cookie(COOKIE, path=COOKIE_PATH)
    return page


def _signed_in(request: Request, user: accounts.User) -> None:
    audit_log.record(request.app.state.engine, "login.success", user_id=user.id, agency_id=user.agency_id,
                     target=f"user:{user.username}", detail={"via": "oidc", "ip": client_ip(request)})  # fmt: skip


@router.get("/auth/oidc/login")
def oidc_login(request: Request, next: str = "/") -> Response:
    """Off to the identity provider."""
    chosen = provider(request)
    try:
        url, pending = chosen.authorization_url(callback_url(request), safe_next(next))
    except Exception:
        log.exception("single sign-on: the provider's discovery document could not be read")
        return _refused(request, "oidc_provider_unreachable", message=UNREACHABLE)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(COOKIE, pending.encode(), max_age=600, path=COOKIE_PATH, secure=cookie_secure(request),
                        httponly=True, samesite="lax")  # fmt: skip
    return response


@router.get("/auth/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    """Back from the provider: check, exchange, sign in."""
    chosen = provider(request)
    pending = PendingSignIn.decode(request.cookies.get(COOKIE))
    if (
        error
        or pending is None
        or not code
        or not secrets.compare_digest(state.encode(), pending.state.encode())
    ):
        reason = "oidc_provider_error" if error else "oidc_state_mismatch"
        return await run_in_threadpool(_refused, request, reason, {"error": error[:100]} if error else None)
    try:
        claims = await run_in_threadpool(chosen.exchange, code, callback_url(request), pending)
        settings = app_settings(request)
        user = await run_in_threadpool(
            sign_in_user, request.app.state.engine, claims, settings, clock=config(request).clock
        )
    except SignInRefused as refusal:
        return await run_in_threadpool(_refused, request, refusal.reason, refusal.detail)
    except Exception:
        log.exception("single sign-on: the exchange with the provider failed")
        return await run_in_threadpool(_refused, request, "oidc_provider_unreachable", None, UNREACHABLE)
    response = RedirectResponse(pending.next_url, status_code=303)
    await run_in_threadpool(start_session, request, response, user.id)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    await run_in_threadpool(_signed_in, request, user)
    return response
