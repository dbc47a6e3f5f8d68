"""The orjson-backed encoders give the same text as the standard ones they replace (only faster); the one
known difference is the spelling of float exponents (1e-07 / 1e-7), the same JSON number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import uuid

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from opensearchpy.serializer import JSONSerializer

from core.fastjson import FlaskJSONProvider, OpenSearchSerializer
from core.jsonable import dumps, jsonable


@dataclasses.dataclass
class Hit:
    at: dt.datetime
    score: decimal.Decimal
    tags: tuple[str, ...]


SAMPLES = [
    {"é": [1, 2.5, None, True, False], 3: "clé entière", "nested": {"b": 1, "a": [{"x": "ü"}]}},
    {"date": dt.date(2026, 11, 22), "instant": dt.datetime(2026, 11, 22, 9, 30, 5, 120000),
     "aware": dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC), "id": uuid.UUID(int=42)},
    {"hit": Hit(dt.datetime(2026, 1, 1), decimal.Decimal("1.50"), ("a", "b")), "huge": 2**70},
    ["texte \"cité\" \\ avec\nretour", -0.0, 0.1, 48.8566, 123456789012345678],
]


@pytest.mark.parametrize("obj", SAMPLES)
def test_flask_provider_matches_the_default_provider(obj):
    app = Flask(__name__)
    reference = DefaultJSONProvider(app)
    reference.sort_keys, reference.ensure_ascii = False, False
    fast = FlaskJSONProvider(app)
    assert fast.dumps(obj, separators=(",", ":")) == reference.dumps(obj, separators=(",", ":"))
    assert fast.dumps(obj, indent=2) == reference.dumps(obj, indent=2)  # pretty output: the standard encoder


def test_float_exponents_are_spelt_differently_but_read_back_equal():
    app = Flask(__name__)
    reference = DefaultJSONProvider(app)
    values = [1e-7, 2.5e300, 6371.0088]
    assert json.loads(FlaskJSONProvider(app).dumps(values, separators=(",", ":"))) == values
    assert json.loads(reference.dumps(values, separators=(",", ":"))) == values


def test_flask_provider_reads_json_and_reports_bad_json_like_the_standard_library():
    fast = FlaskJSONProvider(Flask(__name__))
    assert fast.loads('{"a": [1, "é", null]}') == {"a": [1, "é", None]}
    with pytest.raises(json.JSONDecodeError):
        fast.loads("{pas du json")


@pytest.mark.parametrize("obj", SAMPLES[:2] + SAMPLES[3:])
def test_opensearch_serializer_matches_the_client_serializer(obj):
    reference = JSONSerializer()
    assert json.loads(OpenSearchSerializer().dumps(obj)) == json.loads(reference.dumps(obj))
    assert OpenSearchSerializer().loads(reference.dumps(obj)) == reference.loads(reference.dumps(obj))
    assert OpenSearchSerializer().dumps('{"déjà": "sérialisé"}') == '{"déjà": "sérialisé"}'


class Level(enum.StrEnum):
    HIGH = "haute"


class Rank(enum.IntEnum):
    FIRST = 1


@dataclasses.dataclass(frozen=True)
class Place:
    level: Level
    seen: dt.datetime | None
    day: dt.date
    codes: tuple


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    place: Place
    others: tuple[Place, ...]
    rank: Rank
    by_key: dict
    share: float
    amount: decimal.Decimal


ANSWERS = [
    Answer(Place(Level.HIGH, dt.datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=dt.UTC), dt.date(2026, 1, 2),
                 (1, "é", None)), (Place(Level.HIGH, None, dt.date(2025, 1, 1), ()),), Rank.FIRST,
           {1: [Level.HIGH], "x": (2.5, -0.0)}, 48.8566, decimal.Decimal("1.50")),
    {"naive": dt.datetime(2026, 11, 22, 9, 30), "id": uuid.UUID(int=42), "hits": [SAMPLES[2]["hit"]]},
    {"huge": 2**70, "level": Level.HIGH, "place": Place(Level.HIGH, None, dt.date(2025, 1, 1), ())},
]


@pytest.mark.parametrize("obj", ANSWERS)
def test_jsonable_dumps_writes_what_jsonify_of_jsonable_wrote(obj):
    app = Flask(__name__)
    app.json = FlaskJSONProvider(app)
    with app.app_context():
        expected = app.json.response(jsonable(obj)).get_data()
    assert dumps(obj) + b"\n" == expected
