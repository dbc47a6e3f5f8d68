"""Checks of a Questionnaire written through the FHIR API (fhir_api.questionnaire_check): the documented body
passes; each mistake is a 400 naming the faulty element by its path. No engine."""

from __future__ import annotations

import pytest

from core.errors import BadRequest
from fhir_api import questionnaire_check as qc
from tests.fixtures.fhir.questionnaire_ms141 import ms141
from tests.fixtures.fhir.support import validate


def refused(body, **kw) -> dict[str, str]:
    with pytest.raises(BadRequest) as caught:
        qc.check(body, **kw)
    assert caught.value.message.startswith("Questionnaire invalide") or "Corps attendu" in caught.value.message
    return caught.value.fields


def test_the_documented_body_passes_and_keeps_its_elements():
    body = ms141()
    body["meta"]["versionId"], body["meta"]["lastUpdated"] = "7", "2020-01-01T00:00:00Z"
    resource = qc.check(body)
    validate(resource)
    assert resource["meta"] == {"profile": ms141()["meta"]["profile"]}  # server-managed meta dropped
    assert {k: v for k, v in resource.items() if k != "meta"} == {k: v for k, v in ms141().items() if k != "meta"}
    assert body["meta"]["versionId"] == "7"  # the caller's body is left alone


def test_resource_type_status_and_body_shape():
    assert "Questionnaire" in refused([ms141()])
    body = ms141()
    body["resourceType"] = "Task"
    assert set(refused(body)) == {"Questionnaire.resourceType"}
    for status in ("published", None, 1):
        body = ms141()
        body["status"] = status
        assert "draft | active | retired | unknown" in refused(body)["Questionnaire.status"]
    body = ms141()
    del body["status"]
    assert "obligatoire" in refused(body)["Questionnaire.status"]


def test_duplicate_and_empty_link_ids_are_named_by_their_path():
    body = ms141()
    body["item"][0]["item"][0]["item"][1]["item"][1]["linkId"] = "Hs1.name"
    fields = refused(body)
    assert list(fields) == ["Questionnaire.item[0].item[0].item[1].item[1].linkId"]
    assert "Hs1.name" in fields["Questionnaire.item[0].item[0].item[1].item[1].linkId"]
    body = ms141()
    body["item"][0]["item"][0]["item"][0]["linkId"] = "  "
    assert "Questionnaire.item[0].item[0].item[0].linkId" in refused(body)
    body = ms141()
    del body["item"][0]["linkId"]
    assert "Questionnaire.item[0].linkId" in refused(body)


def test_item_types_come_from_the_r4_value_set():
    body = ms141()
    body["item"][0]["item"][0]["item"][0]["type"] = "textarea"
    assert "textarea" in refused(body)["Questionnaire.item[0].item[0].item[0].type"]
    body["item"][0]["item"][0]["item"][0]["type"] = "question"  # abstract in R4
    assert "Questionnaire.item[0].item[0].item[0].type" in refused(body)
    for kind in qc.ITEM_TYPES:
        body = ms141()
        leaf = body["item"][0]["item"][0]["item"][0]
        leaf["type"] = kind
        if kind == "group":
            leaf["item"] = [{"linkId": "x", "type": "string"}]
        qc.check(body)


def test_answer_options_only_on_choice_items():
    body = ms141()
    choice = body["item"][0]["item"][0]["item"][1]["item"][0]
    choice["type"] = "open-choice"
    qc.check(body)
    choice["type"] = "string"
    assert "choice" in refused(body)["Questionnaire.item[0].item[0].item[1].item[0].answerOption"]
    body = ms141()
    body["item"][0]["item"][0]["item"][0]["answerValueSet"] = "https://example.org/vs"
    assert "Questionnaire.item[0].item[0].item[0].answerValueSet" in refused(body)


def test_groups_hold_items_and_displays_none():
    body = ms141()
    body["item"][0]["item"][0]["item"][1]["item"] = []
    assert "Questionnaire.item[0].item[0].item[1].item" in refused(body)
    body = ms141()
    body["item"][0]["type"] = "display"
    assert "Questionnaire.item[0].item" in refused(body)


def test_strings_dates_and_lists():
    for key, value in (("url", 3), ("name", ["MS-141"]), ("title", ""), ("version", 1)):
        body = ms141()
        body[key] = value
        assert f"Questionnaire.{key}" in refused(body)
    body = ms141()
    body["date"] = "13/02/2026"
    assert "Questionnaire.date" in refused(body)
    body["date"] = "2026-02-13T10:00:00+01:00"
    qc.check(body)
    body = ms141()
    body["useContext"] = {"code": "EG"}
    assert "Questionnaire.useContext" in refused(body)
    body = ms141()
    del body["useContext"][0]["code"]
    assert "Questionnaire.useContext[0].code" in refused(body)
    body = ms141()
    body["identifier"] = [{"system": "urn:x"}]
    assert "Questionnaire.identifier[0].value" in refused(body)
    body = ms141()
    body["item"][0]["item"][0]["item"][0]["required"] = "yes"
    assert "Questionnaire.item[0].item[0].item[0].required" in refused(body)


def test_unknown_elements_are_refused_by_name():
    body = ms141()
    body["titre"] = "Gynécologie"
    assert "inconnu" in refused(body)["Questionnaire.titre"]
    body = ms141()
    body["item"][0]["label"] = "x"
    assert "Questionnaire.item[0].label" in refused(body)
    body = ms141()
    body["_title"] = {"extension": []}  # a primitive's extensions are FHIR JSON
    qc.check(body)


def test_ids_on_create_and_update():
    body = ms141()
    body["id"] = "not an id!"
    assert "Questionnaire.id" in refused(body)
    body = ms141()
    del body["id"]
    qc.check(body)  # a create needs no id
    assert "Questionnaire.id" in refused(body, url_id="abc")  # an update does
    body["id"] = "other"
    assert "abc" in refused(body, url_id="abc")["Questionnaire.id"]
    body["id"] = "abc"
    assert qc.check(body, url_id="abc")["id"] == "abc"


def test_every_error_is_listed_and_the_message_names_the_first():
    body = ms141()
    body["status"] = "x"
    body["item"][0]["type"] = "y"
    with pytest.raises(BadRequest) as caught:
        qc.check(body)
    assert set(caught.value.fields) == {"Questionnaire.status", "Questionnaire.item[0].type"}
    assert "Questionnaire.status" in caught.value.message and "1 autre" in caught.value.message
