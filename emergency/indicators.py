"""The RPU-style activity indicators of an emergency site and the checks of one report (pure: unit-tested).

A report describes the site at `observed_at`; it is identified by its sender's `message_id` (a retransmission of
the same message changes nothing). Counts are whole numbers; the share of patients aged 75 and over is a
percentage."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.identifiers import FINESS
from crisis import checks

# Activities (NOS J17) of the sites that report: structures des urgences (general, paediatric, psychiatric,
# vital) and SMUR.
EMERGENCY_ACTIVITIES = {"157": "Urgences polyvalentes", "249": "Urgences pédiatriques",
                        "158": "Urgences psychiatriques", "160": "Urgences vitales (SAUV)", "136": "SMUR"}
# Sites the synthetic feed animates: the structures des urgences proper.
FEED_ACTIVITIES = ("157", "249")

COUNTS = {  # indicator → (French label, required in a report)
    "arrivals_last_hour": ("Arrivées dans la dernière heure", True),
    "arrivals_today": ("Arrivées depuis minuit", True),
    "present": ("Patients présents", True),
    "waiting_to_be_seen": ("En attente de prise en charge médicale", True),
    "over_4h": ("Présents depuis plus de 4 h", True),
    "boarding": ("En attente d'un lit d'hospitalisation", True),
    "uhcd_occupied": ("Lits UHCD occupés", False),
    "uhcd_beds": ("Lits UHCD installés", False),
    "transfers_out": ("Transferts vers un autre établissement depuis minuit", False),
}
SHARES = {"age75_share": "Part des 75 ans et plus parmi les présents (%)"}
LABELS = {**{k: v[0] for k, v in COUNTS.items()}, **SHARES}
# Derived indicators (thresholds may use them too).
DERIVED = {"uhcd_occupancy": "Occupation de l'UHCD (%)"}
SERIES = ("present", "waiting_to_be_seen", "over_4h", "boarding", "arrivals_last_hour")  # charted per hour
MAX_COUNT = 5000
MESSAGE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,100}")
OLDEST = timedelta(days=30)  # a report may arrive this late (software catching up after an outage)


@dataclass(frozen=True)
class Report:
    message_id: str
    finess: str
    observed_at: datetime  # UTC
    values: dict  # indicator → value (None when not reported)
    fingerprint: str  # what the report says, to tell a retransmission from a different report under the same id

    @property
    def hour(self) -> int:
        """Hours since the epoch (UTC) of the observation: the hourly bucket it belongs to."""
        return int(self.observed_at.timestamp() // 3600)


def occupancy(values: dict) -> float | None:
    beds, used = values.get("uhcd_beds"), values.get("uhcd_occupied")
    if not beds or used is None:
        return None
    return round(100.0 * used / beds, 1)


def check_report(payload, *, now: datetime, finess: str | None = None) -> Report:
    """A checked report, or checks.FieldErrors naming each faulty field. `finess` comes from the URL when the
    route names the site; otherwise the body's `finess`."""
    payload = checks.require_object(payload)
    errors: dict[str, str] = {}
    checks.unknown(payload, {"message_id", "finess", "observed_at", *LABELS}, errors)
    message_id = payload.get("message_id")
    if not isinstance(message_id, str) or not MESSAGE_ID.fullmatch(message_id):
        errors["message_id"] = ("Identifiant du message : à renseigner, 1 à 100 caractères parmi lettres, chiffres "
                                "et . _ : @ - (le même identifiant renvoyé n'est enregistré qu'une fois).")
    site = finess or payload.get("finess")
    if finess and payload.get("finess") not in (None, "", finess):
        errors["finess"] = f"FINESS : le corps ({payload.get('finess')}) ne correspond pas à l'adresse ({finess})."
    elif not isinstance(site, str) or not FINESS.fullmatch(site):
        errors["finess"] = "FINESS : numéro FINESS géographique de 9 caractères attendu."
    observed = checks.moment(payload, "observed_at", "Heure d'observation", errors, now=now, past=OLDEST,
                             required=True)
    values: dict = {name: checks.count(payload, name, label, errors, maximum=MAX_COUNT, required=required)
                    for name, (label, required) in COUNTS.items()}
    for name, label in SHARES.items():
        values[name] = checks.share(payload, name, label, errors)
    present = values.get("present")
    for name in ("waiting_to_be_seen", "over_4h", "boarding"):
        if present is not None and values.get(name) is not None and values[name] > present and name not in errors:
            errors[name] = f"{LABELS[name]} : ne peut pas dépasser les patients présents ({present})."
    if values.get("uhcd_occupied") is not None and values.get("uhcd_beds") is not None \
            and values["uhcd_occupied"] > values["uhcd_beds"] and "uhcd_occupied" not in errors:
        errors["uhcd_occupied"] = (f"{LABELS['uhcd_occupied']} : ne peut pas dépasser les lits UHCD installés "
                                   f"({values['uhcd_beds']}).")
    if errors:
        raise checks.FieldErrors(errors)
    said = json.dumps({"finess": site, "observed_at": observed.isoformat(), **values}, sort_keys=True)
    return Report(message_id=message_id, finess=site, observed_at=observed, values=values,
                  fingerprint=hashlib.sha256(said.encode()).hexdigest()[:32])
