"""A TCP relay between the kiosk and the loopback county: the network cable of the simulation.

``kiosk --simulate`` gives the machine's config the relay's URL, not the county's, so the
agent thread and the UI's network check both reach the backend through it and both see an
outage for real. :meth:`Relay.cut` is the network going away: every live connection is
reset (an abortive close: the client gets ``ECONNRESET`` at once, keep-alive connections in
a pool are dead) and the listening port is closed, so new connections are refused at once
— no request hangs. :meth:`Relay.restore` listens on the same port again.

Threads: one accepting per listening socket, one per relayed connection (a ``select`` over
both ends, half-closes passed on). Nothing is read or logged beyond byte counts.
"""

from __future__ import annotations

import errno
import logging
import select
import socket
import struct
import threading
import time

log = logging.getLogger(__name__)

#: SO_LINGER on, 0 s: close() sends RST instead of FIN.
_ABORTIVE = struct.pack("ii", 1, 0)


class _Pipe:
    """One relayed connection: ``client`` (the kiosk's side) ⇄ ``upstream`` (the county)."""

    def __init__(self, client: socket.socket, upstream: socket.socket, done) -> None:
        self.client, self.upstream = client, upstream
        self.aborted = False
        self._done = done
        self.thread = threading.Thread(target=self._run, name="sim-relay-pipe", daemon=True)

    def abort(self) -> None:
        """Reset the kiosk's side and drop the county's; wakes the pipe's thread."""
        self.aborted = True
        for sock, how in ((self.client, socket.SHUT_RD), (self.upstream, socket.SHUT_RDWR)):
            try:
                if sock is self.client:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _ABORTIVE)
                sock.shutdown(how)
            except OSError:
                pass  # closed already by the pipe's own thread

    def _run(self) -> None:
        other = {self.client: self.upstream, self.upstream: self.client}
        reading = [self.client, self.upstream]
        try:
            while reading and not self.aborted:
                ready, _, _ = select.select(reading, [], [], 0.5)
                for sock in ready:
                    if self.aborted:
                        break
                    data = sock.recv(65536)
                    if data:
                        other[sock].sendall(data)
                    else:  # that side finished sending: pass the half-close on
                        reading.remove(sock)
                        other[sock].shutdown(socket.SHUT_WR)
        except (OSError, ValueError):
            pass  # a reset, or a socket closed by abort(): the connection is over
        finally:
            if self.aborted:
                try:
                    self.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _ABORTIVE)
                except OSError:
                    pass
            self.client.close()
            self.upstream.close()
            self._done(self)


class Relay:
    """Listens on ``host`` (an ephemeral port unless ``port``) and relays to ``target``."""

    def __init__(self, target: tuple[str, int], host: str = "127.0.0.1", port: int = 0,
                 connect_timeout_s: float = 5.0) -> None:
        self.target = target
        self.host, self.port = host, port
        self.connect_timeout_s = connect_timeout_s
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._pipes: set[_Pipe] = set()
        self._cut = False
        self.accepted = 0

    # -- what the simulation sees ------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def is_cut(self) -> bool:
        return self._cut

    @property
    def live(self) -> int:
        """Connections being relayed now."""
        with self._lock:
            return len(self._pipes)

    # -- life ------------------------------------------------------------------------------
    def start(self) -> "Relay":
        self._listen()
        return self

    def stop(self) -> None:
        self.cut()
        with self._lock:
            pipes = list(self._pipes)
        for pipe in pipes:
            pipe.thread.join(2)

    def __enter__(self) -> "Relay":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the cable ---------------------------------------------------------------------------
    def cut(self) -> None:
        """The network goes away: live connections reset, new ones refused."""
        with self._lock:
            self._cut = True
            listener, self._listener = self._listener, None
            pipes = list(self._pipes)
        if listener is not None:
            _close_listener(listener)
        for pipe in pipes:
            pipe.abort()
        if listener is not None:
            log.info("simulated network cut (%d connection(s) reset)", len(pipes))

    def restore(self) -> None:
        """The network is back: listen on the same port again."""
        with self._lock:
            if not self._cut:
                return
            self._cut = False
        self._listen()
        log.info("simulated network restored")

    # -- inside --------------------------------------------------------------------------------
    def _listen(self) -> None:
        deadline = time.monotonic() + 3.0
        while True:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self.port))
                break
            except OSError as err:  # the port is briefly held (the old listener closing)
                sock.close()
                if err.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.listen(64)
        self.port = sock.getsockname()[1]
        with self._lock:
            if self._cut:  # cut while we were binding
                _close_listener(sock)
                return
            self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), name="sim-relay", daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # shut down by cut(): this listener is finished
                return
            self.accepted += 1
            threading.Thread(target=self._connect, args=(client,), name="sim-relay-conn",
                             daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=self.connect_timeout_s)
            upstream.settimeout(None)
        except OSError as err:
            log.warning("relay: the county did not answer: %s", type(err).__name__)
            _reset(client)
            return
        for sock in (client, upstream):  # bytes go on as they come: no Nagle wait on small writes
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pipe = _Pipe(client, upstream, self._finished)
        with self._lock:
            if self._cut:
                pipe = None
            else:
                self._pipes.add(pipe)
        if pipe is None:
            _reset(client)
            upstream.close()
            return
        pipe.thread.start()

    def _finished(self, pipe: _Pipe) -> None:
        with self._lock:
            self._pipes.discard(pipe)


def _close_listener(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept() (Linux)
    except OSError:
        pass
    sock.close()


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _ABORTIVE)
    except OSError:
        pass
    sock.close()
