"""JSON encoding with orjson where the standard library's encoder sat on hot paths (web answers, OpenSearch
requests and responses), keeping each caller's conventions: the same `default` hooks for dates, decimals and
dataclasses, insertion key order, UTF-8 text. Anything orjson refuses (an integer beyond 64 bits…) falls back to
the standard encoder. The text is the same as before except for float exponents (orjson writes 1e-7 where the
standard library writes 1e-07: the same JSON number)."""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from opensearchpy.serializer import JSONSerializer

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_COMPACT = (",", ":")


class FlaskJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider (dates as HTTP dates, dataclasses as dicts…) with orjson for compact output."""

    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("separators", _COMPACT) == _COMPACT and set(kwargs) <= {"separators"}:
            try:
                return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
            except TypeError:
                pass
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        return orjson.loads(s)  # its JSONDecodeError is a json.JSONDecodeError, as Flask's callers expect


class OpenSearchSerializer(JSONSerializer):
    """opensearch-py's JSON serializer (dates in ISO 8601, decimals, UUIDs…) with orjson underneath."""

    def dumps(self, data: Any) -> str:
        if isinstance(data, str):
            return data
        try:
            return orjson.dumps(data, default=self.default, option=_OPTIONS).decode()
        except TypeError:
            return super().dumps(data)

    def loads(self, s: str) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return super().loads(s)  # raises the client's SerializationError with its usual message
