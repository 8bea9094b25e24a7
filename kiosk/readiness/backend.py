"""Is the county backend reachable, and does it accept this machine? One signed request.

The probe is ``GET /api/v1/catalog`` with the cached catalog's ETag (county-api.md,
"Catalog"): signed with the device key like every request of the agent, so the answer says
both things at once, and it changes nothing at the county (a beacon would count as one in
the fleet view). Usually the answer is a 304.

- an answer: the backend is reachable; 200/304: the enrollment is accepted; 401
  ``bad_signature``: the county does not know this key (not enrolled, or re-keyed);
- ``clock_skew``: the offset is taken from the backend's ``server_time`` and the request is
  tried once more with the corrected time, as the agent does;
- no answer (connection refused, timeout, TLS): not reachable.

The skew is the backend's ``server_time`` when it complained, else its ``Date`` header
against the middle of the request (one-second resolution).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from kiosk.client import ClientError, ClockSkew, CountyClient, Final, NotAuthorized, Retryable
from kiosk.signing import DeviceKey, KeyFileError


@dataclass
class Probe:
    """What the probe found; ``reachable``/``accepted`` None when not known."""

    reachable: bool
    accepted: bool | None
    reason: str
    skew_s: float | None = None
    latency_ms: int | None = None
    catalog: str = ""  # "unchanged", "changed" or ""
    data: dict[str, Any] = field(default_factory=dict)


class _DateWatch:
    """A ``requests`` response hook keeping the offset the last ``Date`` header tells."""

    def __init__(self) -> None:
        self.offset_s: float | None = None

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        value = response.headers.get("Date")
        if not value:
            return
        try:
            server = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return
        received = time.time()
        middle = received - response.elapsed.total_seconds() / 2
        self.offset_s = server + 0.5 - middle  # the header truncates to the second


def _client(config: Any, key: DeviceKey, timeout_s: float) -> CountyClient:
    backend = config.backend
    verify: bool | str = str(config.path(backend.ca_file)) if backend.ca_file else backend.verify_tls
    return CountyClient(str(backend.url), config.identity.device_id, key,
                        connect_timeout_s=min(timeout_s, backend.connect_timeout_s),
                        read_timeout_s=timeout_s, verify=verify)


def probe(config: Any, etag: str | None, timeout_s: float = 5.0) -> Probe:
    """Ask the backend once (twice after a ``clock_skew``); never raises for what it finds."""
    try:
        key = DeviceKey.load(config.path(config.paths.device_key))
    except KeyFileError as err:
        return _unsigned(config, timeout_s, f"no usable device key: {err}")
    client = _client(config, key, timeout_s)
    dates = _DateWatch()
    client.session.hooks["response"].append(dates)
    skew: float | None = None
    started = time.monotonic()
    try:
        try:
            fetched = client.get_catalog(etag)
        except ClockSkew as err:
            skew = err.offset_s
            fetched = client.get_catalog(etag)
    except NotAuthorized:
        return _done(Probe(True, False, "the backend does not accept this machine's key (401 bad_signature): "
                                       "enroll it again with kiosk-provision init"), started, skew, dates)
    except ClockSkew as err:
        return _done(Probe(True, None, f"clock_skew twice: {err}"), started, err.offset_s, dates)
    except Final as err:
        return _done(Probe(True, False, f"refused: {err.status} {err.code}"), started, skew, dates)
    except Retryable as err:
        answered = err.reason.startswith(("http_", "bad_answer"))
        return _done(Probe(False, None, f"{'answers badly' if answered else 'not reachable'}: {err.reason}"),
                     started, skew, dates)
    except (ClientError, ValueError, OSError) as err:
        return _done(Probe(False, None, f"not reachable: {type(err).__name__}"), started, skew, dates)
    finally:
        client.close()
    result = Probe(True, True, "enrollment accepted", catalog="unchanged" if fetched.not_modified else "changed")
    return _done(result, started, skew, dates)


def _done(result: Probe, started: float, skew: float | None, dates: _DateWatch) -> Probe:
    result.latency_ms = round((time.monotonic() - started) * 1000)
    result.skew_s = skew if skew is not None else dates.offset_s
    return result


def _unsigned(config: Any, timeout_s: float, why: str) -> Probe:
    """Without a key only reachability can be learnt: any HTTP answer will do."""
    url = str(config.backend.url).rstrip("/") + "/api/v1/catalog"
    backend = config.backend
    verify: bool | str = str(config.path(backend.ca_file)) if backend.ca_file else backend.verify_tls
    dates = _DateWatch()
    started = time.monotonic()
    try:
        with requests.Session() as session:
            session.hooks["response"].append(dates)
            session.get(url, timeout=(min(timeout_s, backend.connect_timeout_s), timeout_s), verify=verify,
                        allow_redirects=False)
    except requests.RequestException as err:
        return _done(Probe(False, False, f"{why}; backend not reachable: {type(err).__name__}"), started, None, dates)
    return _done(Probe(True, False, why), started, None, dates)
