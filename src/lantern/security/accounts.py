"""Agencies and users: creation, listing, disabling, admin password resets, and authentication.

Authentication throttles guessing per account: after ``max_failures`` consecutive failures the account
is locked for ``lock_for``; the counter resets on success and when a lock is set. Unknown, disabled and
locked accounts still pay for one Argon2 verification so response time does not reveal which usernames
exist, and the message shown to the user is the same for every failure (the real reason goes to the
audit log). Every attempt is audited.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from lantern.security import audit, passwords, totp
from lantern.security.clock import Clock, as_utc, utcnow
from lantern.security.roles import check_role
from lantern.store.schema import agencies, sessions, users

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,149}$")
PUBLIC_FAILURE = (
    "Sign-in failed. Check the username, password and authentication code; "
    "repeated failures lock the account for a while."
)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is safe to show an administrator."""


@dataclass(frozen=True)
class LockoutPolicy:
    """How many consecutive failures lock an account, and for how long."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class User:
    """A user as the rest of the code needs it (never the password hash or TOTP secret)."""

    id: int
    username: str
    agency_id: int
    agency: str
    role: str
    disabled: bool
    must_change_password: bool
    totp_enabled: bool
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class AuthResult:
    """Outcome of a sign-in attempt. Show users :data:`PUBLIC_FAILURE`, never ``reason``."""

    ok: bool
    reason: str  # ok | unknown_user | disabled | locked | bad_password | totp_required | totp_invalid
    user: User | None = None
    locked_now: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: stored lower-case, and limited to a safe alphabet."""
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise AccountError("usernames are 1-150 characters: letters, digits and . _ @ -")
    return name


def _user_query():
    return select(
        users.c.id,
        users.c.username,
        users.c.agency_id,
        agencies.c.name.label("agency"),
        users.c.role,
        users.c.disabled,
        users.c.must_change_password,
        users.c.totp_secret.is_not(None).label("totp_enabled"),
        users.c.locked_until,
        users.c.created_at,
    ).select_from(users.join(agencies, agencies.c.id == users.c.agency_id))


def _to_user(row) -> User:
    return User(
        id=row.id,
        username=row.username,
        agency_id=row.agency_id,
        agency=row.agency,
        role=row.role,
        disabled=bool(row.disabled),
        must_change_password=bool(row.must_change_password),
        totp_enabled=bool(row.totp_enabled),
        locked_until=as_utc(row.locked_until),
        created_at=as_utc(row.created_at),
    )


# --- agencies -----------------------------------------------------------------------------------


def create_agency(
    engine: Engine, name: str, *, actor: dict[str, Any] | None = None, clock: Clock = utcnow
) -> int:
    """Create agency ``name`` (audited as ``agency.create``) and return its id."""
    name = name.strip()
    if not name or len(name) > 200:
        raise AccountError("agency names are 1-200 characters")
    with audit.write_transaction(engine) as connection:
        if connection.execute(select(agencies.c.id).where(agencies.c.name == name)).first():
            raise AccountError(f"agency {name!r} already exists")
        agency_id = connection.execute(
            agencies.insert().values(name=name, created_at=clock()).returning(agencies.c.id)
        ).scalar_one()
        audit.append(
            connection,
            "agency.create",
            target=f"agency:{agency_id}",
            agency_id=agency_id,
            detail={"name": name, **(actor or {})},
            clock=clock,
        )
    return agency_id


def agency_id_by_name(connection: Connection, name: str) -> int | None:
    return connection.execute(select(agencies.c.id).where(agencies.c.name == name.strip())).scalar()


def list_agencies(connection: Connection) -> list[dict[str, Any]]:
    """Agencies with their number of users."""
    count = select(func.count()).where(users.c.agency_id == agencies.c.id).scalar_subquery()
    rows = connection.execute(
        select(agencies.c.id, agencies.c.name, agencies.c.created_at, count.label("users")).order_by(
            agencies.c.name
        )
    ).mappings()
    return [dict(row) for row in rows]


# --- users --------------------------------------------------------------------------------------


