"""Transactions (办件): acceptance against the item's own rules, idempotency, progress and
the status moves the county's staff make (``county txn set-status``). Synchronous; the
routes call it from a worker thread."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from county import db as t
from county.db import Database
from county.errors import ApiError
from county.timefmt import CST, local_date, stamp
from kiosk import wire
from kiosk.catalog.eligibility import ApplicantFacts, check
from kiosk.catalog.forms import FormErrors, validate_all
from kiosk.catalog.model import Catalog, Item
from kiosk.receipts import promised_date


def item_problem(catalog: Catalog, txn: wire.TransactionIn) -> str | None:
    """Why ``txn`` fails its item's own rules (a message with no personal value), or None."""
    item = catalog.get(txn.item_code)
    if item is None:
        return f"unknown item code {txn.item_code}"
    if txn.identity_method not in item.identity_methods:
        return f"item {item.code} does not accept identity method {txn.identity_method}"
    problem = _eligibility(item, txn)
    if problem:
        return problem
    try:
        validate_all(item, txn.form)
    except FormErrors as err:
        return "form: " + ", ".join(f"{name} {e.code}" for name, e in err.errors.items())[:400]
    known = {m.code for m in item.materials}
    given = {m.code for m in txn.materials}
    stray = sorted(given - known)
    if stray:
        return f"materials not of item {item.code}: {', '.join(stray)}"
    lacking = [m.code for m in item.materials if m.required and m.code not in given]
    if lacking:
        return f"required materials missing: {', '.join(lacking)}"
    if item.face_photo and txn.face_photo is None:
        return f"item {item.code} needs a face photo"
    if item.signature and txn.signature is None:
        return f"item {item.code} needs the applicant's signature"
    return None


def _eligibility(item: Item, txn: wire.TransactionIn) -> str | None:
    applicant = txn.applicant
    facts = ApplicantFacts(card_type=applicant.id_type, birth=applicant.birth, valid_to=applicant.valid_to,
                           id_number=applicant.id_number)
    day = txn.created_at.astimezone(CST).date()
    codes = [p.code for p in check(item, facts, day)]
    if applicant.id_type == "foreign_permanent" and "foreign_permanent_2023" in item.eligibility.card_types:
        codes = [c for c in codes if c != "wrong_card_type"]
    return f"not eligible: {', '.join(codes)}" if codes else None


def missing_blobs(conn: Connection, hashes: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(hashes))
    if not wanted:
        return []
    have = set(conn.execute(select(t.blobs.c.sha256).where(t.blobs.c.sha256.in_(wanted))).scalars())
    return [h for h in wanted if h not in have]


def _repeat(conn: Connection, txn_id: str, digest: str) -> bytes | None:
    """The stored ack for a repeat with the same body; ApiError 409 for another body; None if new."""
    row = conn.execute(select(t.transactions.c.body_sha256, t.transactions.c.ack)
                       .where(t.transactions.c.txn_id == txn_id)).first()
    if row is None:
        return None
    if row.body_sha256 != digest:
        raise ApiError(409, "idempotency_conflict", "this txn_id was received with another body")
    return row.ack.encode("utf-8")


def accept(database: Database, catalog: Catalog, device_id: str, key: str | None, body: bytes, txn: wire.TransactionIn,
           now: float) -> tuple[int, bytes]:
    """(201, ack) for a new transaction, (200, the same ack) for a repeat; ApiError otherwise."""
    if key != txn.txn_id:
        raise ApiError(422, "invalid", "the Idempotency-Key header must be the txn_id")
    rest = txn.txn_id[len(device_id) + 1:] if txn.txn_id.startswith(device_id + "-") else ""
    if not re.fullmatch(r"\d{8}-\d{6}", rest):
        raise ApiError(422, "invalid", "the txn_id must be numbered by the device that sends it")
    digest = hashlib.sha256(body).hexdigest()
    with database.connect() as conn:
        ack = _repeat(conn, txn.txn_id, digest)
        if ack is not None:
            return 200, ack
        problem = item_problem(catalog, txn)
        if problem:
            raise ApiError(422, "invalid", problem)
        missing = missing_blobs(conn, txn.blob_hashes())
    if missing:
        raise ApiError(422, "missing_blobs", f"{len(missing)} blob(s) not stored", extra={"missing": missing})
    item = catalog.get(txn.item_code)
    assert item is not None
    limit = item.guide.time_limit
    promised = promised_date(local_date(now), limit.promised_days, limit.unit)
    ack_doc = {"txn_id": txn.txn_id, "status": "received", "accepted_at": stamp(now),
               "promised_by": promised.isoformat()}
    ack_text = json.dumps(ack_doc, ensure_ascii=False, separators=(",", ":"))
    try:
        with database.begin() as conn:
            conn.execute(insert(t.transactions).values(
                txn_id=txn.txn_id, device_id=device_id, item_code=item.code, item_name=item.name,
                item_version=txn.item_version, body=body, body_sha256=digest, ack=ack_text, status="received",
                accepted_at=now, promised_by=promised.isoformat(), id_key=database.id_key(txn.applicant.id_number),
                name_masked=wire.mask_name(txn.applicant.name),
                id_masked=wire.mask_id_number(txn.applicant.id_number.upper()), updated_at=now))
            conn.execute(insert(t.history).values(txn_id=txn.txn_id, status="received", at=now, note=""))
    except IntegrityError:  # the same txn_id raced in on another connection
        with database.connect() as conn:
            ack = _repeat(conn, txn.txn_id, digest)
        if ack is None:
            raise
        return 200, ack
    return 201, ack_text.encode("utf-8")


