"""Index settings and mappings: French analysis, synonyms kept as data, geo_point, one index per région."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
KINDS = ("offers", "sites", "professionals")
# No replica on a single node (it could never be allocated: the index would stay yellow); one replica as soon as the
# cluster has a second node, so every shard survives the loss of any one node. OpenSearch adjusts it by itself when
# nodes join or leave: the same index settings serve a laptop and a cluster.
AUTO_REPLICAS = "0-1"


@cache
def synonyms() -> tuple[str, ...]:
    """Synonym rules from `search/synonyms.txt` (comments and blank lines skipped)."""
    lines = SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def analysis() -> dict:
    return {
        "filter": {
            "fr_elision": {"type": "elision", "articles_case": True,
                           "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu",
                                        "puisqu"]},
            "fr_stemmer": {"type": "stemmer", "language": "light_french"},
            "fr_synonyms": {"type": "synonym_graph", "synonyms": list(synonyms()), "lenient": True},
            "autocomplete": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20},
        },
        "analyzer": {
            "fr": {"tokenizer": "standard", "filter": ["fr_elision", "lowercase", "asciifolding", "fr_stemmer"]},
            "fr_search": {"tokenizer": "standard",
                          "filter": ["fr_elision", "lowercase", "asciifolding", "fr_synonyms", "fr_stemmer"]},
            "fr_prefix": {"tokenizer": "standard", "filter": ["fr_elision", "lowercase", "asciifolding",
                                                               "autocomplete"]},
            "fr_prefix_search": {"tokenizer": "standard", "filter": ["fr_elision", "lowercase", "asciifolding"]},
        },
        }


def _text(copy_to: bool = True, prefix: bool = False) -> dict:
    field: dict = {"type": "text", "analyzer": "fr", "search_analyzer": "fr_search"}
    if copy_to:
        field["copy_to"] = ["all_text"]
    if prefix:  # edge n-grams cost indexing time: only where autocomplete reads them (site names)
        field["fields"] = {"prefix": {"type": "text", "analyzer": "fr_prefix", "search_analyzer": "fr_prefix_search"}}
    return field


KW = {"type": "keyword"}
INT = {"type": "integer"}
DATE = {"type": "date"}
OPAQUE = {"type": "object", "enabled": False}

_TERRITORY = {
    "commune_insee": KW, "commune_name": _text(), "postal_code": KW, "city": _text(),
    "department_code": KW, "department_name": KW, "department_key": KW,
    "region_code": KW, "region_name": KW, "region_key": KW,
    "location": {"type": "geo_point"},
}

OFFER_PROPERTIES = {
    "id": KW, "name": _text(), "status": KW, "synthetic": {"type": "boolean"}, "updated_at": DATE,
    "phone": KW, "email": KW, "opening": {"type": "text", "analyzer": "fr", "index": False},
    "site_finess": KW, "site_name": _text(), "legal_entity_finess": KW, "legal_entity_name": _text(),
    "category_code": KW, "category_label": KW, "category_key": KW, "sph_code": KW, "sph_label": KW,
    "public_hospital": {"type": "boolean"}, "address": _text(copy_to=False),
    **_TERRITORY,
    "activity_codes": KW, "activity_labels": _text(), "activity_keys": KW,
    "care_mode_codes": KW, "care_mode_labels": _text(), "care_mode_keys": KW,
    "act_codes": KW, "act_labels": _text(),
    "age_group_codes": KW, "public_codes": KW, "field_codes": KW, "field_keys": KW,
    "equipment_codes": KW, "equipment_labels": _text(),
    "equipment_slots": {"type": "nested", "properties": {"code": KW, "minutes": {"type": "integer_range"}}},
    "capacity": {"properties": {
        "installed": INT, "available_men": INT, "available_women": INT, "available_undifferentiated": INT,
        "available_total": INT, "available_for_men": INT, "available_for_women": INT,
        "forecast_d": INT, "forecast_d1": INT, "updated_at": DATE,
    }},
    "tension_level": INT,
    "all_text": {"type": "text", "analyzer": "fr", "search_analyzer": "fr_search"},
    "display": OPAQUE,  # codes+labels, contacts, equipment details: returned, not searched
}

SITE_PROPERTIES = {
    "finess": KW, "name": _text(prefix=True), "category_code": KW, "category_label": KW, "category_key": KW,
    "sph_code": KW, "sph_label": KW, "public_hospital": {"type": "boolean"}, "phone": KW, "email": KW,
    "address": _text(copy_to=False), "legal_entity_finess": KW, "legal_entity_name": _text(),
    "synthetic": {"type": "boolean"}, "updated_at": DATE, "offer_count": INT,
    "activity_codes": KW, "activity_labels": _text(),
    **_TERRITORY,
    "all_text": {"type": "text", "analyzer": "fr", "search_analyzer": "fr_search"},
}

PROFESSIONAL_PROPERTIES = {
    "id": KW, "rpps": KW, "first_name": _text(), "last_name": _text(), "profession_code": KW,
    "specialty_code": KW, "profession": _text(), "specialty": _text(), "function_code": KW, "function_label": KW,
    "phone": KW, "email": KW, "offer_id": KW, "offer_name": _text(), "site_finess": KW, "site_name": _text(),
    "department_code": KW, "region_code": KW, "synthetic": {"type": "boolean"}, "location": {"type": "geo_point"},
    "all_text": {"type": "text", "analyzer": "fr", "search_analyzer": "fr_search"},
}

PROPERTIES = {"offers": OFFER_PROPERTIES, "sites": SITE_PROPERTIES, "professionals": PROFESSIONAL_PROPERTIES}


def index_body(kind: str, *, building: bool = True) -> dict:
    """Settings and mappings of one physical index: one shard, a replica on a cluster. While building: no refresh
    and no replica (written once; the replicas are copied from the finished primaries when the build turns the
    serving settings on, instead of indexing every document twice)."""
    replicas = {"auto_expand_replicas": False} if building else {"auto_expand_replicas": AUTO_REPLICAS}
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, **replicas,
                     "refresh_interval": "-1" if building else "1s", "analysis": analysis()},
        "mappings": {"dynamic": "strict", "properties": PROPERTIES[kind]},
    }


def meta_body() -> dict:
    return {"settings": {"number_of_shards": 1, "number_of_replicas": 0, "auto_expand_replicas": AUTO_REPLICAS},
            "mappings": {"properties": {"watermark": DATE, "version": INT, "updated_at": DATE}}}
