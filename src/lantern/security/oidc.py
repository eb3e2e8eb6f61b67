"""Single sign-on with OpenID Connect (Microsoft Entra ID, Keycloak, Okta, any certified provider).

The authorization-code flow with PKCE: the browser goes to the provider, comes back with a code, and the
server exchanges it (authlib's httpx client) for an ID token, whose signature is checked against the
provider's published keys and whose issuer, audience, expiry and nonce are checked (joserfc; asymmetric
algorithms only). What the token says then decides who the user is in Lantern:

* the user is found by the provider's stable subject (``sso_identities``), or created at the first sign-in
  with the name in ``oidc_username_claim`` (a local account of that name is never taken over);
* the role comes from ``oidc_role_claim`` through ``oidc_role_map`` (claim value -> Lantern role; the most
  able mapped role wins), the agency from ``oidc_agency_claim`` (an agency's name, which must exist) or
  ``oidc_agency``; both are set again at every sign-in, so the provider stays the source of truth;
* no mapped role, an unknown agency or a disabled Lantern account refuses the sign-in, audited with the
  reason; the page shows the same generic message as a wrong password.

Local accounts keep working beside SSO (a small unit may have no provider; an administrator keeps a way in
when the provider is down). Multi-factor authentication is the provider's.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine, select, update

from lantern.config import Settings
from lantern.security import accounts, audit, roles
from lantern.security.clock import Clock, utcnow
from lantern.store.schema import agencies, sso_identities, users

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
DISCOVERY_TTL = 3600.0
LEEWAY_SECONDS = 60


class SignInRefused(Exception):
    """The provider vouched for someone Lantern will not let in; ``reason`` goes to the audit log."""

    def __init__(self, reason: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail or {}


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser carries (in a short-lived cookie) between leaving for the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    next_url: str

    def encode(self) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(vars(self))).decode()

    @classmethod
    def decode(cls, text: str | None) -> PendingSignIn | None:
        if not text or len(text) > 4096:
            return None
        try:
            values = orjson.loads(base64.urlsafe_b64decode(text.encode()))
            return cls(**{k: str(values[k]) for k in ("state", "nonce", "verifier", "next_url")})
        except (ValueError, KeyError, TypeError):
            return None


class Provider:
    """One configured provider: its discovery document and keys (cached), and the code exchange."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.transport = transport
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: dict[str, Any] | None = None

    def _get(self, url: str) -> dict[str, Any]:
        with httpx.Client(transport=self.transport, timeout=10.0) as client:
            response = client.get(url)
            response.raise_for_status()
            return response.json()

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata[0] > DISCOVERY_TTL:
                found = self._get(f"{self.settings.oidc_issuer}/.well-known/openid-configuration")
                if found.get("issuer", "").rstrip("/") != self.settings.oidc_issuer:
                    raise SignInRefused("oidc_issuer_mismatch", {"discovered": found.get("issuer")})
                self._metadata = (time.monotonic(), found)
                self._keys = None
            return self._metadata[1]

    def keys(self, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        metadata = self.metadata()
        with self._lock:
            if self._keys is None or refresh:
                self._keys = self._get(metadata["jwks_uri"])
            return KeySet.import_key_set(self._keys)

    def authorization_url(self, redirect_uri: str, next_url: str) -> tuple[str, PendingSignIn]:
        """Where to send the browser, and what it must bring back."""
        pending = PendingSignIn(
            secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48), next_url
        )
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).rstrip(b"=").decode()
        )
        params = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": redirect_uri,
            "scope": self.settings.oidc_scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = httpx.URL(self.metadata()["authorization_endpoint"]).copy_merge_params(params)
        return str(url), pending

    def exchange(self, code: str, redirect_uri: str, pending: PendingSignIn) -> dict[str, Any]:
        """Trade the code for tokens and return the ID token's checked claims."""
        from authlib.integrations.httpx_client import OAuth2Client

        metadata = self.metadata()
        client = OAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=self.settings.oidc_client_secret,
            redirect_uri=redirect_uri,
            transport=self.transport,
            timeout=10.0,
        )
        try:
            token = client.fetch_token(
                metadata["token_endpoint"],
                code=code,
                code_verifier=pending.verifier,
                grant_type="authorization_code",
            )
        except Exception as error:
            raise SignInRefused("oidc_token_exchange_failed", {"error": type(error).__name__}) from None
        finally:
            client.close()
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused("oidc_no_id_token")
        return self.verify(id_token, pending.nonce)

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import BadSignatureError, JoseError

        try:
            try:
                decoded = jwt.decode(id_token, self.keys(), algorithms=ALGORITHMS)
            except (BadSignatureError, ValueError):
                decoded = jwt.decode(id_token, self.keys(refresh=True), algorithms=ALGORITHMS)  # keys rotated
            registry = jwt.JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.settings.oidc_issuer},
                aud={"essential": True, "value": self.settings.oidc_client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise SignInRefused("oidc_invalid_id_token", {"error": type(error).__name__}) from None
        return dict(decoded.claims)


def _values(claim: Any) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list):
        return [str(v) for v in claim if isinstance(v, str | int)]
    return []


