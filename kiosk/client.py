"""The county backend's client (county-api.md): signed requests, errors translated once.

Everything the network or the backend can do wrong becomes one of three exceptions here, so
the agent never looks at a status code:

- :class:`Retryable` — connection failures, timeouts, 408, 429 (with ``Retry-After``), 5xx,
  redirects (the contract has none: a captive portal or a misrouted proxy),
  ``replayed_nonce`` (a fresh nonce cures it), and answers that are not the JSON the contract
  promises (an HTML error page, truncated JSON, a wrong shape): try again later, forever.
- :class:`NotAuthorized` (a Retryable) — 401 ``bad_signature``: the machine, not the request,
  is at fault, so no transaction becomes a dead letter for it (deliberately stricter than
  "any other 4xx is final": a re-keyed machine must not dead-letter its whole queue).
- :class:`ClockSkew` — 401 ``clock_skew``: the offset to the server's clock is recorded and
  every later request is signed with the corrected time; the caller may try again once.
- :class:`Final` — any other 4xx: the request will never succeed as it is (dead letter).
  :class:`MissingBlobs` (422 ``missing_blobs``) is a Final the agent can mend.

The offset to the server's clock is also learnt from every answer's ``Date`` header, but
the backend's own ``server_time`` (in a ``clock_skew`` answer) weighs more: the ``Date`` of
that same answer may come from a proxy in between, so its disagreement with ``server_time``
is kept as :attr:`CountyClient.date_bias_s` and taken off every later ``Date``. A proxy whose
clock is off then cannot pull the offset away from the backend's clock (which would make
every other request a ``clock_skew``).

``post_beacon`` checks only what makes a beacon delivered (200 with a valid ``server_time``)
and hands the commands over unparsed: one malformed command must not cost the others.
Nothing personal is put into an exception: messages come from the backend's error body.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from kiosk import wire
from kiosk.signing import DeviceKey, sign_request

M = TypeVar("M", bound=BaseModel)

#: A ``Date`` header only moves the offset when it disagrees by more than this
#: (it has one-second resolution and the answer took some time to come).
DATE_TOLERANCE_S = 3.0


class ClientError(Exception):
    """Base of the client's errors."""


class Retryable(ClientError):
    """Try again later; ``retry_after`` (seconds) when the backend said how long to wait."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason if retry_after is None else f"{reason} (retry after {retry_after:.0f} s)")
        self.reason = reason
        self.retry_after = retry_after


class NotAuthorized(Retryable):
    """401 ``bad_signature``: the backend does not know this machine's key (not enrolled,
    re-keyed, or the county's database was restored). That is the machine's fault, not the
    transaction's: nothing is dead-lettered; delivery waits, the beacon's outbox figures grow,
    and the service menu shows the reason until the machine is enrolled again."""

    def __init__(self) -> None:
        super().__init__("bad_signature: the backend does not accept this machine's key; enroll it again")


class ClockSkew(ClientError):
    """401 ``clock_skew``: the offset is corrected already; one more try is not blind."""

    def __init__(self, server_time: datetime, offset_s: float) -> None:
        super().__init__(f"clock_skew: server time {server_time.isoformat()}, offset now {offset_s:+.0f} s")
        self.server_time = server_time
        self.offset_s = offset_s


class Final(ClientError):
    """A 4xx the contract makes final: the request will not succeed by repeating it."""

    def __init__(self, code: str, message: str = "", status: int = 0) -> None:
        super().__init__(f"{status} {code}: {message}" if message else f"{status} {code}")
        self.code = code
        self.message = message
        self.status = status


class MissingBlobs(Final):
    """422 ``missing_blobs``: upload these and post again."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("missing_blobs", f"{len(missing)} blob(s) missing", 422)
        self.missing = missing


@dataclass(frozen=True)
class CatalogFetch:
    """The answer to ``GET /catalog``: ``payload`` is None when unchanged (304)."""

    payload: dict[str, Any] | None = field(repr=False)
    etag: str | None

    @property
    def not_modified(self) -> bool:
        return self.payload is None


class _ServerTime(BaseModel):
    model_config = ConfigDict(extra="ignore")
    server_time: AwareDatetime


@dataclass(frozen=True)
class BeaconAnswer:
    """A beacon's 200 answer: ``server_time`` validated, ``commands`` as sent (each one is
    validated on its own by the agent; a non-list is taken as none)."""

    server_time: datetime
    commands: list[Any] = field(repr=False)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date (taken against ``now``)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, moment.timestamp() - now)


