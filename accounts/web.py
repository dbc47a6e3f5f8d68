"""Flask side of accounts: who is calling (session cookie or `Authorization: Bearer` token), CSRF, decorators.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when `ROR_SESSION_COOKIE_SECURE` says the
app is served over TLS, at most `ROR_SESSION_MAX_AGE_HOURS` old) holding the username, the session epoch and a
CSRF token; the user is re-read from the graph on every request so a role change or deactivation applies at
once, and logout ends the user's sessions in the graph (the epoch moves on): a captured cookie is then refused.
Writes made with a session need the CSRF token (form field `csrf_token` or header `X-CSRF-Token`);
writes made with a bearer token do not (no ambient credential to abuse).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, request, session

from accounts.models import Principal
from accounts.ratelimit import LoginLimiter
from accounts.store import UserStore
from core.errors import BadRequest, Forbidden, RorError, Unauthorized

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_UNSET = object()


class TooManyAttempts(RorError):
    status = 429
    code = "too_many_requests"


def init_app(app: Flask) -> None:
    """Session cookie hardening and the per-app login limiter (idempotent).

    Set, not `setdefault`: Flask predefines these keys (SameSite None, Secure False, 31 days), so a default
    never applied (issue 19)."""
    settings = app.extensions.get("ror_settings")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(getattr(settings, "session_cookie_secure", False))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=getattr(settings, "session_max_age_hours", 12.0))
    app.extensions.setdefault("ror_login_limiter", LoginLimiter())
    app.jinja_env.globals.setdefault("csrf_token", csrf_token)
    app.jinja_env.globals.setdefault("current_principal", current_principal)


def store() -> UserStore:
    # The app's services (web.services.Services, a higher floor) are reached through the app, not imported.
    return UserStore(current_app.extensions["ror"].get_graph())


def client_ip() -> str | None:
    return request.remote_addr


def current_principal() -> Principal | None:
    """The caller, or None when anonymous. An invalid bearer token is an error, not anonymity."""
    cached = g.get("ror_principal", _UNSET)
    if cached is not _UNSET:
        return cached
    principal = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("En-tête Authorization invalide : attendu « Bearer <jeton> ».")
        found = store().user_for_token(value.strip())
        if found is None:
            raise Unauthorized("Jeton d'accès invalide ou révoqué.")
        user, token_id = found
        principal = Principal(user, via=f"token:{token_id}", ip=client_ip())
    elif session.get("username"):
        user = store().get(session["username"])
        if user is not None and user.active and session.get("epoch", 0) == user.session_epoch:
            principal = Principal(user, via="session", ip=client_ip())
        else:
            session.clear()
    g.ror_principal = principal
    return principal


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    expected = session.get("csrf")
    given = request.headers.get("X-CSRF-Token") or (request.form.get("csrf_token") if request.form else None)
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise Forbidden("Jeton de sécurité du formulaire absent ou expiré : rechargez la page.",
                        detail="CSRF check failed")


def authenticated(permission: str | None = None) -> Principal:
    """The caller, who must be logged in (and hold `permission`); CSRF checked for session writes."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized("Authentification requise.")
    if principal.via == "session" and request.method not in SAFE_METHODS:
        check_csrf()
    if permission is not None:
        principal.require(permission)
    return principal


def log_in(username: str, password: str) -> Principal:
    """Check a password (rate-limited per user and address) and open a session."""
    limiter: LoginLimiter = current_app.extensions["ror_login_limiter"]
    ip = client_ip()
    if not username or not password:
        raise BadRequest("Identifiant et mot de passe requis.",
                         fields={k: "obligatoire" for k, v in (("username", username), ("password", password))
                                 if not v})
    if limiter.blocked(username, ip):
        raise TooManyAttempts("Trop de tentatives de connexion : réessayez dans quelques minutes.")
    user = store().authenticate(username, password)
    if user is None:
        limiter.failed(username, ip)
        raise Unauthorized("Identifiant ou mot de passe incorrect.")
    limiter.succeeded(username, ip)
    session.clear()
    session["username"] = user.username
    session["epoch"] = user.session_epoch
    session["csrf"] = secrets.token_urlsafe(32)
    principal = Principal(user, via="session", ip=ip)
    g.ror_principal = principal
    return principal


def log_out() -> None:
    """Close the session here and end the user's sessions in the graph (a copy of the cookie stops working)."""
    username = session.get("username")
    session.clear()
    if username:
        store().end_sessions(username)
    g.ror_principal = None
