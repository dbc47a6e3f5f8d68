"""Input templates as FHIR Questionnaire (issue 14, item 5): the items are the contributor forms' fields (so the
templates follow the forms), the documented requests R052–R054 answer with them, every resource is valid FHIR.
No engine: the templates come from the forms' declarations and the bundled nomenclature."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from capacity import validation as capacity
from core.settings import PROJECT_ROOT
from fhir_api import questionnaires, served
from fhir_api.budget import Deadline
from fhir_api.params import InvalidParam
from quality import description
from tests.fixtures.fhir.support import validate

DATA = PROJECT_ROOT / "data"
REQUESTS = {r["id"]: r for r in json.loads((Path(__file__).parents[1] / "fixtures" / "fhir"
                                             / "ror_documented_requests.json").read_text("utf-8"))["requests"]}
CATEGORY = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"


def items(template: dict) -> dict[str, dict]:
    return {i["linkId"].split(".", 1)[1]: i for i in template["item"][0]["item"]}


def search(query: str) -> dict:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    ctx = served.Ctx(graph=None, service=None, deadline=Deadline(30.0), base_url="http://test/fhir")
    return orjson.loads(orjson.dumps(served.search(questionnaires.QUESTIONNAIRE, ctx, pairs)))


def ids(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def test_description_template_is_the_description_form():
    template = questionnaires.templates(DATA)["description-offre"]
    validate(template)
    fields = items(template)
    assert set(fields) == set(description.TEXT_FIELDS) | set(description.CODE_FIELDS)
    for name, (label, limit) in description.TEXT_FIELDS.items():
        assert (fields[name]["text"], fields[name]["maxLength"]) == (label, limit)
        assert fields[name]["type"] in ("string", "text")
    assert fields["description"]["type"] == "text" and fields["name"]["required"] is True
    for name, (value_set, label) in description.CODE_FIELDS.items():
        assert fields[name]["text"] == label and fields[name]["type"] == "choice" and fields[name]["repeats"]
        assert f"/JDV_{value_set}-" in fields[name]["answerValueSet"]
    assert fields["activities"]["answerValueSet"] == ("https://mos.esante.gouv.fr/NOS/JDV_J17-ActiviteOperationnelle"
                                                      "-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR")
    assert all(i["definition"].startswith(questionnaires.SD + "ror-healthcareservice#HealthcareService.")
               for i in fields.values())


def test_capacity_template_is_the_capacity_form():
    template = questionnaires.templates(DATA)["capacite-lieu"]
    validate(template)
    fields = items(template)
    assert set(fields) == set(capacity.FIELD_LABELS)
    for name, label in capacity.COUNT_FIELDS.items():
        bounds = {e["url"].rsplit("/", 1)[-1]: e["valueInteger"] for e in fields[name]["extension"]}
        assert fields[name]["type"] == "integer" and fields[name]["text"] == label
        assert bounds == {"minValue": 0, "maxValue": capacity.MAX_BEDS}
    assert [o["valueCoding"]["display"] for o in fields["crisis_type"]["answerOption"]] == \
        list(capacity.CRISIS_TYPES.values())
    assert fields["note"]["maxLength"] == capacity.MAX_NOTE and fields["forecast_date"]["type"] == "date"


def test_every_category_of_geographic_entity_is_a_context():
    template = questionnaires.templates(DATA)["capacite-lieu"]
    codes = {c["valueCodeableConcept"]["coding"][0]["code"] for c in template["useContext"]}
    assert {"124", "101", "500"} <= codes and len(codes) > 100


def test_documented_requests():
    """R052 (every template), R053 (by identifier), R054 (by category: 124 Centre de santé), as documented."""
    everything = search(REQUESTS["R052"]["path"].partition("?")[2])
    assert ids(everything) == ["capacite-lieu", "description-offre"] and everything["total"] == 2
    validate(everything)
    one = search(REQUESTS["R053"]["path"].partition("?")[2].replace("XXX", "description-offre"))
    assert ids(one) == ["description-offre"]
    assert ids(search(f"identifier={questionnaires.SYSTEM_TEMPLATE}|capacite-lieu")) == ["capacite-lieu"]
    assert ids(search("identifier=inconnu")) == []
    by_category = search(REQUESTS["R054"]["path"].partition("?")[2])
    assert ids(by_category) == ["capacite-lieu", "description-offre"]
    assert ids(search(f"context={CATEGORY}|999")) == []
    assert ids(search("subject-type=Location")) == ["capacite-lieu"]
    assert ids(search("_filter=" + "title co \"offre\"")) == ["description-offre"]


def test_unknown_parameter_is_refused():
    with pytest.raises(InvalidParam, match="unknown-param"):
        search("unknown-param=1")
