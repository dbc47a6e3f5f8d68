"""Validation workflow of an offer: draft → validated by professionals → validated by direction → published.

Who may move an offer, and from where, is data (TRANSITIONS). Validation steps are refused while the
offer breaks a blocking ("error") data-quality rule. Every move is audited with who/when.
"""

from __future__ import annotations

from dataclasses import dataclass

import cypher
from accounts.audit import append
from accounts.models import Principal
from accounts.store import UserStore
from core.errors import BadRequest, Conflict, Forbidden
from graph import tombstones
from graph.driver import Graph
from quality.service import offer_reports
from search.sync import IndexSync

STATUSES = {"draft": "Brouillon", "validated_professionals": "Validée par les professionnels",
            "validated_direction": "Validée par la direction", "published": "Publiée"}
# (from, to): roles allowed. Going back to draft is how a reviewer refuses a step.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("draft", "validated_professionals"): frozenset({"contributor", "admin"}),
    ("validated_professionals", "validated_direction"): frozenset({"contributor", "admin"}),
    ("validated_direction", "published"): frozenset({"coordinator", "admin"}),
    ("validated_professionals", "draft"): frozenset({"contributor", "coordinator", "admin"}),
    ("validated_direction", "draft"): frozenset({"contributor", "coordinator", "admin"}),
    ("published", "draft"): frozenset({"coordinator", "admin"}),
    # confirming a publication after the description was edited (only offered, and allowed, in that case)
    ("published", "published"): frozenset({"coordinator", "admin"}),
}
NEEDS_CLEAN_DESCRIPTION = {"validated_professionals", "validated_direction", "published"}


@dataclass(frozen=True)
class Transition:
    offer_id: str
    before: str
    status: str
    status_label: str
    by: str
    at: str
    indexed: bool = False


def allowed_next(status: str, role: str, changed_since_publication: bool = False) -> list[str]:
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == status and role in roles
            and (frm != to or changed_since_publication)]


def transition(graph: Graph, principal: Principal, offer_id: str, to: str, *, revision: int | None = None,
               sync: IndexSync | None = None) -> Transition:
    """Move `offer_id` to status `to` on behalf of `principal`, or explain in French why not. The offer is
    re-indexed right after the commit: leaving `published` removes it from public searches at once,
    reaching it adds it. With `revision` (the description revision the reviewer saw), the move is refused
    if the description changed since: nobody validates or publishes text they have not read."""
    principal.require("workflow.transition")
    target = UserStore(graph).locate("offer", offer_id)
    principal.require("workflow.transition", target)
    if to not in STATUSES:
        raise BadRequest("Statut inconnu.", fields={"to": "attendu : " + ", ".join(STATUSES)})
    report = offer_reports(graph, [offer_id])[0]
    current = report.status
    if (current, to) not in TRANSITIONS:
        raise Conflict(f"Passage impossible de « {STATUSES.get(current, current)} » à « {STATUSES[to]} ».",
                       fields={"to": "possibles : " + (", ".join(t for (f, t) in TRANSITIONS if f == current)
                                                       or "aucun")})
    if principal.role not in TRANSITIONS[(current, to)]:
        raise Forbidden(f"Votre rôle ne permet pas le passage à « {STATUSES[to]} ».")
    if current == to and not report.changed_since_publication:
        raise Conflict("Rien à confirmer : la description n'a pas changé depuis sa publication.")
    if to in NEEDS_CLEAN_DESCRIPTION and report.blocking:
        raise Conflict("Description incomplète : corrigez les anomalies avant validation.",
                       fields={a.field + ":" + a.rule: f"{a.label} — {a.detail}" for a in report.blocking})

    def work(tx):
        row = tx.run(cypher.query("write/workflow_transition"), id=offer_id, to=to, actor=principal.username,
                     from_status=current, revision=revision).single()
        if row is None:
            raise Conflict("L'offre a changé entre-temps (statut ou description) : rechargez la page et "
                           "relisez-la avant de valider.")
        before, after = {"status": row["before"]}, {"status": row["status"]}
        if to == "published":  # which revision of the description is public, and which was before
            before["published_revision"], after["published_revision"] = \
                report.published_revision if current == "published" else None, row["published_revision"]
        append(tx, principal, "offer.status", target, before, after)
        tombstones.offer_status_changed(tx, offer_id, row["before"], row["status"], principal.username)
        return row

    row = graph.transaction(work)
    indexed = sync.offer_change([offer_id], [target.site_finess]) if sync else False
    return Transition(offer_id=offer_id, before=row["before"], status=row["status"],
                      status_label=STATUSES[row["status"]], by=principal.username, at=row["at"], indexed=indexed)
