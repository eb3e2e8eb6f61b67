"""Sign-in, sign-out and the user's own password change (forced after an admin reset).

The sign-in form is the only page an anonymous visitor gets. Every failure shows the same message
(:data:`lantern.security.accounts.PUBLIC_FAILURE`, which also says repeated failures lock the account),
so the page never tells whether a username exists, is disabled or locked, or whether only the code was
wrong; the real reason goes to the audit log. Only the per-address throttle, which is about the visitor
and not an account, has its own message.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lantern.security import accounts, passwords, sessions
from lantern.security.web import (
    Principal,
    app_settings,
    config,
    current_principal,
    get_principal,
    login,
    logout,
    set_session_cookie,
    verify_csrf,
)
from lantern.web.routes.common import render

router = APIRouter()


def session_principal(principal: Principal = Depends(current_principal)) -> Principal:
    """Own-account pages are for a signed-in browser; an API token cannot sign out or change passwords."""
    if principal.via != "session":
        raise HTTPException(status_code=403, detail="not with an API token")
    return principal


THROTTLED = "Too many failed sign-ins from this address. Wait a few minutes and try again."
MAX_FIELD = 1024


def safe_next(value: str | None) -> str:
    """A local path to go to after signing in; anything else (other hosts, schemes, ``//x``) is ``/``."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 32 or c == "\\" for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return "/"
    return value


def _login_page(request: Request, *, next_url: str, error: str | None, username: str = "", status: int = 200):
    settings = app_settings(request)
    sso = settings.oidc_button if settings.oidc_enabled else None
    return render(
        request,
        "login.html",
        {"next": next_url, "error": error, "username": username[:150], "sso_button": sso},
        status_code=status,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if get_principal(request) is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url=next_url, error=None)


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def login_submit(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    totp: str = Form(""),
    next: str = Form("/"),
) -> Response:
    next_url = safe_next(next)
    username, password, totp = username[:MAX_FIELD], password[:MAX_FIELD], totp.strip()[:16]
    response = RedirectResponse(next_url, status_code=303)
    result = login(request, response, username, password, totp or None)
    if not result.ok or result.user is None:
        if result.reason == "ip_throttled":
            return _login_page(request, next_url=next_url, error=THROTTLED, username=username, status=429)
        status = 403 if result.reason == "cross_origin" else 401
        return _login_page(
            request, next_url=next_url, error=accounts.PUBLIC_FAILURE, username=username, status=status
        )
    if result.user.must_change_password:
        response.headers["location"] = "/account/password?next=" + next_url.replace("&", "%26")
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf), Depends(session_principal)])
def logout_submit(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    logout(request, response)
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, principal: Principal = Depends(session_principal)) -> Response:
    return render(
        request,
        "password.html",
        {
            "next": safe_next(request.query_params.get("next")),
            "error": None,
            "forced": principal.must_change_password,
        },
    )


@router.post("/account/password", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def password_submit(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    confirm: str = Form(""),
    next: str = Form("/"),
    principal: Principal = Depends(session_principal),
) -> Response:
    next_url = safe_next(next)

    def again(error: str, status: int) -> Response:
        context = {"next": next_url, "error": error, "forced": principal.must_change_password}
        return render(request, "password.html", context, status_code=status)

    if new != confirm:
        return again("The two new passwords differ.", 400)
    try:
        changed = accounts.change_password(
            request.app.state.engine,
            principal.user_id,
            current[:MAX_FIELD],
            new[: MAX_FIELD + 1],
            clock=config(request).clock,
        )
    except passwords.PasswordPolicyError as error:
        return again(str(error), 400)
    if not changed:
        return again("The current password is wrong.", 400)
    # change_password ended every session of the user (this one too): start a fresh one here.
    cfg = config(request)
    fresh = sessions.create(
        request.app.state.engine,
        principal.user_id,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        policy=cfg.session_policy,
        clock=cfg.clock,
    )
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(request, response, fresh)
    return response
