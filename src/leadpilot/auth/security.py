"""Password hashing (argon2), session tokens (JWT, HS256) and API keys.

API keys look like ``lp_<prefix>_<secret>``; the prefix finds the row, the SHA-256 of the whole key is compared
in constant time. Keys carry 256 bits of entropy, so a fast hash is safe for them (unlike passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from leadpilot.config import get_settings
from leadpilot.kit.clock import utcnow

_hasher = PasswordHasher()
API_KEY_PREFIX = "lp"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against a real hash when the user does not exist keeps login timing the same for both cases.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    verify_password(password, _DUMMY_HASH)


def create_access_token(*, user_id: int, org_id: int, minutes: int | None = None) -> str:
    settings = get_settings()
    now = utcnow()
    payload = {
        "sub": str(user_id),
        "org": org_id,
        # Sub-second precision: a token issued right after a password change must still be valid.
        "iat": round(now.timestamp(), 3),
        "exp": int((now + timedelta(minutes=minutes or settings.access_token_minutes)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, settings.signing_key(), algorithm="HS256")


def decode_access_token(token: str) -> dict[str, Any] | None:
    try:
        return jwt.decode(token, get_settings().signing_key(), algorithms=["HS256"])
    except jwt.PyJWTError:
        return None


def csrf_token_for(session_token: str) -> str:
    """A CSRF token bound to the dashboard session (double-submit in forms and the HTMX header)."""
    key = get_settings().signing_key().encode()
    return hmac.new(key, f"csrf:{session_token}".encode(), hashlib.sha256).hexdigest()[:32]


def generate_api_key() -> tuple[str, str, str]:
    """Return (full key shown once, prefix stored in clear, sha256 hash stored)."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_api_key(key)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_api_key_prefix(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 8:
        return None
    return parts[1]


def api_key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(key), stored_hash)
