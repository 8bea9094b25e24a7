"""The simulation's network cable: the relay between the kiosk and the loopback county.
Through it a request reaches the county; cut, a request fails at once (no hang) and a
keep-alive connection is dropped; restored, the same URL works again."""

import socket
import time

import pytest
import requests

from kiosk.simulation.county import LoopbackCounty
from kiosk.simulation.relay import Relay


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    backend = LoopbackCounty(tmp_path_factory.mktemp("county")).start()
    yield backend
    backend.stop()


@pytest.fixture
def relay(county):
    port = int(county.url.rsplit(":", 1)[1])
    with Relay(("127.0.0.1", port)) as relay:
        yield relay


def healthz(session, relay):
    return session.get(relay.url + "/healthz", timeout=(2, 5))


def test_a_request_through_the_relay_reaches_the_county(relay, county):
    assert relay.url != county.url
    with requests.Session() as session:
        answer = healthz(session, relay)
    assert answer.status_code == 200 and answer.json()["ok"] is True
    assert relay.accepted == 1


def test_cut_fails_fast_and_restore_serves_again(relay):
    with requests.Session() as session:
        assert healthz(session, relay).ok
        relay.cut()
        assert relay.is_cut
        started = time.monotonic()
        with pytest.raises(requests.ConnectionError):
            healthz(session, relay)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", relay.port), timeout=2).close()
        assert time.monotonic() - started < 1.5  # refused, not timed out
        relay.restore()
        assert not relay.is_cut
        assert healthz(session, relay).json()["ok"] is True


def test_cut_drops_live_keep_alive_connections(relay):
    with requests.Session() as session:
        assert healthz(session, relay).ok
        deadline = time.monotonic() + 2
        while relay.live != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert relay.live == 1  # the pooled connection is held open through the relay
        raw = socket.create_connection(("127.0.0.1", relay.port), timeout=2)
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in raw.recv(4096)
        relay.cut()
        with pytest.raises(ConnectionResetError):  # reset, not closed politely
            raw.settimeout(2)
            while raw.recv(4096):
                pass
        raw.close()
        deadline = time.monotonic() + 2
        while relay.live and time.monotonic() < deadline:
            time.sleep(0.01)
        assert relay.live == 0
        relay.restore()
        assert healthz(session, relay).ok  # the pool's dead connection is replaced
        assert relay.accepted == 3
