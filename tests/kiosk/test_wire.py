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


# -- masking on parse: the kiosk masks whatever the backend sends ------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROGRESS = {"txn_id": "ZZ-EQ-0001-20261122-000042", "item_code": "zz-gljt", "item_name": "高龄津贴申领",
            "status": "reviewing", "promised_by": "2026-11-29",
            "history": [{"status": "received", "at": "2026-11-22T10:03:05+08:00", "note": "张小三本人到场"}],
            "applicant": {"name": "张小三", "id_number": "110105194912310021"}}


@pytest.mark.parametrize("sent, shown", [
    ({"name": "张小三", "id_number": "110105194912310021"}, ("张*三", "110105********0021")),  # backend forgot
    ({"name": "张*三", "id_number": "110105********002X"}, ("张*三", "110105********002X")),  # masked already
    ({"name": "张*", "id_number": "1101********002X"}, ("张*", "1101********002X")),  # masked its own way
    ({"name": "", "id_number": ""}, ("", "")),
    ({"name": "Jean-Pierre Dupont", "id_number": "ABC123456789"}, ("J****************t", "ABC123**6789")),
])
def test_progress_applicant_is_masked_on_parse(sent, shown):
    body = dict(PROGRESS, applicant=sent)
    progress = wire.Progress.model_validate(body)
    assert (progress.applicant.name, progress.applicant.id_number) == shown
    listed = wire.ProgressList.model_validate({"transactions": [body]})
    assert listed.transactions[0].applicant == progress.applicant


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_masking_is_idempotent(text):
    assert wire.mask_name(wire.mask_name(text)) == wire.mask_name(text)
    assert wire.mask_id_number(wire.mask_id_number(text)) == wire.mask_id_number(text)
    masked = wire.MaskedApplicant(name=text, id_number=text)
    again = wire.MaskedApplicant.model_validate(masked.model_dump())
    assert again == masked


# -- personal data never in a repr, a str or a validation error --------------------------------
NAME, NUMBER, COMMENT, TOKEN, LINE = "欧阳小明", "410102195003071234", "窗口人员态度很好谢谢", "tok-9f8e7d6c5b4a", "兹证明欧阳小明同志"
APPLICANT = dict(TXN["applicant"], name=NAME, id_number=NUMBER, address="郑州市二七区大学路80号", phone="13912345678")
SECRETS = (NAME, NUMBER, COMMENT, TOKEN, LINE, "郑州市二七区大学路80号", "13912345678", "ver-7777")
IDENTITY = {"device_id": "ZZ-EQ-0001", "maintainer": "二七区政务服务中心", "phone": "0371-68665010"}

# (model, a good body holding personal data, a bad body holding it too)
PRIVATE_MODELS = [
    (wire.EnrollRequest, {"token": TOKEN, "device_id": "ZZ-EQ-0001", "public_key": "k", "identity": IDENTITY},
     {"token": TOKEN, "device_id": NAME, "public_key": "k", "identity": IDENTITY}),
    (wire.Applicant, APPLICANT, dict(APPLICANT, gender=NAME, birth=NUMBER)),
    (wire.TransactionIn, dict(TXN, applicant=APPLICANT, form={"phone": "13912345678", "note": COMMENT}),
     dict(TXN, applicant=dict(APPLICANT, id_number=NUMBER * 3), form=COMMENT)),
    (wire.ProgressQuery, {"id_number": NUMBER}, {"id_number": NUMBER * 3}),
    (wire.CertificateRequest, {"kind": "hukou", "id_number": NUMBER}, {"kind": NAME * 40, "id_number": NUMBER * 3}),
    (wire.RatingIn, {"txn_id": "ZZ-EQ-0001-20261122-000042", "score": 5, "reasons": [COMMENT], "comment": COMMENT,
                     "rated_at": "2026-11-22T10:03:00+08:00"},
     {"txn_id": NAME, "score": COMMENT, "reasons": COMMENT, "comment": COMMENT * 60, "rated_at": NUMBER}),
    (wire.MaskedApplicant, {"name": NAME, "id_number": NUMBER}, {"name": [NAME], "id_number": {NUMBER: NUMBER}}),
    (wire.HistoryEntry, {"status": "received", "at": "2026-11-22T10:03:05+08:00", "note": COMMENT},
     {"status": COMMENT, "at": NUMBER, "note": [COMMENT]}),
    (wire.Progress, dict(PROGRESS, applicant={"name": NAME, "id_number": NUMBER}),
     dict(PROGRESS, status=NAME, applicant={"name": [NAME], "id_number": NUMBER})),
    (wire.ProgressList, {"transactions": [dict(PROGRESS, applicant={"name": NAME, "id_number": NUMBER})]},
     {"transactions": [dict(PROGRESS, promised_by=NUMBER, applicant={"name": NAME, "id_number": [NUMBER]})]}),
    (wire.Certificate, {"kind": "hukou", "title": "户籍证明", "lines": [LINE, NUMBER], "issued_at": "2026-11-22T10:03:05+08:00",
                        "verify_code": "ver-7777"},
     {"kind": "hukou", "title": "户籍证明", "lines": LINE, "issued_at": NUMBER, "verify_code": ["ver-7777"]}),
]


@pytest.mark.parametrize("model, good, bad", PRIVATE_MODELS, ids=[m.__name__ for m, _, _ in PRIVATE_MODELS])
def test_personal_data_never_in_repr_str_or_errors(model, good, bad):
    value = model.model_validate(good)
    error = None
    try:
        model.model_validate(bad)
    except ValidationError as err:
        error = err
    assert error is not None, "the bad body must fail"
    shown = [repr(value), str(value), f"{value}", f"{value!r}", str(error), repr(error)]
    for text in shown:
        for secret in SECRETS:
            assert secret not in text, (secret, text)
    assert model.__name__ in repr(value)
    assert value.model_dump() and NAME not in repr([value])  # the values are still there for the wire


def test_masked_reprs_keep_what_helps_and_the_wire_keeps_the_values():
    query = wire.ProgressQuery(id_number=NUMBER)
    assert query.model_dump() == {"id_number": NUMBER} and "<masked>" in repr(query)
    rating = wire.RatingIn(txn_id="ZZ-EQ-0001-20261122-000042", score=4, comment=COMMENT, rated_at="2026-11-22T10:03:00+08:00")
    assert "ZZ-EQ-0001-20261122-000042" in repr(rating) and "score=4" in repr(rating)
    assert rating.model_dump(mode="json")["comment"] == COMMENT


def test_command_ids_are_opaque_up_to_a_generous_cap():
    long_id = "cmd-" + "0123456789abcdef" * 12  # 196 characters: the contract sets no limit
    reply = wire.BeaconReply.model_validate({"server_time": "2026-11-22T10:03:05+08:00",
                                             "commands": [{"id": long_id, "type": "restart_app"}]})
    assert reply.commands[0].id == long_id
    assert wire.CommandAck(command_id=long_id, ok=True).command_id == long_id  # and it can be acknowledged
    with pytest.raises(ValidationError):
        wire.Command.model_validate({"id": "x" * 201, "type": "restart_app"})
