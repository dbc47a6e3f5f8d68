"""`_content`: full-text search in the offers index (OpenSearch), mapped back to FHIR logical ids.

The offers index (built by `search/` from the graph) holds one document per offer with its place and site,
so HealthcareService, Location (its places) and Organization (its site) can all be answered from it.
"""

from __future__ import annotations

from opensearchpy import exceptions as os_errors

from core.errors import ServiceUnavailable
from search.client import translated
from search.query import published_filter

MAX_HITS = 10_000


class ContentSearch:
    def __init__(self, client, index_prefix: str):
        self.client = client
        self.index = f"{index_prefix}-offers"

    def offer_ids(self, text: str) -> list[str]:
        """Ids of the offers whose index documents match every word of `text` (French analysis, synonyms)."""
        if self.client is None:
            raise ServiceUnavailable("Le service de recherche plein texte n'est pas configuré.")
        body = {"size": MAX_HITS, "_source": ["id"], "track_total_hits": False,
                "query": {"simple_query_string": {"query": text, "fields": ["all_text", "name"],
                                                  "default_operator": "and", "lenient": True}}}
        try:
            with translated():
                response = self.client.search(index=self.index, body=body)
        except os_errors.NotFoundError as exc:
            raise ServiceUnavailable("L'index de recherche n'est pas encore construit (ror search build).",
                                     detail=str(exc)) from exc
        ids = [(hit.get("_source") or {}).get("id") or hit["_id"] for hit in response["hits"]["hits"]]
        return list(dict.fromkeys(ids))

    def offers_by_activity(self, groups: list[list[str]], offset: int, count: int) -> tuple[int, list[str]] | None:
        """Total and page of published offer ids (by id) providing, for each group, one of its activity codes
        (J17): the `HealthcareService?specialty=…` search answered by the orientation index, as the portal is.
        None when the index cannot answer (not built, unreachable, page beyond its window): the caller then
        asks the graph."""
        if self.client is None or offset + count > MAX_HITS:
            return None
        body = {"from": offset, "size": count, "_source": ["id"], "track_total_hits": True, "sort": [{"id": "asc"}],
                "query": {"bool": {"filter": [published_filter(),
                                              *({"terms": {"activity_codes": codes}} for codes in groups)]}}}
        try:
            with translated():
                response = self.client.search(index=self.index, body=body)
        except (os_errors.NotFoundError, ServiceUnavailable):
            return None
        ids = [(hit.get("_source") or {}).get("id") or hit["_id"] for hit in response["hits"]["hits"]]
        return response["hits"]["total"]["value"], ids
