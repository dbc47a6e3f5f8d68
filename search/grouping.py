"""Result hits → one group per site: its matching units, in the order the search ranked them, and the one number to
call with where it comes from (the unit's contact on duty, the unit's line, the site's switchboard)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from search.models import OfferHit, Reachability


@dataclass(frozen=True, kw_only=True)
class PhoneToCall:
    """The number a person should dial, who answers it and where the directory got it."""

    number: str | None  # None: the directory has no number for this site at all
    who: str  # "Responsable d'unité", "Standard de l'établissement"…
    source: str  # French, shown next to the number: "contact de l'unité", "FINESS"…
    unit_name: str | None = None  # the unit whose contact answers (None: the whole site)
    mailbox: str | None = None


@dataclass(frozen=True, kw_only=True)
class Switchboard:
    """A site's own line from FINESS, or the line of another site of the same legal entity."""

    phone: str | None
    email: str | None = None
    via_site: str | None = None  # name of the other site of the legal entity whose line this is


@dataclass(frozen=True, kw_only=True)
class SiteGroup:
    key: str  # FINESS of the site (or the offer id of a unit without a site)
    finess: str | None
    name: str
    units: tuple[OfferHit, ...]
    phone: PhoneToCall
    distance_km: float | None
    lat: float | None
    lon: float | None

    @property
    def first(self) -> OfferHit:
        return self.units[0]

    def unit_phone(self, unit: OfferHit) -> PhoneToCall | None:
        """The unit's own number when it differs from the card's one (else None: one phone per card)."""
        own = unit_phone(unit)
        if own is None or own.number == self.phone.number:
            return None
        return own


def reachability(unit: OfferHit) -> Reachability | None:
    """The orientation service's reachability of a unit (phone on duty, mailbox, open now) when it gives one."""
    return getattr(unit, "reachability", None)


def unit_phone(unit: OfferHit) -> PhoneToCall | None:
    """The number of a unit: the contact on duty, else its contact, else its own line; None without any."""
    reach = reachability(unit)
    if reach is not None and getattr(reach, "phone", None):
        return PhoneToCall(number=reach.phone, who=reach.phone_label or "Contact de l'unité",
                           source="répertoire, unité", unit_name=unit.name, mailbox=reach.mailbox)
    contact = unit.contact
    mailbox = (contact.email if contact else None) or unit.email
    if contact is not None and contact.phone and contact.function_code:
        return PhoneToCall(number=contact.phone, who=contact.function_label or "Contact de l'unité",
                           source="répertoire, contact de l'unité", unit_name=unit.name, mailbox=mailbox)
    number = (contact.phone if contact else None) or unit.phone
    if number:
        return PhoneToCall(number=number, who="Accueil de l'unité", source="répertoire, unité", unit_name=unit.name,
                           mailbox=mailbox)
    return None


def site_phone(units: Iterable[OfferHit], switchboard: Switchboard | None) -> PhoneToCall:
    """The card's number: the best-ranked unit that has one, else the switchboard, else an explicit absence."""
    units = list(units)
    mailbox = next((m for m in (_mailbox(u) for u in units) if m), None)
    for unit in units:
        found = unit_phone(unit)
        if found is not None:
            if switchboard is not None and switchboard.phone and _digits(found.number) == _digits(
                    switchboard.phone) and found.who == "Accueil de l'unité":
                return PhoneToCall(number=found.number, who="Standard de l'établissement", source="FINESS",
                                   mailbox=found.mailbox or mailbox)
            return PhoneToCall(number=found.number, who=found.who, source=found.source, unit_name=found.unit_name,
                               mailbox=found.mailbox or mailbox)
    if switchboard is not None and switchboard.phone:
        if switchboard.via_site:
            return PhoneToCall(number=switchboard.phone, who="Standard de l'entité juridique",
                               source=f"FINESS, site « {switchboard.via_site} »",
                               mailbox=mailbox or switchboard.email)
        return PhoneToCall(number=switchboard.phone, who="Standard de l'établissement", source="FINESS",
                           mailbox=mailbox or switchboard.email)
    return PhoneToCall(number=None, who="Aucun numéro", source="ni l'unité, ni l'établissement, ni FINESS n'en donnent",
                       mailbox=mailbox or (switchboard.email if switchboard else None))


def _mailbox(unit: OfferHit) -> str | None:
    reach = reachability(unit)
    if reach is not None and getattr(reach, "mailbox", None):
        return reach.mailbox
    return (unit.contact.email if unit.contact else None) or unit.email


def _digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def by_site(hits: Iterable[OfferHit], switchboards: Mapping[str, Switchboard] | None = None) -> list[SiteGroup]:
    """Groups in the order of each site's best-ranked unit; units keep the search's order inside a group."""
    order: list[str] = []
    units: dict[str, list[OfferHit]] = {}
    for hit in hits:
        key = hit.site_finess or f"offre:{hit.offer_id}"
        if key not in units:
            order.append(key)
            units[key] = []
        units[key].append(hit)
    groups = []
    for key in order:
        members = tuple(units[key])
        first = members[0]
        distances = [u.distance_km for u in members if u.distance_km is not None]
        located = next((u for u in members if u.lat is not None and u.lon is not None), first)
        groups.append(SiteGroup(
            key=key, finess=first.site_finess, name=first.site_name or first.name, units=members,
            phone=site_phone(members, (switchboards or {}).get(first.site_finess or "")),
            distance_km=min(distances) if distances else None, lat=located.lat, lon=located.lon))
    return groups

