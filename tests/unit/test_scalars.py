"""One coercion of scalars (core.scalars) behind request parameters, settings and Cypher library parameters: the
same yes/no words everywhere, decimal commas, no NaN or infinity."""

from __future__ import annotations

import pytest

from core.errors import BadRequest, ConfigError
from core.scalars import FALSE_WORDS, TRUE_WORDS, to_bool, to_float, to_int
from core.settings import Settings
from graph.library import Param as LibraryParam
from graph.library import coerce
from web.params import Param, parse

WORDS = sorted(TRUE_WORDS) + sorted(FALSE_WORDS)


def test_the_yes_and_no_words():
    assert TRUE_WORDS == {"1", "true", "yes", "on", "oui", "vrai"}
    assert FALSE_WORDS == {"0", "false", "no", "off", "non", "faux"}
    assert [to_bool(w) for w in (" OUI ", "Faux", True, False, 1, 0)] == [True, False, True, False, True, False]
    for bad in ("", "peut-être", "2", None):
        with pytest.raises(ValueError):
            to_bool(bad)


@pytest.mark.parametrize("word", WORDS)
def test_every_reader_of_booleans_takes_the_same_words(word):
    expected = word in TRUE_WORDS
    for spelled in (word, word.upper()):
        assert parse([Param("flag", "boolean", "…")], {"flag": spelled})["flag"] is expected
        assert coerce(LibraryParam("flag", "bool", None, "…"), spelled) is expected
        assert Settings.from_env({"OPENSEARCH_VERIFY_CERTS": spelled}).opensearch_verify_certs is expected


def test_a_word_outside_the_list_is_refused_by_each_reader():
    with pytest.raises(BadRequest):
        parse([Param("flag", "boolean", "…")], {"flag": "peut-être"})
    with pytest.raises(BadRequest):
        coerce(LibraryParam("flag", "bool", None, "…"), "peut-être")
    with pytest.raises(ConfigError, match="OPENSEARCH_VERIFY_CERTS"):
        Settings.from_env({"OPENSEARCH_VERIFY_CERTS": "peut-être"})


def test_numbers():
    assert (to_int(" 42 "), to_int(3.0), to_float("2,5"), to_float(" 1.25 "), to_float(7)) == (42, 3, 2.5, 1.25, 7.0)
    for bad in ("4.5", 4.5, True, None, "", "x"):
        with pytest.raises((ValueError, TypeError)):
            to_int(bad)
    for bad in ("nan", "inf", "-Infinity", float("nan"), False, None, "x"):
        with pytest.raises(ValueError):
            to_float(bad)
    assert Settings.from_env({"ROR_CAPACITY_STALE_HOURS": "6,5"}).capacity_stale_hours == 6.5
    with pytest.raises(BadRequest):
        coerce(LibraryParam("km", "float", None, "…"), "nan")
