"""Roles and what each may do: one matrix, one function, deny by default.

Agency scoping (cases and watchlists are invisible to other agencies, for every role) is separate from
this matrix: see :func:`lantern.security.web.Principal.sees_agency`. Analysts are read-only: they can
search and read records but not reveal images, export, or change anything.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("admin", "supervisor", "investigator", "analyst")

# Permission -> what it covers. Names are stable strings: routes say ``require("export")``.
PERMISSIONS: dict[str, str] = {
    "read": "read records, networks, entities and triage queues (blurred images)",
    "search": "run searches over the shared ad corpus",
    "reveal_image": "reveal a blurred image (audited)",
    "export": "export records or cases (evidence leaves the system)",
    "case_write": "create and edit cases, watchlists and annotations of the own agency",
    "audit_agency": "read the own agency's audit log",
    "audit_all": "read every agency's audit log",
    "manage_users": "create, disable and reset users; manage their API tokens",
    "manage_agencies": "create agencies",
    "retention": "run the retention purge",
    "metrics": "read the server's operational figures (/metrics, for Prometheus)",
}

_MATRIX: dict[str, frozenset[str]] = {
    "analyst": frozenset({"read", "search"}),
    "investigator": frozenset({"read", "search", "reveal_image", "export", "case_write"}),
    "supervisor": frozenset({"read", "search", "reveal_image", "export", "case_write", "audit_agency"}),
    "admin": frozenset(PERMISSIONS),
}

# Which API-token scope a permission needs. A token works only where both its scope and its user's
# *current* role allow, so a token never outlives a demotion.
SCOPES: dict[str, str] = {
    "read": "read records, networks and cases (images blurred)",
    "search": "search the corpus",
    "export": "export",
    "write": "change cases, triage state, feedback and watchlists; reveal images (an audited act)",
    "admin": "administration (users, agencies, audit, retention)",
    "metrics": "operational figures only (/metrics): what a Prometheus scraper needs",
}
PERMISSION_SCOPE: dict[str, str] = {
    "read": "read",
    "search": "search",
    "reveal_image": "write",
    "export": "export",
    "case_write": "write",
    "audit_agency": "admin",
    "audit_all": "admin",
    "manage_users": "admin",
    "manage_agencies": "admin",
    "retention": "admin",
    "metrics": "metrics",
}


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` may use ``permission``. Unknown roles and permissions are refused."""
    return permission in _MATRIX.get(role, frozenset())


def permissions_of(role: str) -> frozenset[str]:
    """Everything ``role`` may do (for documentation and the token-scope check)."""
    return _MATRIX.get(role, frozenset())


def scope_allows(scopes: frozenset[str] | set[str] | list[str], permission: str) -> bool:
    """Whether a token with ``scopes`` covers ``permission``."""
    needed = PERMISSION_SCOPE.get(permission)
    return needed is not None and needed in set(scopes)


def useful_scopes(role: str) -> frozenset[str]:
    """Scopes that grant ``role`` something; asking for others on a token is refused as a mistake."""
    return frozenset(PERMISSION_SCOPE[p] for p in permissions_of(role))


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else ValueError (CLI and account creation use it)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role
