"""Parameters declared once: parsing, French reasons naming the field, OpenAPI emission."""

import pytest
from werkzeug.datastructures import MultiDict

from core.errors import BadRequest
from web.params import Param, parse

RADIUS = Param("radius_km", "number", "Rayon", minimum=1, maximum=500)
SIZE = Param("size", "integer", "Taille", default=20, minimum=1, maximum=100)
OPEN = Param("open_now", "boolean", "Ouvert", default=False)
KINDS = Param("kinds", "array", "Types", enum=("activity", "act"))
NAME = Param("activity", "string", "Activité", required=True, max_length=10)


def test_typed_values_and_defaults():
    values = parse([RADIUS, SIZE, OPEN, KINDS], MultiDict([("radius_km", "12,5"), ("open_now", "on"),
                                                           ("kinds", "activity,act")]))
    assert values == {"radius_km": 12.5, "size": 20, "open_now": True, "kinds": ("activity", "act")}


def test_every_faulty_field_is_named_with_a_french_reason():
    with pytest.raises(BadRequest) as err:
        parse([RADIUS, SIZE, NAME, KINDS], MultiDict([("radius_km", "0"), ("size", "x"), ("kinds", "other")]))
    assert err.value.fields == {
        "radius_km": "doit être supérieur ou égal à 1",
        "size": "doit être un nombre entier",
        "activity": "paramètre obligatoire",
        "kinds": "valeur inconnue, attendu : activity, act",
    }
    assert err.value.status == 400


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", "abc"])
def test_non_finite_numbers_are_refused(raw):
    with pytest.raises(BadRequest) as err:
        parse([RADIUS], {"radius_km": raw})
    assert "radius_km" in err.value.fields


def test_repeated_scalar_and_control_characters_are_refused():
    with pytest.raises(BadRequest) as err:
        parse([SIZE], MultiDict([("size", "1"), ("size", "2")]))
    assert err.value.fields == {"size": "ne doit apparaître qu'une fois"}
    with pytest.raises(BadRequest):
        parse([NAME], {"activity": "a\x00b"})
    with pytest.raises(BadRequest):
        parse([NAME], {"activity": "x" * 11})


def test_openapi_parameter_mirrors_the_parsing_rules():
    doc = RADIUS.openapi()
    assert doc == {"name": "radius_km", "in": "query", "description": "Rayon", "required": False,
                   "schema": {"type": "number", "minimum": 1, "maximum": 500}}
    assert KINDS.openapi()["schema"]["items"]["enum"] == ["activity", "act"]
    assert NAME.openapi()["required"] is True
    code = Param("code", "string", "Code", pattern=r"[0-9]{2}", max_length=2, location="path").openapi()
    assert code == {"name": "code", "in": "path", "description": "Code", "required": True,
                    "schema": {"type": "string", "maxLength": 2, "pattern": "^(?:[0-9]{2})$"}}
