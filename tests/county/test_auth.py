"""Signatures, the 300 s clock window, nonces remembered 600 s (in the database), and the
per-device rate limit."""

from __future__ import annotations

import threading
from datetime import datetime

from kiosk.signing import DeviceKey, new_nonce
from tests.county.support import Kiosk, Server


def test_unknown_device_is_bad_signature(server):
    stranger = Kiosk(server, "ZZ-EQ-0404", DeviceKey.generate())
    answer = stranger.send("GET", "/catalog")
    assert answer.status_code == 401 and answer.json()["error"] == "bad_signature"


def test_a_signature_that_does_not_verify_is_bad_signature(kiosk):
    impostor = Kiosk(kiosk.server, kiosk.device_id, DeviceKey.generate())
    assert impostor.send("GET", "/catalog").json()["error"] == "bad_signature"
    unsigned = kiosk.send("GET", "/catalog", sign=False)
    assert unsigned.status_code == 401 and unsigned.json()["error"] == "bad_signature"


def test_the_signature_covers_body_and_query(kiosk):
    from kiosk.signing import sign_request

    body = b'{"id_number": "110105199003071239"}'
    headers = sign_request(kiosk.key, kiosk.device_id, "POST", "/api/v1/transactions/query", body)
    tampered = kiosk.session.post(kiosk.server.url + "/api/v1/transactions/query", data=body.replace(b"71239", b"71240"),
                                  headers={**headers, "Content-Type": "application/json"})
    assert tampered.status_code == 401 and tampered.json()["error"] == "bad_signature"
    headers = sign_request(kiosk.key, kiosk.device_id, "GET", "/api/v1/catalog")  # signed without the query
    answer = kiosk.session.get(kiosk.server.url + "/api/v1/catalog?v=2", headers=headers)
    assert answer.json()["error"] == "bad_signature"
    assert kiosk.send("GET", "/catalog?v=2").status_code == 200  # signed with it


def test_clock_window_is_300_seconds_with_server_time(kiosk):
    now = kiosk.server.clock()
    assert kiosk.send("GET", "/catalog", timestamp=now - 290).status_code == 200
    assert kiosk.send("GET", "/catalog", timestamp=now + 290).status_code == 200
    for moment in (now - 310, now + 310):
        answer = kiosk.send("GET", "/catalog", timestamp=moment)
        assert answer.status_code == 401 and answer.json()["error"] == "clock_skew"
        server_time = datetime.fromisoformat(answer.json()["server_time"])
        assert server_time.tzinfo is not None and abs(server_time.timestamp() - now) < 5


def test_a_nonce_is_refused_for_600_seconds(kiosk):
    clock = kiosk.server.clock
    nonce = new_nonce()
    assert kiosk.send("GET", "/catalog", nonce=nonce).status_code == 200
    replay = kiosk.send("GET", "/catalog", nonce=nonce)
    assert replay.status_code == 401 and replay.json()["error"] == "replayed_nonce"
    clock.offset += 590
    assert kiosk.send("GET", "/catalog", nonce=nonce).json()["error"] == "replayed_nonce"
    clock.offset += 20  # 610 s after it was first seen
    assert kiosk.send("GET", "/catalog", nonce=nonce).status_code == 200


def test_nonces_are_shared_by_every_worker_of_one_database(kiosk, db_url):
    nonce = new_nonce()
    assert kiosk.send("GET", "/catalog", nonce=nonce).status_code == 200
    with Server(db_url) as second:
        other = Kiosk(second, kiosk.device_id, kiosk.key)
        answer = other.send("GET", "/catalog", nonce=nonce)
        assert answer.status_code == 401 and answer.json()["error"] == "replayed_nonce"


def test_a_flood_from_one_device_is_429_and_does_not_starve_another(db_url):
    with Server(db_url, rate_per_s=2.0, rate_burst=10) as server:
        flooder, quiet = server.enroll("ZZ-EQ-0001"), server.enroll("ZZ-EQ-0002")
        results: list[int] = []
        retry_after: list[str] = []

        def flood() -> None:
            for _ in range(30):
                answer = flooder.send("GET", "/catalog")
                results.append(answer.status_code)
                if answer.status_code == 429:
                    retry_after.append(answer.headers.get("Retry-After", ""))
                    assert answer.json()["error"] == "rate_limited"

        thread = threading.Thread(target=flood)
        thread.start()
        quiet_answers = [quiet.send("GET", "/catalog").status_code for _ in range(5)]
        thread.join(30)
        assert results.count(429) >= 10 and results.count(200) >= 10
        assert quiet_answers == [200] * 5
        assert retry_after and all(value.isdigit() and int(value) >= 1 for value in retry_after)