def create_user(
    engine: Engine,
    username: str,
    password: str,
    *,
    agency_id: int,
    role: str,
    must_change_password: bool = False,
    actor: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> User:
    """Create a user (audited as ``user.create``); the password must meet the policy."""
    username = normalise_username(username)
    check_role(role)
    passwords.check_policy(password, username)
    encoded = passwords.hash_password(password)
    now = clock()
    with audit.write_transaction(engine) as connection:
        if connection.execute(select(agencies.c.id).where(agencies.c.id == agency_id)).first() is None:
            raise AccountError(f"no agency with id {agency_id}")
        if connection.execute(select(users.c.id).where(users.c.username == username)).first():
            raise AccountError(f"user {username!r} already exists")
        user_id = connection.execute(
            users.insert()
            .values(
                username=username,
                agency_id=agency_id,
                role=role,
                password_hash=encoded,
                disabled=False,
                failed_logins=0,
                must_change_password=must_change_password,
                created_at=now,
                password_changed_at=now,
            )
            .returning(users.c.id)
        ).scalar_one()
        audit.append(
            connection,
            "user.create",
            target=f"user:{username}",
            agency_id=agency_id,
            detail={"role": role, **(actor or {})},
            clock=clock,
        )
        return _to_user(connection.execute(_user_query().where(users.c.id == user_id)).one())


def get_user(connection: Connection, username: str) -> User | None:
    """The user called ``username`` (case-insensitive), or None."""
    try:
        name = normalise_username(username)
    except AccountError:
        return None
    row = connection.execute(_user_query().where(users.c.username == name)).first()
    return _to_user(row) if row else None


def get_user_by_id(connection: Connection, user_id: int) -> User | None:
    row = connection.execute(_user_query().where(users.c.id == user_id)).first()
    return _to_user(row) if row else None


def list_users(connection: Connection, agency_id: int | None = None) -> list[User]:
    """All users (or one agency's), by agency then username."""
    query = _user_query().order_by(agencies.c.name, users.c.username)
    if agency_id is not None:
        query = query.where(users.c.agency_id == agency_id)
    return [_to_user(row) for row in connection.execute(query)]


def _require_user(connection: Connection, username: str) -> User:
    user = get_user(connection, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def set_disabled(
    engine: Engine,
    username: str,
    disabled: bool,
    *,
    actor: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> User:
    """Disable (ending every session at once) or re-enable a user. Tokens stop working while disabled."""
    with audit.write_transaction(engine) as connection:
        user = _require_user(connection, username)
        connection.execute(update(users).where(users.c.id == user.id).values(disabled=disabled))
        if disabled:
            connection.execute(sessions.delete().where(sessions.c.user_id == user.id))
        audit.append(
            connection,
            "user.disable" if disabled else "user.enable",
            target=f"user:{user.username}",
            agency_id=user.agency_id,
            detail=dict(actor or {}),
            clock=clock,
        )
        return get_user_by_id(connection, user.id)  # type: ignore[return-value]


def set_role(
    engine: Engine, username: str, role: str, *, actor: dict[str, Any] | None = None, clock: Clock = utcnow
) -> User:
    """Change a user's role; takes effect on the next request of every session and token."""
    check_role(role)
    with audit.write_transaction(engine) as connection:
        user = _require_user(connection, username)
        connection.execute(update(users).where(users.c.id == user.id).values(role=role))
        audit.append(
            connection,
            "user.role",
            target=f"user:{user.username}",
            agency_id=user.agency_id,
            detail={"from": user.role, "to": role, **(actor or {})},
            clock=clock,
        )
        return get_user_by_id(connection, user.id)  # type: ignore[return-value]


def one_time_password() -> str:
    """A random password for an admin reset: 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def reset_password(
    engine: Engine,
    username: str,
    new_password: str | None = None,
    *,
    actor: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> str:
    """Admin reset: set a one-time password (generated unless given), force a change at next sign-in,
    clear any lock, and end every session. Returns the password to hand over out of band."""
    password = new_password or one_time_password()
    with engine.connect() as connection:
        user = _require_user(connection, username)
    passwords.check_policy(password, user.username)
    encoded = passwords.hash_password(password)
    with audit.write_transaction(engine) as connection:
        connection.execute(
            update(users)
            .where(users.c.id == user.id)
            .values(
                password_hash=encoded,
                must_change_password=True,
                failed_logins=0,
                locked_until=None,
                password_changed_at=clock(),
            )
        )
        connection.execute(sessions.delete().where(sessions.c.user_id == user.id))
        audit.append(
            connection,
            "user.reset_password",
            target=f"user:{user.username}",
            agency_id=user.agency_id,
            detail=dict(actor or {}),
            clock=clock,
        )
    return password


def change_password(
    engine: Engine, user_id: int, old_password: str, new_password: str, *, clock: Clock = utcnow
) -> bool:
    """The user's own change (also how a one-time password is replaced). Ends every session of the user;
    the web layer then starts a fresh one. False if ``old_password`` is wrong."""
    with engine.connect() as connection:
        row = connection.execute(
            select(users.c.username, users.c.password_hash, users.c.agency_id).where(users.c.id == user_id)
        ).first()
    if row is None or not passwords.verify_password(row.password_hash, old_password):
        return False
    passwords.check_policy(new_password, row.username)
    if new_password == old_password:
        raise passwords.PasswordPolicyError("choose a password different from the current one")
    encoded = passwords.hash_password(new_password)
    with audit.write_transaction(engine) as connection:
        connection.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=encoded, must_change_password=False, password_changed_at=clock())
        )
        connection.execute(sessions.delete().where(sessions.c.user_id == user_id))
        audit.append(
            connection,
            "user.change_password",
            user_id=user_id,
            agency_id=row.agency_id,
            target=f"user:{row.username}",
            clock=clock,
        )
    return True


def _set_totp_secret(
    engine: Engine, username: str, secret: str | None, action: str, actor: dict[str, Any] | None, clock: Clock
) -> str:
    """Replace or clear a user's TOTP secret in one audited transaction; returns the username."""
    with audit.write_transaction(engine) as connection:
        user = _require_user(connection, username)
        connection.execute(
            update(users).where(users.c.id == user.id).values(totp_secret=secret, totp_last_step=None)
        )
        audit.append(
            connection,
            action,
            target=f"user:{user.username}",
            agency_id=user.agency_id,
            detail=dict(actor or {}),
            clock=clock,
        )
        return user.username


def enrol_totp(
    engine: Engine, username: str, *, actor: dict[str, Any] | None = None, clock: Clock = utcnow
) -> tuple[str, str]:
    """Give ``username`` a new TOTP secret (replacing any old one); returns (secret, provisioning URI)."""
    secret = totp.new_secret()
    name = _set_totp_secret(engine, username, secret, "user.totp_enrol", actor, clock)
    return secret, totp.provisioning_uri(secret, name)


def remove_totp(
    engine: Engine, username: str, *, actor: dict[str, Any] | None = None, clock: Clock = utcnow
) -> None:
    """Remove the second factor (lost phone); audited."""
    _set_totp_secret(engine, username, None, "user.totp_remove", actor, clock)


# --- authentication -----------------------------------------------------------------------------


def _username_digest(username: str) -> str:
    # Unknown usernames are logged only as a digest: people type passwords into the username box, and
    # the audit log can never be edited to remove one.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    totp_code: str | None = None,
    *,
    policy: LockoutPolicy = LockoutPolicy(),
    context: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> AuthResult:
    """Check a sign-in attempt, update the failure counter or lock, and audit it.

    ``context`` (ip, user agent, via) is added to the audit entry. Accounts with TOTP need the current
    code in the same attempt; a missing or wrong code counts as a failure like a wrong password.
    """
    context = dict(context or {})
    now = as_utc(clock())
    try:
        name = normalise_username(username)
    except AccountError:
        name = None
    row = None
    if name is not None:
        with engine.connect() as connection:
            row = connection.execute(select(users).where(users.c.username == name)).first()

    def fail(reason: str, **extra: Any) -> AuthResult:
        audit.record(
            engine,
            "login.failure",
            user_id=row.id if row else None,
            agency_id=row.agency_id if row else None,
            target=f"user:{row.username}" if row else "unknown user",
            detail={"reason": reason, **extra, **context},
            clock=clock,
        )
        return AuthResult(False, reason, locked_now=bool(extra.get("locked_now")))

    if row is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        return fail("unknown_user", username_sha256=_username_digest(username))
    locked_until = as_utc(row.locked_until)
    if row.disabled:
        passwords.verify_password(passwords.dummy_hash(), password)
        return fail("disabled")
    if locked_until is not None and locked_until > now:
        passwords.verify_password(passwords.dummy_hash(), password)
        return fail("locked", locked_until=locked_until.isoformat())

    good = passwords.verify_password(row.password_hash, password)
    reason, step = "bad_password", None
    if good and row.totp_secret:
        step = totp.verify(row.totp_secret, totp_code, at=now, last_step=row.totp_last_step)
        if step is None:
            good, reason = False, ("totp_required" if not totp_code else "totp_invalid")
    if not good:
        with audit.write_transaction(engine) as connection:
            failures = connection.execute(
                select(users.c.failed_logins).where(users.c.id == row.id)
            ).scalar_one()
            failures += 1
            values: dict[str, Any] = {"failed_logins": failures}
            locked_now = failures >= policy.max_failures
            if locked_now:
                values = {"failed_logins": 0, "locked_until": now + policy.lock_for}
            connection.execute(update(users).where(users.c.id == row.id).values(**values))
        return fail(reason, failures=failures, locked_now=locked_now)

    values = {"failed_logins": 0, "locked_until": None}
    if step is not None:
        values["totp_last_step"] = step
    if passwords.needs_rehash(row.password_hash):
        values["password_hash"] = passwords.hash_password(password)
    with audit.write_transaction(engine) as connection:
        connection.execute(update(users).where(users.c.id == row.id).values(**values))
        audit.append(
            connection,
            "login.success",
            user_id=row.id,
            agency_id=row.agency_id,
            target=f"user:{row.username}",
            detail={"totp": step is not None, **context},
            clock=clock,
        )
        user = get_user_by_id(connection, row.id)
    return AuthResult(True, "ok", user)


DEMO_AGENCY = "Demo Unit (fictional)"


def create_demo_account(engine: Engine, username: str = "demo", role: str = "supervisor") -> tuple[str, str]:
    """A signed-in-able account for ``lantern demo``'s fresh, fictional store; returns (username, password).

    The password is random and printed by the demo, never a fixed default that could survive into a
    real deployment. Supervisor, so the demo shows the agency audit log as well as investigation.
    """
    with engine.connect() as connection:
        agency_id = agency_id_by_name(connection, DEMO_AGENCY)
    if agency_id is None:
        agency_id = create_agency(engine, DEMO_AGENCY, actor={"via": "demo"})
    password = one_time_password()
    create_user(engine, username, password, agency_id=agency_id, role=role, actor={"via": "demo"})
    return username, password