def role_from(claims: dict[str, Any], settings: Settings) -> str:
    """The most able Lantern role the claim maps to (roles.ROLES is ordered most able first)."""
    mapped = {
        settings.oidc_role_map[v]
        for v in _values(claims.get(settings.oidc_role_claim))
        if v in settings.oidc_role_map
    }
    for role in roles.ROLES:
        if role in mapped:
            return role
    raise SignInRefused("oidc_no_role", {"claim": settings.oidc_role_claim})


def agency_from(engine: Engine, claims: dict[str, Any], settings: Settings) -> int:
    names = _values(claims.get(settings.oidc_agency_claim)) if settings.oidc_agency_claim else []
    name = names[0] if names else settings.oidc_agency
    if not name:
        raise SignInRefused("oidc_no_agency", {"claim": settings.oidc_agency_claim})
    with engine.connect() as connection:
        found = connection.execute(select(agencies.c.id).where(agencies.c.name == name)).scalar()
    if found is None:
        raise SignInRefused("oidc_unknown_agency", {"agency": name[:200]})
    return found


def sign_in_user(
    engine: Engine, claims: dict[str, Any], settings: Settings, *, clock: Clock = utcnow
) -> accounts.User:
    """The Lantern user for these checked claims: found by subject or created, role and agency brought up
    to date; SignInRefused when the claims give no role or agency, or the account is disabled."""
    issuer, subject = str(claims["iss"]).rstrip("/"), str(claims["sub"])
    role = role_from(claims, settings)
    agency_id = agency_from(engine, claims, settings)
    now = clock()
    with engine.connect() as connection:
        user_id = connection.execute(
            select(sso_identities.c.user_id).where(
                sso_identities.c.issuer == issuer, sso_identities.c.subject == subject
            )
        ).scalar()
    actor = {"via": "oidc", "issuer": issuer}
    if user_id is None:
        raw = claims.get(settings.oidc_username_claim) or claims.get("email") or f"sso-{subject}"
        username = accounts.normalise_username(str(raw))[:150]
        with engine.connect() as connection:
            if connection.execute(select(users.c.id).where(users.c.username == username)).first():
                raise SignInRefused("oidc_username_taken", {"username": username})
        user = accounts.create_user(
            engine,
            username,
            secrets.token_urlsafe(48),
            agency_id=agency_id,
            role=role,
            actor=actor,
            clock=clock,
        )  # the password is random and never shown: this account signs in through the provider only
        with audit.write_transaction(engine) as connection:
            connection.execute(
                sso_identities.insert().values(
                    issuer=issuer, subject=subject, user_id=user.id, created_at=now, last_seen_at=now
                )
            )
        user_id = user.id
    with audit.write_transaction(engine) as connection:
        current = connection.execute(
            select(users.c.role, users.c.agency_id, users.c.disabled).where(users.c.id == user_id)
        ).one()
        if current.disabled:
            raise SignInRefused("disabled", {"user_id": user_id})
        if (current.role, current.agency_id) != (role, agency_id):
            connection.execute(
                update(users).where(users.c.id == user_id).values(role=role, agency_id=agency_id)
            )
            audit.append(connection, "user.sso_update", user_id=user_id, agency_id=agency_id, target=f"user_id:{user_id}",
                         detail={"role": role, "was": {"role": current.role, "agency_id": current.agency_id}, **actor}, clock=clock)  # fmt: skip
        connection.execute(
            update(sso_identities)
            .where(sso_identities.c.issuer == issuer, sso_identities.c.subject == subject)
            .values(last_seen_at=now)
        )
        found = accounts.get_user_by_id(connection, user_id)
    assert found is not None
    return found
