"""OpenSearch hits → result dataclasses, with distances, contact to call, capacity freshness and why it matched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from geo.distance import haversine_km
from search.documents import parse_slot
from search.models import Capacity, Coded, Contact, EquipmentInfo, Facet, FacetBucket, OfferHit, Origin, Reachability
from search.opening import hours_on, is_open, parse_opening

# Who to call for an opinion when the query does not say: unit head, head of department, secretariat…
CONTACT_PREFERENCE = ("22", "10", "05", "04", "03", "08", "09")


@dataclass(frozen=True)
class Context:
    """What the query asked, to explain each hit."""

    now: datetime  # Europe/Paris
    stale_hours: float
    origin: Origin | None = None
    activities: tuple[Coded, ...] = ()
    acts: tuple[Coded, ...] = ()
    equipment: tuple[Coded, ...] = ()
    care_modes: tuple[Coded, ...] = ()
    age_group: Coded | None = None
    public: Coded | None = None
    contact_function: str | None = None
    text: str | None = None
    extra_why: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())  # how the free text was read (spelling corrected, synonym…)


def km(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def equipment_of(items: Iterable[dict], now: datetime, only: set[str] | None = None) -> tuple[EquipmentInfo, ...]:
    """Equipment with today's hours and whether it is open at `now` (Europe/Paris local time)."""
    out = []
    minute, weekday = now.hour * 60 + now.minute, now.isoweekday()
    for item in items:
        if only is not None and item.get("code") not in only:
            continue
        hours = tuple(item.get("hours") or ())
        today, open_now = [], False
        for text in hours:
            parsed = parse_slot(text)
            if parsed and parsed[0] == weekday:
                today.append(text.split(" ", 1)[1].strip())
                open_now = open_now or parsed[1] <= minute < parsed[2]
        out.append(EquipmentInfo(code=item["code"], label=item.get("label") or item["code"], count=item.get("count"),
                                 hours=hours, hours_today=tuple(today), open_now=open_now if hours else None))
    return tuple(out)


def contact_of(contacts: list[dict], wanted: str | None, phone: str | None, email: str | None) -> Contact | None:
    """The contact to call: the requested function, else the preferred ones, else the offer's own line."""
    order = ((wanted,) if wanted else ()) + CONTACT_PREFERENCE
    reachable = [c for c in contacts if c.get("phone") or c.get("email")]
    for function in order:
        for c in reachable:
            if c.get("function_code") == function:
                return Contact(function_code=function, function_label=c.get("function_label"),
                               name=c.get("name") or None, phone=c.get("phone") or phone,
                               email=c.get("email") or email)
    if reachable:
        c = reachable[0]
        return Contact(function_code=c.get("function_code"), function_label=c.get("function_label"),
                       name=c.get("name") or None, phone=c.get("phone") or phone, email=c.get("email") or email)
    if phone or email:
        return Contact(function_code=None, function_label="Accueil de l'unité", name=None, phone=phone, email=email)
    return None


def reachability_of(contact: Contact | None, src: dict, now: datetime) -> Reachability:
    """Who to call now and how: the contact's line while the unit is open (or when its hours are unknown), the
    unit's own line otherwise; the generic mailbox of the unit before a personal one."""
    slots = parse_opening(src.get("opening"))
    open_now = is_open(slots, now)
    always = slots is not None and len(slots) == 7 and all(s == 0 and e == 1440 for _, s, e in slots)
    phone: str | None
    label: str | None
    if contact and contact.phone and open_now is not False:
        phone, label = contact.phone, contact.function_label or "Contact de l'unité"
    else:
        phone = src.get("phone") or (contact.phone if contact else None)
        label = "Accueil de l'unité" if open_now is not False else "Standard (unité fermée à cette heure)"
    mailbox = src.get("email") or (contact.email if contact else None)
    return Reachability(phone=phone, phone_label=label if phone else None, mailbox=mailbox, open_now=open_now,
                        always_open=always, hours_today=hours_on(slots, now), opening=src.get("opening"))


def _coded(items: Iterable[dict]) -> tuple[Coded, ...]:
    return tuple(Coded(code=i["code"], label=i.get("label") or i["code"]) for i in items if i.get("code"))


def _matching(wanted: tuple[Coded, ...], codes: Iterable[str]) -> list[Coded]:
    have = set(codes)
    return [c for c in wanted if c.code in have]


