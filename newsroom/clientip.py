"""The client's IP address, as far as this deployment can trust it.

With no proxy in front (``TRUSTED_PROXY_COUNT=0``, the default) it is the
socket's peer address. Behind N proxies that each append to X-Forwarded-For,
the address the outermost trusted proxy saw is the N-th entry from the right:
entries further left were written by the client and prove nothing, so rotating
them buys an attacker nothing.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        chain = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(chain) >= count:
            remote = chain[-count]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "0.0.0.0"
