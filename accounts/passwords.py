"""Password hashing with argon2id (argon2-cffi) and API token hashing (SHA-256 of a random secret)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "ror_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _hasher.hash(password)  # same cost whether or not the user exists
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_token() -> tuple[str, str, str]:
    """(token id, plaintext token shown once, its SHA-256 hash stored in the graph)."""
    token_id = secrets.token_hex(6)
    plaintext = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    return token_id, plaintext, token_hash(plaintext)


def token_hash(plaintext: str) -> str:
    # Tokens are 256-bit random secrets: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(plaintext.encode()).hexdigest()
