"""Emergency activity reports: received (API, hand entry, FHIR, synthetic feed), stored once per message id, folded
into the site's status (latest values and hourly series), and turned into tension signals by the threshold rules.

Reports are committed in groups (graph.group_commit): concurrent reports of different sites share a transaction,
each with its own checks, and several groups are in flight at once (a site's reports still one after the other).
A retransmitted message changes nothing; a late one (observed before the site's latest) is kept in the history and
its hour, without replacing the latest values or raising a signal."""

from __future__ import annotations

import uuid
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import cypher
from accounts.audit import entry as audit_entry
from accounts.models import Principal, Target, User
from core.errors import BadRequest, Conflict, NotFound, RorError
from core.freshness import moment
from crisis import checks
from emergency import series, thresholds
from emergency.indicators import EMERGENCY_ACTIVITIES, Report, check_report
from graph import group_commit
from graph.driver import Graph
from search.sync import IndexSync

SIGNAL_FRESH = timedelta(hours=1)  # only a report this recent (at arrival) raises or lowers a tension signal
CALM_BEFORE_CLOSE = timedelta(hours=1)  # below every threshold this long: the alert the rules opened is closed
SOURCES = ("api", "saisie", "fhir", "synthetic")
COMMIT_WORKERS = 4  # commit groups in flight at once (each waits mostly on the database's round trips)
FEED_CHANGES = "emergency"  # the topic the commit groups count as (graph/changes.py): the dashboard's, not the rest's


@dataclass(frozen=True)
class TensionSignal:
    action: str  # "open", "raise", "update", "close"
    alert_id: str
    level: int
    rule: str | None


@dataclass(frozen=True)
class Receipt:
    """What became of one report."""

    message_id: str
    finess: str
    status: str  # "accepted" or "duplicate"
    latest: bool  # now the site's latest values
    late: bool  # observed before the site's latest report: kept in the history and its hour only
    observed_at: datetime
    signal: TensionSignal | None = None


@dataclass
class _Pending(group_commit.Pending):
    principal: Principal | None = None
    report: Report | None = None
    source: str = "api"
    now: datetime | None = None


def signal_principal(rule_id: str) -> Principal:
    """Who the audit log names for a change made by a threshold rule."""
    return Principal(User(username="signal-urgences", role="system"), via=f"rule:{rule_id}")


def submit(graph: Graph, principal: Principal, payload, *, finess: str | None = None, source: str = "api",
           now: datetime | None = None) -> Receipt:
    """Check and record one report on behalf of `principal` (role and scope checked against the site)."""
    principal.require("emergency.report")
    now = now or datetime.now(UTC)
    try:
        report = check_report(payload, now=now, finess=finess)
    except checks.FieldErrors as exc:
        raise BadRequest("Message d'activité des urgences invalide : " + ", ".join(sorted(exc.fields)) + ".",
                         fields=exc.fields) from exc
    return submit_checked(graph, principal, [report], source=source, now=now)[0].result()


def submit_checked(graph: Graph, principal: Principal, reports: list[Report], *, source: str,
                   now: datetime) -> list[Future]:
    """Queue checked reports for their commit groups (a site's reports are committed in the order given); each
    future gives its Receipt or the error refusing it."""
    committer = _committer(graph)
    return [committer.submit(_Pending(key=r.finess, principal=principal, report=r, source=source, now=now))
            for r in reports]


def _committer(graph: Graph) -> group_commit.GroupCommitter:
    return group_commit.committer(graph, "emergency", lambda work: graph.transaction(work, changes_=FEED_CHANGES),
                                  _write_group, workers=COMMIT_WORKERS)


def _write_group(tx, group: list[_Pending]) -> list:
    """One transaction for reports of distinct sites: lock their statuses, check each report (site, scope,
    idempotency), fold the accepted ones into their statuses, apply the tension signals."""
    sites = {row["finess"]: row for row in tx.run(
        cypher.query("write/emergency_lock"), finesses=sorted({p.key for p in group}),
        activities=list(EMERGENCY_ACTIVITIES))}
    known = {row["message_id"]: row for row in tx.run(
        cypher.query("write/emergency_known_reports"), message_ids=[p.report.message_id for p in group])}
    outcomes: list = [None] * len(group)
    writes, signals = [], []
    for n, pending in enumerate(group):
        try:
            outcomes[n], write, signal = _one(pending, sites.get(pending.key), known.get(pending.report.message_id))
        except RorError as exc:
            outcomes[n] = exc
            continue
        if write is not None:
            writes.append(write)
        if signal is not None:
            signals.append((n, signal))
    if writes:
        tx.run(cypher.query("write/emergency_reports_write"), writes=writes).consume()
    for n, (site, fired, status) in signals:
        outcomes[n] = replace(outcomes[n], signal=_apply_signal(tx, site, fired, status))
    return outcomes


