"""The wire models accept the contract's own examples, refuse what the contract does not
allow, and mask what the contract says a kiosk shows."""

import pytest
from pydantic import ValidationError

from kiosk import wire

SHA = "a" * 64
TXN = {
    "txn_id": "ZZ-EQ-0001-20261122-000042", "item_code": "zz-gljt", "item_version": "3",
    "created_at": "2026-11-22T10:03:00+08:00", "identity_method": "id_card",
    "applicant": {"id_type": "resident", "id_number": "110105194912310021", "name": "张小三", "gender": "男",
                  "nation": "汉", "birth": "1949-12-31", "address": "北京市朝阳区", "authority": "北京市公安局朝阳分局",
                  "valid_from": "2015-01-01", "valid_to": "长期", "phone": "13800138000"},
    "form": {"phone": "13800138000"},
    "materials": [{"code": "hukou", "name": "户口簿", "sha256": SHA, "content_type": "image/jpeg", "size": 123456}],
    "face_photo": {"sha256": "b" * 64, "content_type": "image/jpeg", "size": 1234},
    "signature": None,
}


def test_contract_transaction_example_validates():
    txn = wire.TransactionIn.model_validate(TXN)
    assert txn.blob_hashes() == [SHA, "b" * 64]
    assert "张小三" not in repr(txn) and "110105194912310021" not in repr(txn.applicant)
    assert str(txn.applicant.valid_to) == "长期"


@pytest.mark.parametrize("path, value", [
    (("txn_id",), "ZZ-EQ-0001-2026112-42"),
    (("created_at",), "2026-11-22T10:03:00"),  # no offset
    (("identity_method",), "face"),
    (("applicant", "gender"), "M"),
    (("materials", 0, "content_type"), "image/gif"),
    (("materials", 0, "size"), 5 * 1024 * 1024 + 1),
    (("materials", 0, "sha256"), "A" * 64),
    (("extra",), 1),
])
def test_transaction_refusals(path, value):
    import copy

    body = copy.deepcopy(TXN)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        wire.TransactionIn.model_validate(body)


def test_answers_ignore_unknown_keys_but_need_named_ones():
    ack = wire.TransactionAck.model_validate({"txn_id": "x", "status": "received", "accepted_at": "2026-11-22T10:03:05+08:00",
                                              "promised_by": "2026-11-29", "new_key": 1})
    assert ack.promised_by.isoformat() == "2026-11-29"
    with pytest.raises(ValidationError):
        wire.TransactionAck.model_validate({"txn_id": "x", "status": "received"})
    reply = wire.BeaconReply.model_validate({"server_time": "2026-11-22T10:03:05+08:00",
                                             "commands": [{"id": "c1", "type": "reload_catalog", "args": {}}]})
    assert reply.commands[0].type == "reload_catalog"


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("王", "*"), ("", "")])
def test_mask_name(name, masked):
    assert wire.mask_name(name) == masked


@pytest.mark.parametrize("number, masked", [("110105194912310021", "110105********0021"),
                                            ("11010519491231002X", "110105********002X"), ("1234", "****")])
def test_mask_id_number(number, masked):
    assert wire.mask_id_number(number) == masked


def test_rfc3339_refuses_naive_times():
    from datetime import datetime, timedelta, timezone

    assert wire.rfc3339(datetime(2026, 11, 22, 10, 3, tzinfo=timezone(timedelta(hours=8)))) == "2026-11-22T10:03:00+08:00"
    with pytest.raises(ValueError):
        wire.rfc3339(datetime(2026, 11, 22))