class CountyClient:
    """One ``requests.Session`` (keep-alive) to the county backend; every request signed.

    ``offset_s`` is the server clock minus ours; requests are signed with ``clock() +
    offset_s``. The agent persists :attr:`offset_s` and passes it back after a restart.
    """

    def __init__(
        self,
        base_url: str,
        device_id: str,
        key: DeviceKey | None,
        *,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 20.0,
        verify: bool | str = True,
        offset_s: float = 0.0,
        date_bias_s: float = 0.0,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self.key = key
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.verify = verify
        self.offset_s = float(offset_s)
        self.date_bias_s = float(date_bias_s)  # a Date header's error against server_time
        self.clock = clock
        self.session = session or requests.Session()

    @classmethod
    def from_config(cls, config: Any, key: DeviceKey | None, device_id: str | None = None, **kw: Any) -> "CountyClient":
        backend = config.backend
        verify: bool | str = str(config.path(backend.ca_file)) if backend.ca_file else backend.verify_tls
        return cls(
            str(backend.url), device_id or config.identity.device_id, key,
            connect_timeout_s=backend.connect_timeout_s, read_timeout_s=backend.read_timeout_s,
            verify=verify, **kw,
        )

    def close(self) -> None:
        self.session.close()

    # -- the clock ----------------------------------------------------------------------------
    def now(self) -> float:
        """Our best idea of the server's time."""
        return self.clock() + self.offset_s

    @property
    def clock_skew_s(self) -> int:
        """What the beacon reports: server clock minus ours, whole seconds."""
        return round(self.offset_s)

    def _date_offset(self, response: requests.Response, sent_at: float) -> float | None:
        """The offset the answer's ``Date`` header tells (None without a usable one)."""
        value = response.headers.get("Date")
        if not value:
            return None
        try:
            server = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        local_mid = (sent_at + self.clock()) / 2
        return server + 0.5 - local_mid  # the header truncates to the second

    def _learn_date(self, measured: float | None) -> None:
        if measured is None:
            return
        corrected = measured - self.date_bias_s
        if abs(corrected - self.offset_s) > DATE_TOLERANCE_S:
            self.offset_s = corrected

    # -- the one place requests are made --------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        signed: bool = True,
        content_type: str = "application/json",
    ) -> requests.Response:
        url = self.base_url + wire.API_PREFIX + path
        all_headers = dict(headers or {})
        if body or method in ("POST", "PUT"):
            all_headers["Content-Type"] = content_type
        prepared = self.session.prepare_request(requests.Request(method, url, data=body or None, headers=all_headers))
        if signed:
            if self.key is None:
                raise ValueError("a signed request needs the device key")
            # the request target exactly as it goes on the wire
            prepared.headers.update(sign_request(self.key, self.device_id, method, prepared.path_url, body, int(self.now())))
        sent_at = self.clock()
        try:
            response = self.session.send(prepared, timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except requests.Timeout:
            raise Retryable("timeout") from None
        except requests.RequestException as err:
            raise Retryable(f"connection: {type(err).__name__}") from None
        date_offset = self._date_offset(response, sent_at)
        status = response.status_code
        if not (status == 401 and self._error_body(response).get("error") == "clock_skew"):
            self._learn_date(date_offset)
        if 300 <= status < 400 and status != 304:  # not in the contract: a captive portal, a proxy
            raise Retryable(f"http_{status}: unexpected redirect")
        if status < 400:
            return response
        error = self._error_body(response)
        if status in (408, 429) or status >= 500:
            raise Retryable(f"http_{status}", parse_retry_after(response.headers.get("Retry-After"), self.now()))
        if status == 401 and error.get("error") == "clock_skew":
            self._learn_skew(error, sent_at, date_offset)
        if status == 401 and error.get("error") == "replayed_nonce":
            raise Retryable("replayed_nonce")  # our nonces are random: a fresh one is not a repeat
        if status == 401 and error.get("error") == "bad_signature":
            raise NotAuthorized()
        code = str(error.get("error") or f"http_{status}")
        if status == 422 and code == "missing_blobs":
            missing = error.get("missing")
            if isinstance(missing, list) and all(isinstance(m, str) for m in missing):
                raise MissingBlobs(missing)
            raise Retryable("bad_answer: missing_blobs without a list")
        raise Final(code, str(error.get("message") or "")[:500], status)

    def _learn_skew(self, error: dict[str, Any], sent_at: float, date_offset: float | None) -> None:
        try:
            server_time = datetime.fromisoformat(str(error["server_time"]))
            if server_time.tzinfo is None:
                raise ValueError
        except (KeyError, ValueError):
            self._learn_date(date_offset)
            raise Retryable("bad_answer: clock_skew without server_time") from None
        # server_time has whole seconds: its middle is half a second on
        self.offset_s = server_time.timestamp() + 0.5 - (sent_at + self.clock()) / 2
        if date_offset is not None:  # how far this path's Date header is off the backend's clock
            bias = date_offset - self.offset_s
            self.date_bias_s = bias if abs(bias) > DATE_TOLERANCE_S else 0.0
        raise ClockSkew(server_time, self.offset_s)

    @staticmethod
    def _error_body(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    @staticmethod
    def _parse(response: requests.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as err:
            kind = "not JSON" if any(e["type"] == "json_invalid" for e in err.errors()) else "wrong shape"
            raise Retryable(f"bad_answer: {kind} ({model.__name__})") from None

    @staticmethod
    def _no_nonsense(response: requests.Response) -> None:
        """For answers whose body the contract leaves open: empty or JSON, never an HTML page."""
        if response.status_code not in (200, 201):
            raise Retryable(f"bad_answer: status {response.status_code}")
        if response.content.strip():
            try:
                json.loads(response.content)
            except ValueError:
                raise Retryable("bad_answer: not JSON") from None

    @staticmethod
    def _dump(model: BaseModel) -> bytes:
        return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    # -- the endpoints -----------------------------------------------------------------------------
    def enroll(self, token: str, public_key_b64: str, identity: Any) -> wire.EnrollResponse:
        """``POST /enroll`` (not signed). Final ``bad_token`` (403) or ``already_enrolled`` (409)."""
        request = wire.EnrollRequest(token=token, device_id=self.device_id, public_key=public_key_b64, identity=identity)
        response = self._send("POST", "/enroll", self._dump(request), signed=False)
        return self._parse(response, wire.EnrollResponse)

    def put_blob(self, sha256: str, content_type: str, data: bytes) -> bool:
        """``PUT /blobs/{sha256}``; True when the backend stored it now, False when it had it."""
        response = self._send("PUT", f"/blobs/{sha256}", bytes(data), content_type=content_type)
        self._no_nonsense(response)
        return response.status_code == 201

    def post_transaction(self, txn_id: str, body: bytes) -> tuple[wire.TransactionAck, bool]:
        """``POST /transactions`` with the stored bytes as they are; (ack, was_repeat)."""
        response = self._send("POST", "/transactions", body, {"Idempotency-Key": txn_id})
        ack = self._parse(response, wire.TransactionAck)
        if ack.txn_id != txn_id:
            raise Retryable("bad_answer: ack names another transaction")
        return ack, response.status_code == 200

    def post_rating(self, txn_id: str, body: bytes) -> bool:
        """``POST /ratings``, key ``rating:{txn_id}``; True when new, False for a repeat (200)."""
        response = self._send("POST", "/ratings", body, {"Idempotency-Key": f"rating:{txn_id}"})
        self._no_nonsense(response)
        return response.status_code == 201

    def get_progress(self, txn_id: str) -> wire.Progress:
        if not wire.is_txn_id(txn_id):
            raise Final("bad_txn_id", "not a receipt number", 0)
        return self._parse(self._send("GET", f"/transactions/{txn_id}"), wire.Progress)

    def query_progress(self, id_number: str) -> wire.ProgressList:
        body = self._dump(wire.ProgressQuery(id_number=id_number))
        return self._parse(self._send("POST", "/transactions/query", body), wire.ProgressList)

    def certificate(self, kind: str, id_number: str) -> wire.Certificate:
        body = self._dump(wire.CertificateRequest(kind=kind, id_number=id_number))
        return self._parse(self._send("POST", "/certificates", body), wire.Certificate)

    def get_catalog(self, etag: str | None = None) -> CatalogFetch:
        """``GET /catalog`` with ``If-None-Match``; a 304 gives ``payload=None``."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", "/catalog", headers=headers)
        if response.status_code == 304:
            return CatalogFetch(None, etag)
        self._parse(response, wire.CatalogResponse)  # the contract's keys are there
        return CatalogFetch(response.json(), response.headers.get("ETag"))

    def post_beacon(self, beacon: wire.Beacon) -> BeaconAnswer:
        """Delivered when the answer is 200 with a valid ``server_time``; the commands are
        returned as sent, for the agent to validate one by one."""
        response = self._send("POST", "/beacons", self._dump(beacon))
        if response.status_code != 200:
            raise Retryable(f"bad_answer: status {response.status_code}")
        reply = self._parse(response, _ServerTime)
        commands = response.json().get("commands")
        return BeaconAnswer(reply.server_time, commands if isinstance(commands, list) else [])

    def get(self, path_with_query: str) -> requests.Response:
        """A signed GET of any path under the API prefix (diagnostics)."""
        return self._send("GET", path_with_query)
