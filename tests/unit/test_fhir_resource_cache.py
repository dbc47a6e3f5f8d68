"""The process's cache of rendered FHIR resources (`fhir_api.search.ResourceCache`): valid for one document
version only, least recently used dropped past its size; it keeps each resource as a `Hit` (its text as bytes,
its reference fields)."""

from __future__ import annotations

from fhir_api.search import Hit, ResourceCache


def doc(i: str, seq: int, text: str = "x" * 100, index: str = "p-fhir-location-resources-v1", term: int = 1) -> dict:
    return {"_index": index, "_id": i, "_seq_no": seq, "_primary_term": term, "_source": {"id": i, "resource": text}}


def held(i: str, text: str) -> Hit:
    return Hit(i, text.encode(), {})


def test_a_resource_is_held_for_its_version_only():
    cache = ResourceCache(10_000)
    assert cache.put(doc("a", 3, "v3")) == held("a", "v3")
    assert cache.get(doc("a", 3)) == held("a", "v3")
    assert cache.get(doc("a", 4)) is None  # written since
    assert cache.get(doc("a", 3, term=2)) is None  # another primary term: not the same document version
    assert cache.get(doc("a", 3, index="p-fhir-location-resources-v2")) is None  # a rebuilt index
    assert cache.get(doc("b", 3)) is None
    cache.put(doc("a", 4, "v4"))
    assert cache.get(doc("a", 4)) == held("a", "v4") and cache.get(doc("a", 3)) is None


def test_the_least_recently_used_leave_past_the_size():
    cache = ResourceCache(3 * 300)  # three resources of 100 characters (+ 200 of overhead each)
    for i in "abc":
        cache.put(doc(i, 1))
    assert cache.get(doc("a", 1)) is not None  # a is now the most recent
    cache.put(doc("d", 1))
    assert cache.get(doc("b", 1)) is None
    assert all(cache.get(doc(i, 1)) is not None for i in "acd")
    assert cache.size == 900
    cache.put(doc("a", 2))  # a new version replaces the old one, not added beside it
    assert cache.size == 900 and len(cache._items) == 3


def test_a_resource_larger_than_the_cache_is_not_kept():
    cache = ResourceCache(250)
    assert cache.put(doc("big", 1, "y" * 100)) == held("big", "y" * 100)  # answered, not kept
    assert cache.get(doc("big", 1)) is None and cache.size == 0


def test_get_many_answers_as_get_does():
    cache = ResourceCache(10_000)
    cache.put(doc("a", 1, "a1"))
    cache.put(doc("b", 2, "b2"))
    asked = [doc("a", 1), doc("b", 3), doc("c", 1), doc("b", 2)]
    assert cache.get_many(asked) == [cache.get(d) for d in asked] == [held("a", "a1"), None, None, held("b", "b2")]


def test_a_held_resource_keeps_its_reference_fields_and_utf8_text():
    cache = ResourceCache(10_000)
    stored = doc("a", 1, '{"name":"Hôpital"}')
    stored["_source"].update(organization=["eg-1"], location=["PL-1", "PL-2"])
    cache.put(stored)
    hit = cache.get(doc("a", 1))
    assert hit.resource == '{"name":"Hôpital"}'.encode() and hit.id == "a"
    assert hit.refs == {"organization": ["eg-1"], "location": ["PL-1", "PL-2"]}  # not the id, not the text


def test_a_resource_confirmed_at_a_store_state_is_current_while_the_store_stays_there():
    cache = ResourceCache(10_000)
    index, state, moved = "p-fhir-location-resources-v1", ("uuid", (("0", 41),)), ("uuid", (("0", 42),))
    cache.put(doc("a", 3, "v3"), state)
    cache.put(doc("b", 5, "v5"))  # read without knowing the store's state: never current without asking
    assert cache.current(index, ["a", "b", "c"], state) == [held("a", "v3"), None, None]
    assert cache.current(index, ["a"], moved) == [None]  # a write or a delete since: ask its version
    assert cache.current("p-fhir-location-resources-v2", ["a"], state) == [None]  # a rebuilt store
    assert cache.get_many([doc("a", 3), doc("b", 5)], {index: moved}) == [held("a", "v3"), held("b", "v5")]
    assert cache.current(index, ["a", "b"], moved) == [held("a", "v3"), held("b", "v5")]  # confirmed again
    assert cache.current(index, ["a"], state) == [None]
