"""Whole visits: the main path with and without each optional step, the item kinds, the
short paths, and what each step accepts and refuses."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.catalog.model import Item
from kiosk.i18n import explain
from kiosk.session import (BUSY, FetchCertificate, InputError, InvalidTransition, PrintGuide,
                           PrintReceipt, QueryProgress, Session, State, SubmitDraft)
from kiosk.wire import MAX_BLOB_BYTES
from tests.kiosk.session.builders import (ADDRESS, APPT, BARE, CERT, ELDER, FULL, FULL_FIELDS,
                                          FULL_MATERIALS, ID_NUMBER, NAME, TXN, VALID_FORM,
                                          FakeClock, LocalFormErrors, blob, card, drive_to,
                                          make_item, new_session, qr, take_all_materials)

S = State


def walk(s: Session, clock: FakeClock) -> list[State]:
    """Answer every step with good input until the draft is out; the states seen."""
    seen = [s.state]
    while s.state is not S.SUBMITTING:
        if s.state is S.IDENTIFY:
            s.identified_by_card(card())
        elif s.state is S.FACE:
            s.face_taken(blob())
        elif s.state is S.FORM:
            s.form_submitted({f.name: VALID_FORM.get(f.name, "2026-12-01") for f in s.item.fields})
        elif s.state is S.MATERIALS:
            take_all_materials(s)
            s.materials_done()
        elif s.state is S.SIGNATURE:
            s.signed(blob(content_type="image/png"))
        elif s.state is S.CONFIRM:
            s.confirm(True)
        else:
            raise AssertionError(s.state)
        seen.append(s.state)
    return seen


def test_full_visit_by_card() -> None:
    clock = FakeClock()
    s = new_session(clock)
    changes = []
    s.subscribe(changes.append)
    s.choose(FULL)
    s.start()
    assert s.steps == [S.IDENTIFY, S.FACE, S.FORM, S.MATERIALS, S.SIGNATURE, S.CONFIRM]
    s.identified_by_card(card())
    assert s.state is S.FACE and s.identity_method == "id_card"
    assert s.applicant is not None and s.applicant.name == NAME
    face = blob(1)
    s.face_taken(face)
    # Prefilled from the card by each field's ``prefill``; phone is not on the card.
    assert dict(s.form_values) == {"name": NAME, "id_number": ID_NUMBER, "address": ADDRESS}
    s.form_submitted({**VALID_FORM, "note": "  "})
    assert s.state is S.MATERIALS
    with pytest.raises(InputError) as err:
        s.materials_done()
    assert err.value.code == "materials_missing" and "户口簿" in explain(err.value, "zh")
    pages = [blob(10), blob(11)]
    lease = blob(12)
    s.material_taken("hukou", pages[0])
    s.material_taken("hukou", pages[1])
    with pytest.raises(InputError, match="material_full"):
        s.material_taken("hukou", blob(13))
    with pytest.raises(InputError, match="unknown_material"):
        s.material_taken("passport", blob(14))
    s.material_taken("lease", lease)
    assert s.materials_missing() == []
    s.materials_done()
    signature = blob(20, content_type="image/png")
    s.signed(signature)
    with pytest.raises(InputError) as err:
        s.confirm(False)
    assert err.value.code == "agreement_required" and s.state is S.CONFIRM
    draft = s.confirm(True)
    assert s.state is S.SUBMITTING and isinstance(s.action, SubmitDraft) and s.action.draft is draft
    assert (draft.item_code, draft.item_version, draft.item_name) == ("zz-full", "3", "房屋租赁备案")
    assert draft.promised_days == 10 and draft.identity_method == "id_card"
    assert draft.created_at == clock.now()
    assert draft.applicant.id_type == "resident" and draft.applicant.id_number == ID_NUMBER
    assert draft.applicant.phone == "13812345678"  # the form's phone joins the applicant
    assert draft.form == VALID_FORM
    assert [(m.code, m.name) for m in draft.materials] == [
        ("hukou", "户口簿（第1页）"), ("hukou", "户口簿（第2页）"), ("lease", "租赁合同")]
    assert [m.blob for m in draft.materials] == [*pages, lease]
    assert draft.face_photo is face and draft.signature is signature

    s.submitted(TXN, clock.now(), delivered=False)
    assert s.state is S.RECEIPT
    receipt = s.action
    assert isinstance(receipt, PrintReceipt)
    assert (receipt.txn_id, receipt.applicant_name, receipt.applicant_id_number) == (TXN, NAME, ID_NUMBER)
    assert receipt.item is FULL and receipt.delivered is False
    # The outbox holds the sealed bytes now: the session's copies are gone already.
    assert face.size == 0 and signature.size == 0 and all(p.size == 0 for p in pages)
    assert s.applicant is None and dict(s.form_values) == {}

    s.receipt_printed(False)
    assert s.state is S.RATING and s.receipt_ok is False and s.txn_id == TXN and s.action is None
    rating = s.rate(4, ["办事效率高"], "谢谢")
    assert (rating.txn_id, rating.score, rating.reasons, rating.comment) == (TXN, 4, ["办事效率高"], "谢谢")
    assert rating.rated_at == clock.now()
    assert s.state is S.HOME and s.item is None and s.txn_id is None
    assert [c.new for c in changes] == [S.GUIDE, S.IDENTIFY, S.FACE, S.FORM, S.MATERIALS,
                                        S.SIGNATURE, S.CONFIRM, S.SUBMITTING, S.RECEIPT,
                                        S.RATING, S.HOME]
    assert changes[-1].reason == "finished"


WITHOUT = {
    "face": (dict(face_photo=False), [S.IDENTIFY, S.FORM, S.MATERIALS, S.SIGNATURE, S.CONFIRM]),
    "form": (dict(fields=[]), [S.IDENTIFY, S.FACE, S.MATERIALS, S.SIGNATURE, S.CONFIRM]),
    "materials": (dict(materials=[]), [S.IDENTIFY, S.FACE, S.FORM, S.SIGNATURE, S.CONFIRM]),
    "signature": (dict(signature=False), [S.IDENTIFY, S.FACE, S.FORM, S.MATERIALS, S.CONFIRM]),
    "everything": (dict(face_photo=False, fields=[], materials=[], signature=False),
                   [S.IDENTIFY, S.CONFIRM]),
}


@pytest.mark.parametrize("name", sorted(WITHOUT))
def test_steps_an_item_does_not_need_are_skipped(name: str) -> None:
    changes, steps = WITHOUT[name]
    item = make_item(**changes)
    clock = FakeClock()
    s = new_session(clock)
    s.choose(item)
    s.start()
    assert s.steps == steps
    assert walk(s, clock) == [*steps, S.SUBMITTING]
    draft = s.action.draft
    assert (draft.face_photo is None) == (not item.face_photo)
    assert (draft.signature is None) == (not item.signature)
    assert bool(draft.materials) == bool(item.materials)
    assert bool(draft.form) == bool(item.fields)


@pytest.mark.parametrize("item", [APPT, make_item(code="zz-yjs", name="新生儿出生一件事",
                                                  kind="bundle", bundle=["zz-a", "zz-b"])],
                         ids=["appointment", "bundle"])
def test_appointment_and_bundle_take_the_main_path(item: Item) -> None:
    clock = FakeClock()
    s = new_session(clock)
    s.choose(item)
    s.start()
    assert walk(s, clock)[-2:] == [S.CONFIRM, S.SUBMITTING]
    assert s.action.draft.item_code == item.code
    s.submitted(TXN, clock.now(), True)
    s.receipt_printed(True)
    s.finish()  # no rating given
    assert s.state is S.HOME


def test_identify_by_qr() -> None:
    s = drive_to(S.IDENTIFY)
    s.identified_by_qr(qr())
    assert s.state is S.FACE and s.identity_method == "qr"
    assert s.applicant.id_number == ID_NUMBER and s.applicant.valid_to is None


@pytest.mark.parametrize("methods,event", [(["id_card"], "qr"), (["qr"], "card")])
def test_item_refuses_an_identity_method_it_does_not_take(methods: list[str], event: str) -> None:
    s = new_session()
    s.choose(make_item(identity_methods=methods))
    s.start()
    with pytest.raises(InvalidTransition):
        s.identified_by_qr(qr()) if event == "qr" else s.identified_by_card(card())
    assert s.state is S.IDENTIFY and s.applicant is None


def test_bad_card_keeps_waiting() -> None:
    s = drive_to(S.IDENTIFY)
    with pytest.raises(InputError, match="bad_card"):
        s.identified_by_card(card(gender="X"))
    with pytest.raises(InputError, match="bad_qr"):
        s.identified_by_qr("EID:not-resolved")  # type: ignore[arg-type]
    assert s.state is S.IDENTIFY and s.applicant is None


@pytest.mark.parametrize("card_args,codes", [({"birth": "1990-06-01"}, ["too_young"]),
                                             ({"valid_to": "2020-01-01"}, ["card_expired"])])
def test_ineligible(card_args: dict, codes: list[str]) -> None:
    s = new_session()
    s.choose(ELDER)
    s.start()
    s.identified_by_card(card(**card_args))
    assert s.state is S.INELIGIBLE and [p.code for p in s.problems] == codes
    s.finish()
    assert s.state is S.HOME and s.problems == []


def test_form_errors_come_back_and_keep_what_was_typed() -> None:
    s = drive_to(S.FORM)
    with pytest.raises(LocalFormErrors) as err:
        s.form_submitted({"name": NAME, "phone": ""})
    assert set(err.value.errors) == {"id_number", "address", "phone"}
    assert s.state is S.FORM and dict(s.form_values) == {"name": NAME, "phone": ""}


def test_back_and_retake_wipe_what_they_replace() -> None:
    s = drive_to(S.CONFIRM)
    s.back()
    assert s.state is S.SIGNATURE
    old, new = blob(7), blob(8)
    s.signed(old)
    s.back()
    s.signed(new)
    assert old.size == 0 and new.size == 64
    s.back()
    s.back()
    assert s.state is S.MATERIALS and s.pages_taken("hukou") == 2
    page = s._visit.pages["hukou"][0]
    s.material_retake("hukou")
    assert page.size == 0 and s.pages_taken("hukou") == 0
    s.back()
    s.back()
    assert s.state is S.FACE
    assert dict(s.form_values) == VALID_FORM  # kept for going forward again
    s.face_taken(blob())
    assert s.state is S.FORM


def test_back_never_undoes_identification() -> None:
    s = new_session()
    s.choose(make_item(face_photo=False))
    s.start()
    s.identified_by_card(card())
    assert s.state is S.FORM
    with pytest.raises(InvalidTransition):
        s.back()
    assert s.state is S.FORM


def test_submit_failed_returns_to_confirm_with_everything_intact() -> None:
    clock = FakeClock()
    s = drive_to(S.SUBMITTING, clock)
    first = s.action.draft
    s.submit_failed()
    assert s.state is S.CONFIRM and s.action is None
    assert all(b.size == 64 for b in first.blobs())
    second = s.confirm(True)
    assert second is not first and [m.blob for m in second.materials] == [m.blob for m in first.materials]
    with pytest.raises(InputError, match="bad_txn_id"):
        s.submitted("not-a-number", clock.now(), True)
    assert s.state is S.SUBMITTING


@pytest.mark.parametrize("bad", [blob(content_type="image/gif"), blob(size=0),
                                 blob(size=MAX_BLOB_BYTES + 1), "jpeg bytes"],
                         ids=["type", "empty", "large", "not-a-blob"])
def test_bad_images_are_refused_and_left_alone(bad) -> None:
    s = drive_to(S.FACE)
    before = None if isinstance(bad, str) else bytes(bad.data)
    with pytest.raises(InputError, match="bad_image"):
        s.face_taken(bad)
    assert s.state is S.FACE
    if before is not None:
        assert bytes(bad.data) == before and set(before) <= {0x5A}  # untouched: still the caller's


def test_rating_score_is_checked() -> None:
    s = drive_to(S.RATING)
    with pytest.raises(InputError, match="bad_rating"):
        s.rate(6)
    assert s.state is S.RATING


def test_certificate_path() -> None:
    s = new_session()
    changes = []
    s.subscribe(changes.append)
    s.choose(CERT)
    s.start()
    assert s.steps == [S.IDENTIFY, S.CERTIFICATE]
    s.identified_by_card(card())
    assert s.state is S.CERTIFICATE
    assert s.action == FetchCertificate(CERT, "pension-rights", ID_NUMBER)
    s.certificate_printed(False)
    assert s.state is S.HOME and changes[-1].reason == "certificate_failed"


def test_certificate_with_face_check() -> None:
    item = make_item(code="zz-sbjf", name="社保缴费证明", kind="certificate",
                     certificate_kind="social-insurance-paid", fields=[], materials=[],
                     signature=False, face_photo=True)
    s = new_session()
    s.choose(item)
    s.start()
    s.identified_by_qr(qr())
    assert s.state is S.FACE and s.action is None
    s.face_taken(blob())
    assert s.state is S.CERTIFICATE and s.action.kind == "social-insurance-paid"


def test_guide_print_needs_no_identity() -> None:
    s = drive_to(S.GUIDE)
    s.print_guide()
    assert s.action == PrintGuide(FULL) and s.applicant is None
    s.guide_printed(False)
    assert s.state is S.GUIDE and s.guide_print_ok is False and s.action is None
    s.start()
    assert s.state is S.IDENTIFY


@pytest.mark.parametrize("typed", [TXN, f"  {TXN.lower()} \n"])
def test_progress_by_number(typed: str) -> None:
    s = drive_to(S.PROGRESS_QUERY)
    s.progress_by_number(typed)
    assert s.action == QueryProgress(txn_id=TXN)
    s.progress_answered(0)
    assert s.state is S.PROGRESS_RESULT and s.progress_count == 0 and s.action is None
    s.finish()
    assert s.state is S.HOME


@pytest.mark.parametrize("garbage", ["", "hello", "ZZ-EQ-0001-2026112-000042", "http://x.cn/?a=1"])
def test_progress_refuses_what_is_not_a_receipt_number(garbage: str) -> None:
    s = drive_to(S.PROGRESS_QUERY)
    with pytest.raises(InputError) as err:
        s.progress_by_number(garbage)
    assert err.value.code == "bad_number" and "受理编号" in explain(err.value, "zh")
    assert s.state is S.PROGRESS_QUERY


@pytest.mark.parametrize("how", ["card", "qr"])
def test_progress_by_identity_keeps_only_the_query(how: str) -> None:
    s = drive_to(S.PROGRESS_QUERY)
    s.identified_by_card(card()) if how == "card" else s.identified_by_qr(qr())
    assert s.action == QueryProgress(id_number=ID_NUMBER)
    assert s.applicant is None and s.identity_method is None
    s.progress_answered(2)
    assert s.action is None and s.progress_count == 2


@pytest.mark.parametrize("state", list(State), ids=lambda st: st.value)
def test_action_is_set_exactly_in_busy_states(state: State) -> None:
    s = drive_to(state)
    assert (s.action is not None) == (state in BUSY)


def test_listener_errors_do_not_break_the_visit() -> None:
    s = new_session()
    seen = []

    def broken(change) -> None:
        raise RuntimeError("screen died")

    s.subscribe(broken)
    unsubscribe = s.subscribe(seen.append)
    s.choose(FULL)
    unsubscribe()
    s.start()
    assert s.state is S.IDENTIFY and [c.new for c in seen] == [S.GUIDE]


def test_default_rules_are_the_catalogs() -> None:
    """Without injection the catalog's eligibility and form rules apply."""
    clock = FakeClock()
    s = Session(monotonic=clock.monotonic, wall=clock.now)
    s.choose(ELDER)
    s.start()
    s.identified_by_card(card(birth="1990-06-01"))
    assert [p.code for p in s.problems] == ["too_young"]
    s.cancel()
    s.choose(ELDER)
    s.start()
    s.identified_by_card(card())
    s.face_taken(blob())
    with pytest.raises(ValueError) as err:
        s.form_submitted({**VALID_FORM, "phone": "12345"})
    assert set(getattr(err.value, "errors", {})) == {"phone"}
    s.form_submitted(VALID_FORM)
    assert s.state is S.MATERIALS


def test_item_fixtures_are_what_the_tests_claim() -> None:
    assert FULL.fields and FULL.materials and FULL.face_photo and FULL.signature
    assert [m["code"] for m in FULL_MATERIALS] == [m.code for m in FULL.materials]
    assert len(FULL_FIELDS) == len(FULL.fields)
    assert BARE.kind == "service" and APPT.kind == "appointment" and CERT.kind == "certificate"
    assert date(1940, 3, 5).isoformat() == card()["birth"]
