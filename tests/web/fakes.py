"""A stand-in orientation service for unit tests of the web layer only (parsing, errors, rendering).

Integration tests use the real service on the real engines; this one only records the queries it receives.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.errors import BadRequest
from search import models


def hit(i: int = 1, **changes) -> models.OfferHit:
    values = dict(
        offer_id=f"OFF-{i}", name=f"Consultation de cardiologie {i}", site_finess="010000024",
        site_name="Centre hospitalier de Belley", legal_entity_finess="010000016", legal_entity_name="CH Belley",
        category_code="355", category_label="Centre hospitalier", sph_code="1", sph_label="Public",
        public_hospital=True, address="52 rue Georges Girerd", postal_code="01300", city="Belley",
        commune_insee="01034", department_code="01", department_name="Ain", region_code="84",
        region_name="Auvergne-Rhône-Alpes", phone="04 79 42 59 59", email="cardio@ch-belley.example",
        opening="Lundi–vendredi 9 h–17 h", distance_km=3.456 * i, why=("Activité : Cardiologie (013)",),
        contact=models.Contact(function_code="01", function_label="Avis spécialisé", name=None,
                               phone="04 79 42 00 01", email=None),
        capacity=models.Capacity.read({"installed": 20, "available_men": 1, "available_women": 2,
                                       "available_undifferentiated": 0, "available_total": 3, "forecast_d": 2,
                                       "forecast_d1": 1, "updated_at": datetime(2026, 1, 1, tzinfo=UTC)},
                                      stale_hours=12, now=datetime(2026, 1, 2, 6, 0, tzinfo=UTC), latest=True),
        tension_level=2, lat=45.76 + i / 100, lon=5.68, synthetic=True,
    )
    values.update(changes)
    return models.OfferHit(**values)


class FakeOrientation:
    def __init__(self, total: int = 3):
        self.total = total
        self.queries: list = []

    def _result(self, kind, q) -> models.SearchResult:
        self.queries.append(q)
        if q.where is not None and q.where.text == "Nullepart":
            raise BadRequest("Lieu inconnu : Nullepart.", fields={"where": "Nullepart"})
        start = (q.page - 1) * q.size
        hits = tuple(hit(i + 1) for i in range(start, min(self.total, start + q.size)))
        origin = models.Origin(lat=45.76, lon=5.69, label="Belley (01)", kind="commune")
        return models.SearchResult(kind=kind, total=self.total, page=q.page, size=q.size, hits=hits, origin=origin,
                                   radius_km=q.radius_km or 30.0, radius_source="sas")

    def specialist_opinion(self, q):
        return self._result(models.QueryKind.SPECIALIST_OPINION, q)

    def act_team(self, q):
        return self._result(models.QueryKind.ACT_TEAM, q)

    def equipment(self, q):
        return self._result(models.QueryKind.EQUIPMENT, q)

    def beds(self, q):
        return self._result(models.QueryKind.BEDS, q)

    def text(self, q):
        return self._result(models.QueryKind.TEXT, q)

    def autocomplete(self, prefix, kinds, limit):
        self.queries.append((prefix, kinds, limit))
        return [models.Suggestion(kind="activity", code="013", label="Cardiologie générale")][:limit]

    def site(self, finess, include_unpublished=False):
        return None

    def nearest_sites(self, where, limit=10, radius_km=None, category=None, region=None):
        return []

    def offer(self, offer_id, include_unpublished=False):
        return None
