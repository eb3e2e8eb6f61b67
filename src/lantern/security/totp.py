"""Optional TOTP second factor (RFC 6238, 30-second steps, 6 digits) via pyotp.

Codes are accepted one step either side of now to allow for clock drift, and a step is accepted at most
once per user (``users.totp_last_step``), so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "Lantern"
WINDOW = 1


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` URI an authenticator app scans (shown once, at enrolment)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def current_code(secret: str, at: datetime) -> str:
    """The code for ``at`` (tests and enrolment confirmation)."""
    return pyotp.TOTP(secret).at(at)


def verify(secret: str, code: str | None, *, at: datetime, last_step: int | None = None) -> int | None:
    """The time step ``code`` matches within ±:data:`WINDOW` of ``at``, or None.

    Steps at or before ``last_step`` are refused (replay). Comparison is constant-time.
    """
    code = (code or "").replace(" ", "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    matched = None
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code) and matched is None:
            matched = step
    return matched
