"""Every rule of the county client, over real HTTP against the fake county on loopback."""

from __future__ import annotations

import hashlib
import json
import time
from email.utils import formatdate

import pytest

from kiosk import wire
from kiosk.client import (CatalogFetch, ClockSkew, CountyClient, Final, MissingBlobs, NotAuthorized, Retryable,
                          parse_retry_after)
from kiosk.signing import DeviceKey
from kiosk.store import bodies
from tests.support.fake_county import FakeCounty
from tests.support.fake_county_http import Answer
from tests.support.kiosk_env import DEVICE_ID, make_draft


def txn_body(n: int = 1, item: str = "zz-gljt") -> tuple[str, bytes, dict[str, tuple[str, bytes]]]:
    draft = make_draft(n, item)
    txn_id = f"{DEVICE_ID}-20261122-{n:06d}"
    body = bodies.transaction_body(bodies.transaction_model(draft, txn_id))
    blobs = {b.sha256: (b.content_type, bytes(b.data)) for b in draft.blobs()}
    return txn_id, body, blobs


def upload_all(client: CountyClient, blobs: dict[str, tuple[str, bytes]]) -> None:
    for sha, (ctype, data) in blobs.items():
        client.put_blob(sha, ctype, data)


def test_enroll_uses_a_single_use_token(county: FakeCounty) -> None:
    key = DeviceKey.generate()
    identity = {"device_id": "ZZ-EQ-0009", "maintainer": "二七区政务服务中心", "phone": "0371-68665010"}
    client = CountyClient(county.url, "ZZ-EQ-0009", key)
    token = county.new_token()
    answer = client.enroll(token, key.public_key_b64(), identity)
    assert answer.device_id == "ZZ-EQ-0009"
    assert county.devices["ZZ-EQ-0009"] == key.public_key_b64()
    with pytest.raises(Final) as used:
        client.enroll(token, key.public_key_b64(), identity)
    assert (used.value.status, used.value.code) == (403, "bad_token")
    other = DeviceKey.generate()
    with pytest.raises(Final) as taken:
        client.enroll(county.new_token(), other.public_key_b64(), identity)
    assert (taken.value.status, taken.value.code) == (409, "already_enrolled")


def test_signed_requests_pass_and_an_unknown_key_waits(county: FakeCounty, client: CountyClient) -> None:
    assert client.post_beacon  # the fixture's key is enrolled
    assert client.get_catalog().etag == county.catalog_etag
    stranger = CountyClient(county.url, DEVICE_ID, DeviceKey.generate())
    with pytest.raises(NotAuthorized) as err:  # the machine's fault: retried, never a dead letter
        stranger.get_catalog()
    assert isinstance(err.value, Retryable) and err.value.reason.startswith("bad_signature")


def test_the_signed_path_is_the_target_on_the_wire_with_prefix_and_query(env, tmp_path) -> None:
    _, key = env
    with FakeCounty(prefix="/kiosk") as county:
        county.enroll_key(DEVICE_ID, key.public_key_b64())
        client = CountyClient(county.url + "/", DEVICE_ID, key)
        assert client.get("/catalog?lang=zh-CN&x=%E4%B8%AD").status_code == 200
        assert county.log[-1] == ("GET", "/catalog?lang=zh-CN&x=%E4%B8%AD", 200)


def test_keep_alive_one_connection_for_many_requests(county: FakeCounty, client: CountyClient) -> None:
    for _ in range(5):
        client.get_catalog()
    assert county.connections == 1


def test_transaction_idempotency_repeat_and_conflict(county: FakeCounty, client: CountyClient) -> None:
    txn_id, body, blobs = txn_body(1)
    upload_all(client, blobs)
    ack, repeat = client.post_transaction(txn_id, body)
    assert (ack.txn_id, ack.status, repeat) == (txn_id, "received", False)
    again, repeat = client.post_transaction(txn_id, body)
    assert repeat and again == ack
    changed = body.replace(b"13800138000", b"13900139000", 1)
    with pytest.raises(Final) as err:
        client.post_transaction(txn_id, changed)
    assert (err.value.status, err.value.code) == (409, "idempotency_conflict")
    assert county.created[txn_id] == 1


def test_missing_blobs_names_them(county: FakeCounty, client: CountyClient) -> None:
    txn_id, body, blobs = txn_body(2)
    with pytest.raises(MissingBlobs) as err:
        client.post_transaction(txn_id, body)
    assert sorted(err.value.missing) == sorted(blobs)
    assert isinstance(err.value, Final)


