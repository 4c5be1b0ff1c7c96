"""SSRF: what may be contacted, the redirect that is not followed, the
address that is pinned, and the bounds on time and size."""

import ipaddress

import pytest

from tests.webhooks.conftest import Answer
from webhooks import dispatch, transport
from webhooks.events import Event
from webhooks.models import Delivery

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    assert not transport.is_public(ipaddress.ip_address(address))
    with pytest.raises(transport.Refused):
        transport.check(
            f"http://[{address}]/" if ":" in address else f"http://{address}/"
        )


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert transport.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://hooks.example/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://user:secret@hooks.example/",
        "https:///no-host",
        "https://hooks.example:99999/",
        "https://hooks.example/a b",
        "https://hooks.example/\x00",
        "https://hooks.example/" + "a" * 2000,
    ],
)
def test_malformed_addresses_are_refused(url):
    with pytest.raises(transport.Refused):
        transport.parse(url)


def test_a_name_that_resolves_to_loopback_is_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(transport.Refused, match="not a public address"):
        transport.check("http://localhost/")


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(transport.Refused, match="could not be resolved"):
        transport.check("https://nowhere.invalid/")


def test_loopback_is_never_contacted_when_private_networks_are_off(receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(transport.Refused):
        transport.post(receiver.url, b"{}", {}, content_type="application/json")
    assert receiver.requests == []


def test_a_redirect_to_loopback_is_not_followed(start_receiver, settings, subscribe):
    # The receiver is allowed (127.0.0.2 stands in for a public host), the
    # loopback address it redirects to is not.
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = ["127.0.0.2/32"]
    inside = start_receiver("127.0.0.1")
    outside = start_receiver("127.0.0.2")
    outside.default = Answer(status=307, headers={"Location": inside.url + "/admin"})
    subscribe(outside.url, [Event.STORY_PUBLISHED])
    [pk] = dispatch.create(Event.STORY_PUBLISHED, {"id": 1})

    dispatch.attempt(pk)

    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 307
    assert delivery.last_error == "Redirects are not followed"
    assert len(outside.requests) == 1
    assert inside.requests == []


def test_a_delivery_to_a_refused_address_is_a_failed_attempt(db, subscribe, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    subscribe("http://10.0.0.8/hooks", [Event.STORY_PUBLISHED])
    [pk] = dispatch.create(Event.STORY_PUBLISHED, {"id": 1})
    dispatch.attempt(pk)
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.last_status_code is None
    assert "not a public address" in delivery.last_error


def test_the_connection_goes_to_the_checked_address_not_a_new_lookup(receiver):
    # The host name does not resolve at all: only the address checked before
    # is connected to, and the name is still sent as the Host.
    host, port = receiver.server_address[:2]
    connection = transport._PinnedHTTPConnection(
        ipaddress.ip_address(host), "rebinding.invalid", port, timeout=5
    )
    try:
        connection.request("POST", "/", body=b"{}")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    assert receiver.requests[0].headers["host"] == f"rebinding.invalid:{port}"


def test_a_large_answer_is_read_only_up_to_the_cap(receiver, settings):
    settings.WEBHOOKS_MAX_RESPONSE_BYTES = 1000
    receiver.default = Answer(body=b"x" * 500_000)
    response = transport.post(receiver.url, b"{}", {}, content_type="application/json")
    assert response.status == 200
    assert len(response.body) == 1000


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(
    receiver, settings, subscribe
):
    settings.WEBHOOKS_TIMEOUT = 0.3
    receiver.answer_with(Answer(delay=1.5))
    subscribe(receiver.url, [Event.STORY_PUBLISHED])
    [pk] = dispatch.create(Event.STORY_PUBLISHED, {"id": 1})
    dispatch.attempt(pk)
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_error == "Timed out"
