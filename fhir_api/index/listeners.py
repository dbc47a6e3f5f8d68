"""The FHIR indices follow the writes the search index follows: `search.sync` calls these listeners after a
capacity / tension push and after a status or description change, and `ror index build` / `ror index sync`
call the build and sync hooks. Installed by `fhir_api.register` (web) and by the CLI."""

from __future__ import annotations

import logging

from fhir_api.index.build import FhirIndex
from fhir_api.index.names import alias
from fhir_api.index.sync import FhirSync

log = logging.getLogger(__name__)


def install() -> None:
    from search import sync

    for registry, hook in ((sync.change_listeners, on_change), (sync.build_hooks, on_build),
                           (sync.sync_hooks, on_sync)):
        if hook not in registry:
            registry.append(hook)


def on_change(graph, client, prefix: str, offer_ids: list[str], kind: str) -> None:
    """After a write on offers (`kind`: "capacity" or "offer"); nothing when the FHIR index is not built."""
    if client is None or not offer_ids or not client.indices.exists_alias(name=alias(prefix, "HealthcareService")):
        return
    pusher = FhirSync(graph, client, prefix)
    if kind == "capacity":
        pusher.push_places_of(offer_ids)
    else:
        pusher.push_offers(offer_ids)


def on_build(graph, client, settings, echo) -> None:
    from core.settings import PROJECT_ROOT

    report = FhirIndex(graph, client, settings.index_prefix, PROJECT_ROOT / "var" / "exports").build(
        progress=lambda rtype, n: echo(f"  FHIR {rtype} : {n:,} documents…".replace(",", " ")))
    for rtype, count in report.counts.items():
        echo(f"FHIR {rtype:<18} {count:>9,} documents ({report.phases.get(rtype, 0):.1f} s)".replace(",", " "))
    echo(f"Index FHIR v{report.version} en service ({report.seconds:.1f} s, dont export "
         f"{report.phases.get('export', 0):.1f} s).")


def on_sync(graph, client, settings, echo) -> None:
    sync = FhirSync(graph, client, settings.index_prefix)
    if sync.load_meta() is None:
        echo("Index FHIR absent : lancez « ror index build ».")
        return
    report = sync.sync()
    written = sum(report.written.values())
    echo(f"FHIR : {written} ressources réécrites, {sum(report.deleted.values())} supprimées, "
         f"{sum(report.recopied.values())} copies mises à jour ({report.seconds:.2f} s).")
