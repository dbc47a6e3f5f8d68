"""ROR-compatible FHIR R4 facade (/fhir) over the graph and the search index. Mount with `register(app)`."""

from fhir_api.blueprint import register

__all__ = ["register"]
