"""The exact request bodies the agent will send, built once when a citizen submits.

The bytes made here are sealed and stored; every resend uses them byte for byte, which is
what makes the contract's idempotency work (same key, same body → 200, never 409). UTF-8
JSON, compact, keys in the contract's order, times RFC 3339 with the kiosk's offset.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from kiosk import wire
from kiosk.draft import Blob, TransactionDraft
from kiosk.store.records import InvalidDraft


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def blob_ref(blob: Blob) -> dict[str, Any]:
    return {"sha256": blob.sha256, "content_type": blob.content_type, "size": blob.size}


def transaction_model(draft: TransactionDraft, txn_id: str) -> wire.TransactionIn:
    try:
        return wire.TransactionIn(
            txn_id=txn_id,
            item_code=draft.item_code,
            item_version=draft.item_version,
            created_at=draft.created_at,
            identity_method=draft.identity_method,
            applicant=draft.applicant.model_dump(),  # revalidated: a model_copy skips checks
            form=draft.form,
            materials=[{"code": m.code, "name": m.name, **blob_ref(m.blob)} for m in draft.materials],
            face_photo=blob_ref(draft.face_photo) if draft.face_photo is not None else None,
            signature=blob_ref(draft.signature) if draft.signature is not None else None,
        )
    except ValidationError as err:
        raise InvalidDraft(_problems(err)) from None


def transaction_body(model: wire.TransactionIn) -> bytes:
    data = model.model_dump(mode="json")
    data["created_at"] = wire.rfc3339(model.created_at)
    return dumps(data)


def rating_body(rating: wire.RatingIn) -> bytes:
    data = rating.model_dump(mode="json")
    data["rated_at"] = wire.rfc3339(rating.rated_at)
    return dumps(data)


def _problems(err: ValidationError) -> list[str]:
    """Where and what, never the input value (it may be an id number)."""
    return [".".join(str(part) for part in e["loc"]) + ": " + e["type"] for e in err.errors()]