def _progress(conn: Connection, row: Any) -> dict[str, Any]:
    steps = conn.execute(select(t.history).where(t.history.c.txn_id == row.txn_id).order_by(t.history.c.id)).all()
    return {"txn_id": row.txn_id, "item_code": row.item_code, "item_name": row.item_name, "status": row.status,
            "promised_by": row.promised_by,
            "history": [{"status": s.status, "at": stamp(s.at), "note": s.note} for s in steps],
            "applicant": {"name": row.name_masked, "id_number": row.id_masked}}


def progress(database: Database, txn_id: str) -> dict[str, Any] | None:
    with database.connect() as conn:
        row = conn.execute(select(t.transactions).where(t.transactions.c.txn_id == txn_id)).first()
        return _progress(conn, row) if row is not None else None


def by_id_number(database: Database, id_number: str, limit: int = 50) -> list[dict[str, Any]]:
    """The applicant's transactions, newest first (at most ``limit``)."""
    with database.connect() as conn:
        rows = conn.execute(select(t.transactions).where(t.transactions.c.id_key == database.id_key(id_number))
                            .order_by(t.transactions.c.accepted_at.desc(), t.transactions.c.txn_id.desc())
                            .limit(limit)).all()
        return [_progress(conn, row) for row in rows]


def set_status(database: Database, txn_id: str, status: str, note: str, now: float) -> dict[str, Any]:
    """Move a case along (the county's staff): a history entry and the new status."""
    if status not in wire.STATUSES:
        raise ValueError(f"status must be one of {', '.join(wire.STATUSES)}")
    if len(note) > 500:
        raise ValueError("the note is over 500 characters")
    with database.begin() as conn:
        done = conn.execute(update(t.transactions).where(t.transactions.c.txn_id == txn_id)
                            .values(status=status, updated_at=now))
        if done.rowcount != 1:
            raise KeyError(txn_id)
        conn.execute(insert(t.history).values(txn_id=txn_id, status=status, at=now, note=note))
    found = progress(database, txn_id)
    assert found is not None
    return found


def listing(database: Database, status: str | None = None, device_id: str | None = None,
            limit: int = 100) -> list[dict[str, Any]]:
    """Transactions for ``county txn list``, newest first: number, item, status, masked applicant."""
    query = select(t.transactions.c.txn_id, t.transactions.c.device_id, t.transactions.c.item_code,
                   t.transactions.c.item_name, t.transactions.c.status, t.transactions.c.accepted_at,
                   t.transactions.c.promised_by, t.transactions.c.name_masked)
    if status:
        query = query.where(t.transactions.c.status == status)
    if device_id:
        query = query.where(t.transactions.c.device_id == device_id)
    query = query.order_by(t.transactions.c.accepted_at.desc(), t.transactions.c.txn_id.desc()).limit(limit)
    with database.connect() as conn:
        return [{"txn_id": r.txn_id, "device_id": r.device_id, "item_code": r.item_code, "item_name": r.item_name,
                 "status": r.status, "accepted_at": stamp(r.accepted_at), "promised_by": r.promised_by,
                 "applicant": r.name_masked} for r in conn.execute(query)]
