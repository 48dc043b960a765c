"""Copy a provider's output into our hands without trusting its URL.

The URL must be https, on one of ``GENERATION_DELIVERY_HOSTS`` (or a subdomain),
and every address its host resolves to must be a public one (never private,
loopback, link-local such as 169.254.169.254, multicast or reserved). The
connection then goes to the address we checked, not to a second DNS answer
(no rebinding), redirects are not followed, and the body is capped.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURL(Exception):
    """The URL is not one we will ever fetch."""


class DownloadError(Exception):
    """The fetch failed (network, status, size); it is safe to try again later."""


def _host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    for allowed in settings.GENERATION_DELIVERY_HOSTS:
        allowed = allowed.lower().strip().rstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the DNS edge; tests replace it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DownloadError(f"cannot resolve {host}") from exc
    return sorted({info[4][0] for info in infos})


def check_url(url: str) -> tuple[str, int, str, str]:
    """Return (host, port, path, address to connect to) or raise UnsafeURL."""
    if not isinstance(url, str) or not url:
        raise UnsafeURL("empty URL")
    parts = urlsplit(url.strip())
    if parts.scheme != "https":
        raise UnsafeURL(f"scheme {parts.scheme or 'none'!r} is not https")
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        raise UnsafeURL("no host, or credentials in the URL")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        raise UnsafeURL("an address, not a delivery host")
    if not _host_allowed(host):
        raise UnsafeURL(f"host {host!r} is not a delivery host")
    port = parts.port or 443
    addresses = resolve(host, port)
    if not addresses or not all(_public(address) for address in addresses):
        raise UnsafeURL(f"host {host!r} resolves to a non-public address")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return host, port, path, addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with SNI and certificate checks for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def open_response(host: str, port: int, path: str, address: str, timeout: float):
    """Send the GET (the network edge; tests replace it). Returns an http.client response."""
    connection = _PinnedHTTPSConnection(host, address, port, timeout)
    connection.request("GET", path, headers={"User-Agent": "ModelSnapper/1.0", "Accept": "image/*"})
    return connection.getresponse()


def download(url: str, *, max_bytes: int | None = None) -> bytes:
    """The body of ``url``, at most ``max_bytes``. Raises UnsafeURL or DownloadError."""
    limit = max_bytes or settings.GENERATION_OUTPUT_MAX_BYTES
    host, port, path, address = check_url(url)
    try:
        response = open_response(host, port, path, address, settings.GENERATION_DOWNLOAD_TIMEOUT)
        if response.status != 200:
            raise DownloadError(f"status {response.status}")
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise DownloadError(f"output is {declared} bytes; the cap is {limit}")
        body = bytearray()
        while chunk := response.read(64 * 1024):
            body += chunk
            if len(body) > limit:
                raise DownloadError(f"output exceeds the cap of {limit} bytes")
        return bytes(body)
    except (OSError, http.client.HTTPException) as exc:
        raise DownloadError(str(exc)) from exc
