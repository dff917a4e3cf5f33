"""Where a webhook may be sent: public addresses only, checked when subscribing and at every delivery.

A URL's host is resolved once per delivery; every address it resolves to must be public (not loopback,
private, link-local, unique-local, multicast, reserved or unspecified, in IPv4 or IPv6, mapped or
embedded forms included), and the request then goes to the address that was checked, so a name that
resolves elsewhere a moment later (DNS rebinding) reaches nothing new. An operator's allow-list
(WEBHOOK_ALLOWED_TARGETS: host names or networks) admits named internal receivers, and plain http
for them; everything else must be https. Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetRefused(Exception):
    """A webhook URL may not be reached; the reason is short and names no secret."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AllowList:
    """The internal receivers an operator admits: exact host names, or networks of addresses."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> AllowList:
        """Read a comma-separated list of host names and networks (``10.1.0.0/16``, ``::1``)."""
        hosts, networks = set(), []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def admits(self, host: str, addresses: Iterable[Address]) -> bool:
        """Say whether a host is allow-listed by name, or every one of its addresses by network."""
        listed = list(addresses)
        if host.lower().rstrip(".") in self.hosts:
            return True
        return bool(listed) and all(any(a in net for net in self.networks) for a in listed)


@dataclass(frozen=True)
class Target:
    """A checked destination: the URL's parts and the one address the request will connect to."""

    scheme: str
    host: str
    port: int
    address: str
    path: str

    @property
    def host_header(self) -> str:
        """Return the Host header the receiver expects."""
        default = 443 if self.scheme == "https" else 80
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == default else f"{shown}:{self.port}"


def why_not_public(address: Address) -> str | None:
    """Return why an address is not a public one (loopback, private, …), or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return why_not_public(embedded)
        if address in ipaddress.ip_network("64:ff9b::/96"):  # NAT64: the IPv4 address is the last 32 bits
            return why_not_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    if not address.is_global:
        return "not-global"
    return None


def resolve(host: str, port: int) -> list[Address]:
    """Return every address a host name resolves to (an address literal is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused("host does not resolve") from exc
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))


def checked(url: str, allow: AllowList) -> Target:
    """Return where a webhook URL may be delivered, or refuse it with a short reason."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        raise TargetRefused("not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("bad port") from exc
    addresses = resolve(host, port)
    if not addresses:
        raise TargetRefused("host does not resolve")
    if not allow.admits(host, addresses):
        if parts.scheme != "https":
            raise TargetRefused("https required")
        for address in addresses:
            if why := why_not_public(address):
                raise TargetRefused(f"address is {why}")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, str(addresses[0]), path)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST to the checked address (TLS verified against the URL's host name); return the status.

    No redirect is followed and the response body is never read.
    """
    limit = urllib3.Timeout(total=timeout)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=limit,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=limit, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        response.release_conn()
        return int(response.status)
    finally:
        pool.close()


def failure_reason(exc: Exception) -> str:
    """Return a short reason for a failed delivery: its kind, never a message that may hold the URL."""
    if isinstance(exc, TargetRefused):
        return f"target refused: {exc.reason}"
    if isinstance(exc, urllib3.exceptions.NewConnectionError | ConnectionError):
        return "connection failed"
    if isinstance(exc, urllib3.exceptions.TimeoutError | TimeoutError):
        return "timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "tls error"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "connection broken"
    return "connection failed"
