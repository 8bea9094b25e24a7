"""Parsing a request body read by hand: 400 ``malformed`` for what is not UTF-8 JSON, 422
``invalid`` for what breaks the wire model (the message names the field, never the value)."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from county.errors import ApiError, describe

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: bytes) -> M:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "malformed", "the body is not UTF-8 JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ApiError(422, "invalid", describe(err)) from None
    except (TypeError, ValueError, RecursionError) as err:
        raise ApiError(422, "invalid", type(err).__name__) from None
