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


def make_client(settings: Settings, url: str | None = None) -> OpenSearch:
    url = url or settings.opensearch_url or f"http://127.0.0.1:{settings.opensearch_port}"
    auth = (settings.opensearch_user, settings.opensearch_password) if settings.opensearch_user else None
    return OpenSearch(
        hosts=[url], http_auth=auth, verify_certs=settings.opensearch_verify_certs,
        timeout=10, max_retries=1, retry_on_timeout=False, serializer=OpenSearchSerializer(),
        # Compressed bodies pay off over a network; on loopback gzip only costs CPU on both sides.
        http_compress=not _loopback(url),
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
