"""Checks of what an operator queues, against what the kiosk will accept."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kiosk.wire import Identity


def check_command(type_: str, args: dict[str, Any]) -> None:
    """ValueError for args the kiosk would refuse (``set_identity`` must give identity fields)."""
    if not isinstance(args, dict):
        raise ValueError("--args must be a JSON object")
    if type_ == "set_identity":
        fields = set(Identity.model_fields) - {"device_id"}
        stray = sorted(set(args) - fields)
        if stray or not args:
            raise ValueError(f"set_identity takes identity fields: {', '.join(sorted(fields))}")
        try:
            Identity.model_validate({"device_id": "ZZ-CHECK", "maintainer": "x", "phone": "000", **args})
        except ValidationError as err:
            raise ValueError(f"set_identity: {err.errors()[0].get('msg', 'invalid')}") from None
