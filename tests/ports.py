"""Ports for the servers tests start, without races.

A port found free and let go can be taken by anyone before the server binds it: the kernel hands the
same ephemeral ports to outgoing connections, and a parallel test may pick it too. So a server started
by a test binds nothing itself where it can help it: the test binds a listening socket (``listening``)
and hands it over (gunicorn's ``fd://N``, the worker's ``WORKER_METRICS_PORT=fd://N``), keeping it for a
restart. An address that must refuse connections is a socket bound and never listening (``refusing``),
held as long as it must stay so. Only programs that insist on binding themselves (a broker, PostgreSQL,
an SMTP catcher) get a port from ``quiet_port``: below the kernel's range for outgoing ports, checked
free, picked at random so parallel tests do not meet.
"""

from __future__ import annotations

import random
import socket


def listening() -> socket.socket:
    """Return a socket listening on a loopback port of its own, to be handed to a server process."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def refusing() -> socket.socket:
    """Return a socket bound to a loopback port and not listening: connecting to it is refused, and no
    server can take the port while the caller holds the socket."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def port_of(sock: socket.socket) -> int:
    """Return the port a socket is bound to."""
    return int(sock.getsockname()[1])


def quiet_port(count: int = 1) -> int:
    """Return a port p with p .. p + count - 1 free on loopback, between 20000 and 29999 (below the
    kernel's range for outgoing ports, so no connection takes it before the program binds it)."""
    for _ in range(200):
        port = random.randrange(20000, 30000 - count)
        sockets = [socket.socket() for _ in range(count)]
        try:
            for offset, sock in enumerate(sockets):
                sock.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return port
    raise RuntimeError(f"no {count} free ports in a row between 20000 and 29999")
