"""One OpenSearch client per process/app; transport errors translated into the product's errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from core.errors import BadRequest, ServiceUnavailable
from core.fastjson import OpenSearchSerializer
from core.settings import Settings


def make_client(settings: Settings, url: str | None = None, *, timeout: float = 10) -> OpenSearch:
    """A client of one node, or of every node of a cluster when `url` lists them comma-separated.

    Requests go round-robin over the nodes; a node that refuses connections (or answers 502/503/504) is set
    aside for a while and the request is retried on the next one, so losing a node fails no request."""
    url = url or settings.opensearch_url or f"http://127.0.0.1:{settings.opensearch_port}"
    hosts = [host.strip() for host in url.split(",") if host.strip()]
    auth = (settings.opensearch_user, settings.opensearch_password) if settings.opensearch_user else None
    return OpenSearch(
        hosts=hosts, http_auth=auth, verify_certs=settings.opensearch_verify_certs,
        # One retry on a single node (as before); on a cluster, up to every other node.
        timeout=timeout, max_retries=max(1, len(hosts)), retry_on_timeout=False, serializer=OpenSearchSerializer(),
        # Compressed bodies pay off over a network; on loopback gzip only costs CPU on both sides.
        http_compress=not all(_loopback(host) for host in hosts),
        # One pooled connection per concurrent caller (web threads, bulk helpers): the default keeps 1 and
        # makes every other thread open and discard a connection per request.
        pool_maxsize=32,
    )


def _loopback(url: str) -> bool:
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    return host == "localhost" or host == "::1" or host.startswith("127.")


@contextmanager
def translated(url: str = "OpenSearch") -> Iterator[None]:
    try:
        yield
    except (os_errors.ConnectionError, os_errors.ConnectionTimeout) as exc:
        raise ServiceUnavailable(
            "Le service de recherche est indisponible pour le moment.", detail=f"{url}: {exc}"
        ) from exc
    except os_errors.RequestError as exc:
        raise BadRequest("Requête de recherche invalide.", detail=str(exc.info)) from exc
    except os_errors.NotFoundError as exc:
        raise ServiceUnavailable(
            "L'index de recherche n'est pas encore construit (lancez « ror index build »).", detail=str(exc.info)
        ) from exc
    except os_errors.TransportError as exc:
        raise ServiceUnavailable(
            "Le service de recherche est indisponible pour le moment.", detail=f"{url}: {exc}"
        ) from exc
