"""Parsing a request body read by hand: 415 ``unsupported_media_type`` unless it is declared
``application/json``, 400 ``malformed`` for what is not strict UTF-8 JSON (duplicate keys,
``NaN``/``Infinity`` and numbers beyond a double are refused, so every reader of the bytes
agrees on what they say), 422 ``invalid`` for what breaks the wire model or what no column
can hold (an integer beyond 64 bits, a NUL or a lone surrogate in a text); the message names the
field, never the value."""

from __future__ import annotations

import json
import math
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from county.errors import ApiError, describe

M = TypeVar("M", bound=BaseModel)

INT_LIMIT = 2 ** 63  # an integer must fit a signed 64-bit column


class _Malformed(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Malformed(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Malformed("a number is beyond the range of a double")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Malformed("an object names a key twice")
    return result


def _check_values(value: Any) -> None:
    """422 for an integer beyond 64 bits, a NUL or a lone surrogate in a text (none fits the database)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ApiError(422, "invalid", "a text contains a NUL character")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(422, "invalid", "a text contains a lone surrogate") from None
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -INT_LIMIT <= item < INT_LIMIT:
                raise ApiError(422, "invalid", "an integer is out of range")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def require_json(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "the body must be sent as application/json")


def loads(body: bytes) -> Any:
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant,
                          parse_float=_finite)
    except _Malformed as err:
        raise ApiError(400, "malformed", f"the body is not strict JSON: {err}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "malformed", "the body is not UTF-8 JSON") from None
    _check_values(data)
    return data


def parse(model: type[M], body: bytes) -> M:
    data = loads(body)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ApiError(422, "invalid", describe(err)) from None
    except (TypeError, ValueError, RecursionError) as err:
        raise ApiError(422, "invalid", type(err).__name__) from None
