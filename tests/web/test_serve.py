"""`ror web serve` runs the app under waitress and prints the URL people should open."""

from __future__ import annotations

import http.client
import json
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlsplit

from tests.support import serve


@contextmanager
def served():
    """`ror web serve` on a free port (no engine needed here); yields its URL."""
    with serve.served("--threads", "2") as (_, url):
        yield url


def test_serve_prints_its_url_and_answers():
    with served() as url, urllib.request.urlopen(url, timeout=120) as response:
        html = response.read().decode()
        assert response.status == 200 and "Orienter un patient" in html
        assert response.headers["Server"] == "ror"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_routing_errors_under_api_are_the_json_error_through_the_real_server():
    """Issue 19: 413 and 431 came back as waitress's plain text. Through the real server, every routing error
    under /api/v1 is the API's one JSON error shape (the body and header limits of the app apply first)."""
    cases = [("POST", "/api/v1/cypher", {"Content-Type": "application/json"}, b"x" * 100_000, 413),
             ("GET", "/api/v1/health", {"X-Large": "a" * 40_000}, None, 431),
             ("GET", "/api/v1/nulle-part", {}, None, 404),
             ("DELETE", "/api/v1/health", {}, None, 405),
             ("PUT", "/api/v1/openapi.json", {}, None, 405)]
    with served() as url:
        host = urlsplit(url)
        for method, path, headers, body, status in cases:
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            finally:
                connection.close()
            assert response.status == status, (method, path, response.status, payload[:200])
            assert response.getheader("Content-Type", "").startswith("application/json"), (path, payload[:200])
            error = json.loads(payload)["error"]
            assert error["status"] == status and set(error) == {"status", "code", "message", "fields"}
