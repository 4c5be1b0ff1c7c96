"""POSTing to an address someone typed into the admin, safely (SSRF).

- Only ``http`` and ``https``, no user name or password in the address.
- The host is resolved once, and every address it resolves to must be
  public: loopback, private, link-local, multicast, reserved, unspecified,
  shared (carrier NAT), documentation and other special addresses are
  refused, IPv4 and IPv6 alike, and so are IPv6 addresses that carry an IPv4
  one (IPv4-mapped, 6to4, Teredo, NAT64) when that one is refused.
- The connection goes to the address that was checked (never a second look-up
  that DNS rebinding could answer differently); TLS still checks the
  certificate against the host name.
- Redirects are not followed: a 3xx is a failed delivery.
- Bounded: a connect timeout, a deadline for the whole answer, and at most
  ``WEBHOOKS_MAX_RESPONSE_BYTES`` read.

``WEBHOOKS_ALLOW_PRIVATE_NETWORKS``: True allows every address (local
development), a list of networks allows those only (the tests).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from webhooks import conf

MAX_URL_LENGTH = 2000
NAT64 = ipaddress.ip_network("64:ff9b::/96")
USER_AGENT = "Newsroom-Webhooks/1"


class Refused(Exception):
    """The address may not be contacted; ``str()`` says why, for the editor."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string


@dataclass
class Response:
    status: int
    body: bytes


def _allowed_networks():
    allowed = conf.settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS
    if allowed is True:
        return True
    if not allowed:
        return []
    if isinstance(allowed, str):
        allowed = [part for part in allowed.split(",") if part.strip()]
    return [ipaddress.ip_network(net.strip(), strict=False) for net in allowed]


def _embedded_ipv4(address: ipaddress.IPv6Address):
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address) -> bool:
    """May this address be contacted on the public internet?"""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is IPv4 a.b.c.d on a dual-stack socket.
            return is_public(address.ipv4_mapped)
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return not (
        not address.is_global
        or address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def is_allowed(address) -> bool:
    allowed = _allowed_networks()
    if allowed is True or is_public(address):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in allowed)


def parse(url: str) -> Target:
    """Check an address's shape; ``Refused`` says what is wrong with it."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise Refused(_("Enter an address of at most 2,000 characters."))
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise Refused(_("The address may not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(_("This is not a valid address.")) from error
    if parts.scheme not in ("http", "https"):
        raise Refused(_("The address must start with https:// or http://."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("The address may not contain a user name or password."))
    host = parts.hostname
    if not host:
        raise Refused(_("The address has no host."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def resolve(target: Target) -> list:
    """The host's addresses, all of them allowed, or ``Refused``."""
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            host = target.host.encode("idna").decode("ascii")
            infos = socket.getaddrinfo(
                host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as error:
            raise Refused(_("The host name could not be resolved.")) from error
        addresses = []
        for info in infos:
            # Drop an IPv6 scope ("fe80::1%eth0"): such addresses are refused.
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise Refused(_("The host name could not be resolved."))
    for address in addresses:
        if not is_allowed(address):
            raise Refused(
                _("The host resolves to %(address)s, which is not a public address.")
                % {"address": address}
            )
    return addresses


def check(url: str) -> Target:
    """``parse()`` and ``resolve()``: what the admin form asks."""
    target = parse(url)
    resolve(target)
    return target


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name says now."""

    def __init__(self, address, *args, **kwargs):
        self._address = str(address)
        super().__init__(*args, **kwargs)

    def connect(self):
        self.sock = socket.create_connection(
            (self._address, self.port), conf.settings.WEBHOOKS_CONNECT_TIMEOUT
        )
        self.sock.settimeout(self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address, *args, **kwargs):
        self._address = str(address)
        super().__init__(*args, **kwargs)

    def connect(self):
        sock = socket.create_connection(
            (self._address, self.port), conf.settings.WEBHOOKS_CONNECT_TIMEOUT
        )
        sock.settimeout(self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, *, content_type: str) -> Response:
    """POST ``body`` to ``url``; the status and at most the first
    ``WEBHOOKS_MAX_RESPONSE_BYTES`` of the answer. Raises ``Refused`` for an
    address that may not be contacted and ``OSError`` (timeouts included) or
    ``http.client.HTTPException`` when the exchange fails."""
    target = parse(url)
    address = resolve(target)[0]
    timeout = conf.settings.WEBHOOKS_TIMEOUT
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            address,
            target.host,
            target.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(
            address, target.host, target.port, timeout=timeout
        )
    deadline = time.monotonic() + timeout
    limit = conf.settings.WEBHOOKS_MAX_RESPONSE_BYTES
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": content_type,
                "User-Agent": USER_AGENT,
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        chunks, size = [], 0
        while size < limit:
            if time.monotonic() > deadline:
                raise TimeoutError("the answer took too long")
            chunk = response.read1(min(8192, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return Response(status=response.status, body=b"".join(chunks))
    finally:
        connection.close()
