"""`_content`: full-text search in the offers index (OpenSearch), mapped back to FHIR logical ids.

The offers index (built by `search/` from the graph) holds one document per offer with its place and site,
so HealthcareService, Location and Organization can all be answered from it.
"""

from __future__ import annotations

from opensearchpy import exceptions as os_errors

from ror.errors import ServiceUnavailable
from search.client import translated

MAX_HITS = 10_000


class ContentSearch:
    def __init__(self, client, index_prefix: str):
        self.client = client
        self.index = f"{index_prefix}-offers"

    def ids(self, resource_type: str, text: str) -> list[str]:
        """Logical ids of `resource_type` whose offer documents match every word of `text`."""
        if resource_type not in ("HealthcareService", "Location", "Organization"):
            return self._unsupported(resource_type)
        if self.client is None:
            raise ServiceUnavailable("Le service de recherche plein texte n'est pas configuré.")
        body = {"size": MAX_HITS, "_source": ["id", "place_id", "site_finess"], "track_total_hits": False,
                "query": {"simple_query_string": {"query": text, "fields": ["all_text", "name"],
                                                  "default_operator": "and", "lenient": True}}}
        try:
            with translated():
                response = self.client.search(index=self.index, body=body)
        except os_errors.NotFoundError as exc:
            raise ServiceUnavailable("L'index de recherche n'est pas encore construit (ror search build).",
                                     detail=str(exc)) from exc
        out: list[str] = []
        for hit in response["hits"]["hits"]:
            src = hit.get("_source") or {}
            value = {"HealthcareService": src.get("id") or hit.get("_id"), "Location": src.get("place_id"),
                     "Organization": f"eg-{src['site_finess']}" if src.get("site_finess") else None}[resource_type]
            if value and value not in out:
                out.append(value)
        return out

    @staticmethod
    def _unsupported(resource_type: str) -> list[str]:
        from fhir_api.params import InvalidParam

        raise InvalidParam(f"« _content » n'est pas pris en charge pour {resource_type}.")