def test_blobs_are_content_addressed(county: FakeCounty, client: CountyClient) -> None:
    data = b"\xff\xd8\xff" + b"x" * 100
    sha = hashlib.sha256(data).hexdigest()
    assert client.put_blob(sha, "image/jpeg", data) is True
    assert client.put_blob(sha, "image/jpeg", data) is False
    with pytest.raises(Final) as mismatch:
        client.put_blob("0" * 64, "image/jpeg", data)
    assert mismatch.value.code == "hash_mismatch"
    big = b"\0" * (wire.MAX_BLOB_BYTES + 1)
    with pytest.raises(Final) as large:
        client.put_blob(hashlib.sha256(big).hexdigest(), "image/jpeg", big)
    assert (large.value.status, large.value.code) == (413, "too_large")


@pytest.mark.parametrize("kind", ["503", "500", "408", "cut", "drop", "html", "truncated", "wrong_shape"])
def test_transient_failures_are_retryable(county: FakeCounty, client: CountyClient, kind: str) -> None:
    county.fail(kind, match="GET /catalog")
    with pytest.raises(Retryable):
        client.get_catalog()
    assert client.get_catalog().payload is not None  # and the next one goes through


def test_slow_answer_times_out_as_retryable(county: FakeCounty, env) -> None:
    _, key = env
    client = CountyClient(county.url, DEVICE_ID, key, read_timeout_s=0.2)
    county.fail("slow", match="GET /catalog", delay=0.6)
    started = time.monotonic()
    with pytest.raises(Retryable) as err:
        client.get_catalog()
    assert err.value.reason == "timeout" and time.monotonic() - started < 0.6


def test_429_honours_retry_after_in_seconds_and_as_a_date(county: FakeCounty, client: CountyClient) -> None:
    county.fail("429", match="GET /catalog", retry_after="7")
    with pytest.raises(Retryable) as err:
        client.get_catalog()
    assert (err.value.reason, err.value.retry_after) == ("http_429", 7.0)
    county.fail("429", match="GET /catalog", retry_after=formatdate(time.time() + 30, usegmt=True))
    with pytest.raises(Retryable) as dated:
        client.get_catalog()
    assert 27 <= dated.value.retry_after <= 31
    assert parse_retry_after("nonsense", 0) is None and parse_retry_after(None, 0) is None


def test_other_4xx_are_final_with_code_and_message(county: FakeCounty, client: CountyClient) -> None:
    county.invalid_items.add("zz-bad")
    txn_id, body, blobs = txn_body(3, item="zz-bad")
    upload_all(client, blobs)
    with pytest.raises(Final) as err:
        client.post_transaction(txn_id, body)
    assert (err.value.status, err.value.code, err.value.message) == (422, "invalid", "不符合事项规则")
    with pytest.raises(Final) as missing:
        client.get_progress(f"{DEVICE_ID}-20261122-999999")
    assert missing.value.status == 404


def test_clock_skew_is_recorded_and_later_requests_use_the_corrected_time(county: FakeCounty, env) -> None:
    _, key = env
    # a kiosk whose clock is an hour slow, talking to a server with the right time
    client = CountyClient(county.url, DEVICE_ID, key, clock=lambda: time.time() - 3600)
    client.session.hooks["response"] = []
    # the Date header would teach the offset at once; hide it for the first answer to see clock_skew
    county_date = county.httpd.RequestHandlerClass.date_time_string
    county.httpd.RequestHandlerClass.date_time_string = lambda self, ts=None: "garbage"
    try:
        with pytest.raises(ClockSkew) as err:
            client.get_catalog()
    finally:
        county.httpd.RequestHandlerClass.date_time_string = county_date
    assert abs(err.value.offset_s - 3600) < 3 and abs(client.clock_skew_s - 3600) <= 2
    assert err.value.server_time.tzinfo is not None
    assert client.get_catalog().payload is not None  # signed with the corrected time
    assert [entry[2] for entry in county.log] == [401, 200]


def test_clock_offset_is_learnt_from_the_date_header(county: FakeCounty, client: CountyClient) -> None:
    county.skew_s = 200.0  # inside the window: no 401, but the Date header tells
    assert client.clock_skew_s == 0
    client.get_catalog()
    assert abs(client.clock_skew_s - 200) <= 2
    county.skew_s = -500.0  # outside: clock_skew, recorded
    with pytest.raises(ClockSkew):
        client.get_catalog()
    assert abs(client.clock_skew_s + 500) <= 2
    county.skew_s = -400.0  # the client's idea is 100 s off: accepted, and corrected from Date
    client.get_catalog()
    assert abs(client.clock_skew_s + 400) <= 2


