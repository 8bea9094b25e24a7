"""A scripted citizen: one visit walked through the real session, as the UI walks it.

Used by ``kiosk-diag outbox enqueue-sample`` (queue sample transactions exactly as the UI
would), by the simulation and by the reliability tests. The card is one of the driver's
made-up sample cards; the photos are the emulated camera's scenes, encoded as the camera
screens encode them (JPEG for photos, PNG for the signature).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any, Callable

import cv2
import numpy as np

from drivers.camera import scenes
from drivers.idcard import samples
from kiosk.catalog.model import FormField, Item
from kiosk.draft import Blob
from kiosk.session import Session, State
from kiosk.wire import RatingIn


@functools.lru_cache(maxsize=4)
def _jpeg(kind: str, size: tuple[int, int]) -> bytes:
    frame = scenes.make_scene(kind)(size)
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()


@functools.lru_cache(maxsize=1)
def _signature_png() -> bytes:
    pad = np.full((240, 640), 255, np.uint8)
    points = np.array([[40 + i * 6, 120 + int(60 * np.sin(i / 9))] for i in range(95)], np.int32)
    cv2.polylines(pad, [points], False, 0, 4, cv2.LINE_AA)
    ok, data = cv2.imencode(".png", pad)
    assert ok
    return data.tobytes()


def photo(kind: str = "document", size: tuple[int, int] = (1280, 720)) -> Blob:
    return Blob("image/jpeg", bytearray(_jpeg(kind, size)))


def signature() -> Blob:
    return Blob("image/png", bytearray(_signature_png()))


def sample_value(field: FormField, card: dict[str, Any], today: date) -> Any:
    """What a citizen would type into an empty field."""
    if field.type == "phone":
        return "13800138000"
    if field.type == "choice":
        return field.options[0]
    if field.type == "date":
        return today.isoformat()
    if field.type == "number":
        return field.minimum if field.minimum is not None else 1
    if field.type == "id_number":
        return card["id_number"]
    if field.type == "address":
        return card.get("address") or "河南省郑州市二七区大学路88号"
    return "示例"[: max(field.max_length, 1)] if field.min_length <= 2 else "示" * field.min_length


def walk_visit(session: Session, item: Item, submit: Callable[[Any], tuple[str, datetime, bool]],
               card: Any = samples.LI_XIAOMING, rating: int | None = 5,
               queue_rating: Callable[[RatingIn], Any] | None = None) -> str:
    """Walk one visit from HOME to the end; ``submit(draft) -> (txn_id, accepted_at,
    delivered)`` stands where the UI calls the outbox, ``queue_rating`` where it queues the
    rating. Returns the txn_id."""
    session.choose(item)
    session.start()
    session.identified_by_card(card)
    if session.state is State.INELIGIBLE:
        raise ValueError(f"the sample card cannot apply for {item.code}")
    card_dict = card.to_dict() if hasattr(card, "to_dict") else dict(card)
    today = datetime.now().astimezone().date()
    while session.state is not State.CONFIRM:
        state = session.state
        if state is State.FACE:
            session.face_taken(photo("face", (640, 480)))
        elif state is State.FORM:
            values = dict(session.form_values)
            for field in item.fields:
                if field.required and values.get(field.name) in (None, ""):
                    values[field.name] = sample_value(field, card_dict, today)
            session.form_submitted(values)
        elif state is State.MATERIALS:
            for req in item.materials:
                for _ in range(req.pages):
                    session.material_taken(req.code, photo("document"))
            session.materials_done()
        elif state is State.SIGNATURE:
            session.signed(signature())
        else:
            raise RuntimeError(f"the sample visit cannot go on from {state.value}")
    draft = session.confirm(True)
    txn_id, accepted_at, delivered = submit(draft)
    session.submitted(txn_id, accepted_at, delivered)
    session.receipt_printed(True)
    if rating is not None and session.state is State.RATING:
        rated = session.rate(rating)
        if queue_rating is not None:
            queue_rating(rated)
    elif session.state is not State.HOME:
        session.finish()
    return txn_id
