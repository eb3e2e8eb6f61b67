"""Password hashing with Argon2id (argon2-cffi defaults, RFC 9106 low-memory profile).

Hashes carry their own parameters, so raising the cost later only needs :func:`needs_rehash` at the next
successful login. Length is bounded because hashing is deliberately expensive and input is hostile.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024

_hasher = PasswordHasher()


class PasswordPolicyError(ValueError):
    """A new password that does not meet the policy; the message is safe to show the user."""


def check_policy(password: str, username: str = "") -> None:
    """Refuse passwords that are too short, absurdly long, or the username itself."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"passwords need at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"passwords may have at most {MAX_LENGTH} characters")
    if username and password.strip().lower() == username.strip().lower():
        raise PasswordPolicyError("the password must not be the username")


def hash_password(password: str) -> str:
    """An encoded Argon2id hash (salt and parameters included)."""
    return _hasher.hash(password)


def verify_password(encoded: str, password: str) -> bool:
    """Whether ``password`` matches ``encoded``; malformed hashes and over-long input are simply False."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """Whether ``encoded`` was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so the reply takes as long as for a real one."""
    return _hasher.hash("lantern-dummy-password-for-timing")