def why(src: dict, ctx: Context, distance: float | None, equipment: tuple[EquipmentInfo, ...],
        capacity: Capacity | None) -> tuple[str, ...]:
    reasons = []
    for c in _matching(ctx.activities, src.get("activity_codes", ())):
        reasons.append(f"Activité : {c.label} ({c.code})")
    for c in _matching(ctx.acts, src.get("act_codes", ())):
        reasons.append(f"Acte : {c.label} ({c.code})")
    for c in _matching(ctx.care_modes, src.get("care_mode_codes", ())):
        reasons.append(f"Mode de prise en charge : {c.label}")
    for e in equipment:
        state = {True: "ouvert maintenant", False: "fermé à cette heure", None: "horaires non renseignés"}[e.open_now]
        count = f" ×{e.count}" if e.count else ""
        reasons.append(f"Équipement : {e.label}{count} ({state})")
    if ctx.age_group and ctx.age_group.code in src.get("age_group_codes", ()):
        reasons.append(f"Classe d'âge acceptée : {ctx.age_group.label}")
    if ctx.public and ctx.public.code in src.get("public_codes", ()):
        reasons.append(f"Public : {ctx.public.label}")
    if capacity is not None and ctx.extra_why:
        reasons.append(f"Lits disponibles : {capacity.available_total or 0} (hommes {capacity.available_men or 0}, "
                       f"femmes {capacity.available_women or 0}, indifférenciés "
                       f"{capacity.available_undifferentiated or 0})")
        if capacity.crisis:
            reasons.append(f"Lits ouverts en crise : {capacity.crisis}")
        if capacity.stale:
            age = capacity.age_text if capacity.age_minutes is not None else "à une date inconnue"
            reasons.append(f"Capacité à confirmer : dernière saisie {age}")
    if ctx.text:
        reasons.append(f"Correspond à la recherche « {ctx.text} »")
        reasons.extend(f"Recherche lue avec {note}" for note in ctx.notes)
    if distance is not None and ctx.origin is not None:
        reasons.append(f"À {km(distance)} km de {ctx.origin.label}")
        if ctx.origin.region_code and src.get("region_code") and src["region_code"] != ctx.origin.region_code:
            reasons.append(f"Hors région : {src.get('region_name') or src['region_code']}")
    return tuple(reasons)


def offer_hit(hit: dict, ctx: Context, *, distance_from_sort: bool) -> OfferHit:
    src = hit["_source"]
    display = src.get("display") or {}
    loc = src.get("location") or {}
    distance = None
    if distance_from_sort and hit.get("sort"):
        distance = round(float(hit["sort"][0]), 3)
    elif ctx.origin is not None and loc:
        distance = round(haversine_km(ctx.origin.lat, ctx.origin.lon, loc["lat"], loc["lon"]), 3)
    only = {c.code for c in ctx.equipment} if ctx.equipment else None
    equipment = equipment_of(display.get("equipment") or [], ctx.now, only)
    raw_capacity = src.get("capacity")
    capacity = Capacity.read(raw_capacity, stale_hours=ctx.stale_hours, now=ctx.now, latest=True,
                             crisis_type=display.get("capacity_crisis") or "") if raw_capacity else None
    contact = contact_of(display.get("contacts") or [], ctx.contact_function, src.get("phone"), src.get("email"))
    return OfferHit(
        offer_id=src["id"], name=src.get("name") or "", site_finess=src.get("site_finess"),
        site_name=src.get("site_name"), legal_entity_finess=src.get("legal_entity_finess"),
        legal_entity_name=src.get("legal_entity_name"), category_code=src.get("category_code"),
        category_label=src.get("category_label"), sph_code=src.get("sph_code"), sph_label=src.get("sph_label"),
        public_hospital=bool(src.get("public_hospital")), address=src.get("address"),
        postal_code=src.get("postal_code"), city=src.get("city"), commune_insee=src.get("commune_insee"),
        department_code=src.get("department_code"), department_name=src.get("department_name"),
        region_code=src.get("region_code"), region_name=src.get("region_name"), phone=src.get("phone"),
        email=src.get("email"), opening=src.get("opening"),
        contact=contact, reachability=reachability_of(contact, src, ctx.now),
        distance_km=distance, why=why(src, ctx, distance, equipment if only else (), capacity),
        activities=_coded(display.get("activities") or []), care_modes=_coded(display.get("care_modes") or []),
        acts=_coded(display.get("acts") or []), age_groups=_coded(display.get("age_groups") or []),
        capacity=capacity, tension_level=src.get("tension_level"), equipment=equipment,
        lat=loc.get("lat"), lon=loc.get("lon"), synthetic=bool(src.get("synthetic")), score=hit.get("_score"),
    )


def facets_of(aggs: dict | None) -> tuple[Facet, ...]:
    out = []
    for name, agg in (aggs or {}).items():
        buckets = []
        for b in agg.get("buckets", []):
            code, _, label = str(b["key"]).partition("|")
            buckets.append(FacetBucket(key=code, label=label or code, count=b["doc_count"]))
        out.append(Facet(name=name, buckets=tuple(buckets)))
    return tuple(out)
