"""The time limit of one FHIR search: every engine call inside it gets what is left (OpenSearch `timeout` and
task cancellation, client timeout, Neo4j transaction timeout); past it the client gets an OperationOutcome and
no query keeps running."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.errors import QueryTimeout, RorError

MIN_SECONDS = 0.05  # below this a query is not worth starting


class SearchTimeout(QueryTimeout):
    """The search ran past its time limit (503, issue `too-costly`: narrow the search or retry later)."""

    code = "search_timeout"


class TooCostly(RorError):
    """The search asks for more than the server gives in one answer (400, issue `too-costly`)."""

    status = 400
    code = "too_costly"
    issue = "too-costly"


@dataclass
class Deadline:
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        """Seconds left; SearchTimeout when there is no time left to start another query."""
        left = self.seconds - (time.monotonic() - self.started)
        if left < MIN_SECONDS:
            raise SearchTimeout(f"La recherche a dépassé son temps limite ({self.seconds:g} s) : précisez les "
                                "critères (moins de résultats, moins d'inclusions) ou réessayez.")
        return left

    def opensearch(self) -> tuple[dict, dict]:
        """(body additions, request params) bounding one OpenSearch search by the time left."""
        left_ms = int(self.remaining() * 1000)
        return ({"timeout": f"{left_ms}ms"},
                {"request_timeout": left_ms / 1000 + 0.5, "cancel_after_time_interval": f"{left_ms}ms"})