def _one(pending: _Pending, site: dict | None, known: dict | None):
    """(receipt, write or None, signal work or None) for one report, or a RorError refusing it."""
    report, principal = pending.report, pending.principal
    if site is None:
        raise NotFound(f"Établissement {report.finess} introuvable.")
    target = Target(kind="EmergencyReport", id=report.message_id, site_finess=report.finess,
                    department_code=site["department_code"], region_code=site["region_code"])
    principal.require("emergency.report", target)
    if not site["emergency"]:
        raise BadRequest(f"L'établissement {report.finess} n'a pas de structure des urgences au répertoire.",
                         fields={"finess": "aucune offre d'urgences (" + ", ".join(EMERGENCY_ACTIVITIES) + ")"})
    if known is not None:
        if known["finess"] != report.finess or known["fingerprint"] != report.fingerprint:
            raise Conflict(f"Le message {report.message_id} a déjà été reçu avec un autre contenu : un nouveau "
                           "message doit avoir un nouvel identifiant.", fields={"message_id": "déjà utilisé"})
        return Receipt(report.message_id, report.finess, "duplicate", False, False, report.observed_at), None, None
    status = _status(site["status"])
    before = status.get("observed_at")
    latest = before is None or report.observed_at >= before
    update = series.fold(status, report, now=pending.now)
    signal = None
    if latest:
        update.update(series.latest_fields(report, status, pending.source))
        fired = thresholds.evaluate(report.values)
        update.update(series.alert_fields(status, fired, report.observed_at))
        if pending.now - report.observed_at <= SIGNAL_FRESH:
            signal = (site, fired, {**status, **update})
    update.update(finess=report.finess, site_name=site["site_name"], department_code=site["department_code"],
                  region_code=site["region_code"])
    synthetic = pending.source == "synthetic"
    write = {"finess": report.finess, "latest": latest, "status": update, "report": {
        "message_id": report.message_id, "finess": report.finess, "observed_at": report.observed_at,
        "hour": report.hour, "fingerprint": report.fingerprint, "source": pending.source, "synthetic": synthetic,
        "late": not latest, "received_by": principal.username, "via": principal.via,
        **{k: v for k, v in report.values.items() if v is not None}}}
    receipt = Receipt(report.message_id, report.finess, "accepted", latest, not latest, report.observed_at)
    return receipt, write, signal


def _status(row: dict | None) -> dict:
    """The locked status with its moments as datetimes under their own names."""
    if not row:
        return {}
    status = {k: v for k, v in row.items() if not k.endswith("_ms")}
    for name in ("observed_at", "alert_since", "calm_since"):
        status[name] = moment(row, name)
    return status


def _apply_signal(tx, site: dict, fired: thresholds.Fired | None, status: dict) -> TensionSignal | None:
    """Open, raise or update the site's tension alert for the rule that fired; close the alert the rules opened
    once every indicator has stayed under its threshold for CALM_BEFORE_CLOSE. Each change is audited."""
    alerts = site["alerts"]
    ours = next((a for a in alerts if a.get("source") == "urgences"), None)
    target = Target(kind="TensionAlert", id="", site_finess=site["finess"], department_code=site["department_code"],
                    region_code=site["region_code"])
    if fired is None:
        calm_since, observed = status.get("calm_since"), status.get("observed_at")
        if ours is None or calm_since is None or observed - calm_since < CALM_BEFORE_CLOSE:
            return None
        actions = (f"Clôture automatique : indicateurs sous les seuils depuis {series.paris(calm_since):%d/%m %H:%M}.")
        row = tx.run(cypher.query("write/emergency_tension_signal"), id=ours["id"], level=ours["level"],
                     rule=ours.get("auto_rule"), cause=ours.get("cause"), close=True, actions=actions,
                     actor="signal-urgences").single()
        _audit(tx, ours.get("auto_rule") or "calm", "tension.close", replace(target, id=ours["id"]), row)
        return TensionSignal("close", ours["id"], ours["level"], None)
    rule = fired.rule
    if not alerts:
        alert_id = str(uuid.uuid4())
        row = tx.run(cypher.query("write/emergency_tension_open"), finess=site["finess"], id=alert_id,
                     level=rule.level, cause=fired.cause, rule=rule.id, actor="signal-urgences").single()
        tx.run(cypher.query("write/audit_append"), entry=audit_entry(
            signal_principal(rule.id), "tension.open", replace(target, id=alert_id), None, row["alert"])).consume()
        return TensionSignal("open", alert_id, rule.level, rule.id)
    alert = ours or alerts[0]
    if ours is not None:
        if ours["level"] == rule.level and ours.get("auto_rule") == rule.id:
            return None
        level, action = rule.level, "update"
    else:  # an alert a person opened: the rule only ever raises its level
        if alert["level"] >= rule.level:
            return None
        level, action = rule.level, "raise"
    row = tx.run(cypher.query("write/emergency_tension_signal"), id=alert["id"], level=level, rule=rule.id,
                 cause=fired.cause, close=False, actions=None, actor="signal-urgences").single()
    _audit(tx, rule.id, "tension.update", replace(target, id=alert["id"]), row)
    return TensionSignal(action, alert["id"], level, rule.id)


def _audit(tx, rule_id: str, action: str, target: Target, row) -> None:
    if row is None:
        return
    tx.run(cypher.query("write/audit_append"), entry=audit_entry(
        signal_principal(rule_id), action, target, row["before"], row["alert"])).consume()


def push_signal(graph: Graph, receipt: Receipt, sync: IndexSync | None) -> bool:
    """After a tension signal, push the site's offers to the search index (their tension level changed)."""
    if receipt.signal is None or sync is None:
        return False
    return sync.offers([r["id"] for r in graph.read_named("read/capacity_site_offer_ids", finess=receipt.finess)])