def test_replayed_nonce_is_retryable_not_final(county: FakeCounty, client: CountyClient, monkeypatch) -> None:
    import kiosk.signing as signing

    monkeypatch.setattr(signing, "new_nonce", lambda: "a" * 32)
    client.get_catalog()
    with pytest.raises(Retryable) as err:
        client.get_catalog()
    assert err.value.reason == "replayed_nonce"


def test_progress_query_certificate_rating_and_catalog_etag(county: FakeCounty, client: CountyClient) -> None:
    txn_id, body, blobs = txn_body(4)
    upload_all(client, blobs)
    client.post_transaction(txn_id, body)
    progress = client.get_progress(txn_id)
    assert progress.applicant.name == "欧**明" and "*" in progress.applicant.id_number
    found = client.query_progress(json.loads(body)["applicant"]["id_number"])
    assert [p.txn_id for p in found.transactions] == [txn_id]
    rating = bodies.rating_body(wire.RatingIn(txn_id=txn_id, score=4, rated_at="2026-11-22T10:09:00+08:00"))
    assert client.post_rating(txn_id, rating) is True
    assert client.post_rating(txn_id, rating) is False
    with pytest.raises(Final) as unknown:
        other = f"{DEVICE_ID}-20261122-000099"
        client.post_rating(other, rating.replace(txn_id.encode(), other.encode()))
    assert unknown.value.status == 404
    county.certificates[("sbjf", "410102195003071234")] = {
        "kind": "sbjf", "title": "社保缴费证明", "lines": ["参保状态：正常"],
        "issued_at": "2026-11-22T10:00:00+08:00", "verify_code": "V123"}
    assert client.certificate("sbjf", "410102195003071234").verify_code == "V123"
    with pytest.raises(Final) as none:
        client.certificate("sbjf", "110105194912310021")
    assert none.value.code == "no_record"
    first = client.get_catalog()
    assert first.payload == county.catalog and first.etag == '"cat-1"'
    assert client.get_catalog(first.etag) == CatalogFetch(None, '"cat-1"')
    assert county.log[-1][2] == 304


def test_a_wrong_shape_for_one_endpoint_is_retryable(county: FakeCounty, client: CountyClient) -> None:
    county.set_catalog({"version": "1"}, '"x"')  # no items: not the contract's answer
    with pytest.raises(Retryable) as err:
        client.get_catalog()
    assert "wrong shape" in err.value.reason


def test_from_config_takes_url_timeouts_and_tls(env, county: FakeCounty) -> None:
    config, key = env
    client = CountyClient.from_config(config, key)
    assert client.base_url == county.url and client.timeout == (1.0, 2.0) and client.verify is True
    assert client.device_id == DEVICE_ID and client.get_catalog().etag


def test_a_redirect_is_not_followed(county: FakeCounty, client: CountyClient) -> None:
    county.handle = lambda *a: Answer(302, {"error": "login"}, {"Location": "http://portal.example/login"})
    with pytest.raises(Retryable) as err:
        client.get_catalog()
    assert err.value.reason.startswith("http_302")
    assert len(county.log) == 1


def test_a_proxys_date_header_cannot_pull_the_offset_off_the_backends_clock(county: FakeCounty,
                                                                              client: CountyClient) -> None:
    """The backend's clock is 1000 s ahead; a proxy in between stamps Date with the real time."""
    county.skew_s = 1000.0
    county.proxy_date_skew_s = 0.0
    with pytest.raises(ClockSkew):
        client.get_catalog()
    assert abs(client.clock_skew_s - 1000) <= 2
    for _ in range(4):  # every later request is signed right: no clock_skew, no flapping
        assert client.get_catalog().etag
        assert abs(client.clock_skew_s - 1000) <= 2
    assert [status for _, _, status in county.log] == [401, 200, 200, 200, 200]
    county.skew_s = 1100.0  # the backend's clock really moves: the proxy's Date cannot tell,
    client.get_catalog()  # but it is still inside the window, and the next clock_skew teaches it
    county.skew_s = 1500.0
    with pytest.raises(ClockSkew):
        client.get_catalog()
    assert abs(client.clock_skew_s - 1500) <= 2 and client.get_catalog().etag


def test_a_beacon_answer_is_read_without_its_commands(county: FakeCounty, client: CountyClient, env,
                                                      store) -> None:
    from kiosk.agent.runner import Agent

    county.queue_raw_command(DEVICE_ID, {"id": "x" * 500, "type": ["no"]})
    county.queue_command(DEVICE_ID, "c1", "reload_catalog")
    beacon = Agent(env[0], store.outbox, store.kv, client).beacons.build([])
    answer = client.post_beacon(beacon)
    assert answer.server_time.tzinfo is not None and len(answer.commands) == 2
    assert "x" * 500 not in repr(answer)
