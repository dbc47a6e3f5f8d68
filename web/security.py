"""Security headers on every response, request size limits and configurable CORS on /api."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request

from core.errors import BadRequest

MAX_CONTENT_LENGTH = 64 * 1024
MAX_QUERY_STRING = 4096
MAX_HEADER_BYTES = 32 * 1024  # answered 431 here, in the path's error shape (the server's own limit is higher)


def tile_origin(tile_url: str | None) -> str | None:
    """`https://tile.example.org` from a tile URL template (placeholders like `{s}` widened to `*`)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}.", "*.")
    if "{" in host:
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str | None) -> str:
    img = "'self' data:"
    origin = tile_origin(tile_url)
    if origin:
        img += " " + origin
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {img}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def register(app: Flask, *, tile_url: str | None, cors_origins: str) -> None:
    csp = content_security_policy(tile_url)
    allowed = {origin.strip().rstrip("/") for origin in cors_origins.split(",") if origin.strip()}
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH

    @app.before_request
    def limit_request_size() -> None:
        if request.content_length is not None and request.content_length > MAX_CONTENT_LENGTH:
            abort(413)
        if sum(len(name) + len(value) + 4 for name, value in request.headers.items()) > MAX_HEADER_BYTES:
            abort(431)
        if len(request.query_string) > MAX_QUERY_STRING:
            raise BadRequest("Adresse trop longue.", fields={"query": f"au plus {MAX_QUERY_STRING} octets"})

    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
        if request.path.startswith("/api/"):
            headers.setdefault("Cache-Control", "no-store")
            _cors(response, allowed)
        return response


def _cors(response: Response, allowed: set[str]) -> None:
    origin = request.headers.get("Origin", "").rstrip("/")
    if not origin or not allowed:
        return
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
    else:
        return
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
