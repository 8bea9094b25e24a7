"""The identity card in force: the config's, with a ``set_identity`` override on top.

The county may correct a machine's identity card (a new maintainer, a new phone number) with
the ``set_identity`` command. The agent validates the new card and keeps it in the store's
``kv`` under :data:`KV_KEY`; the UI (idle screen, receipts) and every beacon read the card
through :func:`effective_identity`, so the change shows everywhere without editing the
config file. The device id can never be changed this way: it is the key the backend knows.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from kiosk.agent.outbox_port import KeyValues
from kiosk.identity import Identity
from kiosk.validation import first_error

log = logging.getLogger(__name__)

KV_KEY = "identity.override"


class IdentityRejected(ValueError):
    """The new card is not valid; the message names the field (for the command's ack)."""


def effective_identity(configured: Identity, kv: KeyValues) -> Identity:
    """The configured card with the stored override applied (the override ignored if unusable)."""
    override = kv.get(KV_KEY)
    if not isinstance(override, dict):
        return configured
    try:
        return merged_identity(configured, override)
    except IdentityRejected as err:
        log.warning("stored identity override ignored: %s", err)
        return configured


def merged_identity(current: Identity, fields: dict[str, Any]) -> Identity:
    if "device_id" in fields and fields["device_id"] != current.device_id:
        raise IdentityRejected("device_id cannot be changed remotely")
    try:
        return Identity.model_validate({**current.model_dump(), **fields})
    except ValidationError as err:
        raise IdentityRejected(first_error(err)) from None


def set_identity(configured: Identity, kv: KeyValues, fields: dict[str, Any]) -> Identity:
    """Validate ``fields`` over the card in force and keep them; :class:`IdentityRejected` if bad."""
    base = effective_identity(configured, kv)
    new = merged_identity(base, fields)
    changed = {k: v for k, v in new.model_dump().items() if v != configured.model_dump()[k]}
    kv.set(KV_KEY, changed)
    return new
