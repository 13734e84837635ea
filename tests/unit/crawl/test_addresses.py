"""The address classifier: public addresses pass, every special-purpose block is named."""

from __future__ import annotations

import ipaddress

import pytest

from linkequity.crawl.addresses import AddressKind, classify_address, is_public_address

K = AddressKind

IPV4_CASES = [
    # public
    ("1.1.1.1", K.PUBLIC),
    ("8.8.8.8", K.PUBLIC),
    ("93.184.215.14", K.PUBLIC),
    ("9.255.255.255", K.PUBLIC),
    ("11.0.0.0", K.PUBLIC),
    ("100.63.255.255", K.PUBLIC),
    ("100.128.0.0", K.PUBLIC),
    ("126.255.255.255", K.PUBLIC),
    ("128.0.0.0", K.PUBLIC),
    ("169.253.255.255", K.PUBLIC),
    ("172.15.255.255", K.PUBLIC),
    ("172.32.0.0", K.PUBLIC),
    ("192.0.1.1", K.PUBLIC),
    ("192.31.196.1", K.PUBLIC),  # AS112, globally reachable
    ("192.167.255.255", K.PUBLIC),
    ("192.169.0.0", K.PUBLIC),
    ("198.17.255.255", K.PUBLIC),
    ("198.20.0.0", K.PUBLIC),
    ("223.255.255.255", K.PUBLIC),
    # unspecified and "this network"
    ("0.0.0.0", K.UNSPECIFIED),  # noqa: S104 - an address to classify, not to bind
    ("0.0.0.1", K.RESERVED),
    ("0.255.255.255", K.RESERVED),
    # private
    ("10.0.0.0", K.PRIVATE),
    ("10.255.255.255", K.PRIVATE),
    ("172.16.0.1", K.PRIVATE),
    ("172.31.255.255", K.PRIVATE),
    ("192.168.0.1", K.PRIVATE),
    ("192.168.255.255", K.PRIVATE),
    # shared address space (carrier-grade NAT)
    ("100.64.0.0", K.SHARED),
    ("100.127.255.255", K.SHARED),
    # loopback
    ("127.0.0.1", K.LOOPBACK),
    ("127.255.255.254", K.LOOPBACK),
    ("127.1.2.3", K.LOOPBACK),
    # link-local (cloud metadata lives here)
    ("169.254.169.254", K.LINK_LOCAL),
    ("169.254.0.0", K.LINK_LOCAL),
    # reserved blocks
    ("192.0.0.8", K.RESERVED),
    ("192.0.2.1", K.RESERVED),
    ("192.88.99.1", K.RESERVED),
    ("198.18.0.1", K.RESERVED),
    ("198.19.255.255", K.RESERVED),
    ("198.51.100.7", K.RESERVED),
    ("203.0.113.9", K.RESERVED),
    ("240.0.0.1", K.RESERVED),
    ("255.255.255.255", K.RESERVED),
    # multicast
    ("224.0.0.1", K.MULTICAST),
    ("239.255.255.250", K.MULTICAST),
]

IPV6_CASES = [
    # public
    ("2606:4700:4700::1111", K.PUBLIC),
    ("2001:4860:4860::8888", K.PUBLIC),
    ("2a00:1450:4001:80b::200e", K.PUBLIC),
    ("2001:200::1", K.PUBLIC),
    ("3ffe::1", K.PUBLIC),
    ("2000::", K.PUBLIC),
    # unspecified and loopback
    ("::", K.UNSPECIFIED),
    ("::1", K.LOOPBACK),
    ("0:0:0:0:0:0:0:1", K.LOOPBACK),
    # private
    ("fc00::1", K.PRIVATE),
    ("fd12:3456:789a::1", K.PRIVATE),
    ("fec0::1", K.PRIVATE),
    ("64:ff9b:1::1", K.PRIVATE),
    # link-local, zone or not
    ("fe80::1", K.LINK_LOCAL),
    ("fe80::1%eth0", K.LINK_LOCAL),
    ("febf:ffff::1", K.LINK_LOCAL),
    # multicast
    ("ff02::1", K.MULTICAST),
    ("ff0e::101", K.MULTICAST),
    # reserved
    ("100::1", K.RESERVED),
    ("2001::1", K.RESERVED),  # Teredo
    ("2001:db8::1", K.RESERVED),
    ("3fff::1", K.RESERVED),
    ("::127.0.0.1", K.RESERVED),  # deprecated IPv4-compatible form
    ("::2", K.RESERVED),
    ("1::", K.RESERVED),
    ("4000::1", K.RESERVED),
    ("5f00::1", K.RESERVED),
    ("e000::1", K.RESERVED),
    # IPv4-mapped: judged by the IPv4 address
    ("::ffff:127.0.0.1", K.LOOPBACK),
    ("::ffff:7f00:1", K.LOOPBACK),
    ("::ffff:10.0.0.1", K.PRIVATE),
    ("::ffff:169.254.169.254", K.LINK_LOCAL),
    ("::ffff:100.64.1.1", K.SHARED),
    ("::ffff:0.0.0.0", K.UNSPECIFIED),
    ("::ffff:224.0.0.1", K.MULTICAST),
    ("::ffff:8.8.8.8", K.PUBLIC),
    # 6to4: the IPv4 address sits in bits 16 to 48
    ("2002:7f00:1::1", K.LOOPBACK),
    ("2002:c0a8:101::", K.PRIVATE),
    ("2002:a9fe:a9fe::1", K.LINK_LOCAL),
    ("2002:808:808::1", K.PUBLIC),
    # NAT64 well-known prefix: the IPv4 address is the last 32 bits
    ("64:ff9b::127.0.0.1", K.LOOPBACK),
    ("64:ff9b::a00:1", K.PRIVATE),
    ("64:ff9b::8.8.8.8", K.PUBLIC),
]


@pytest.mark.parametrize(("address", "kind"), IPV4_CASES + IPV6_CASES)
def test_classify_address(address: str, kind: AddressKind) -> None:
    assert classify_address(address) is kind
    assert is_public_address(address) is (kind is K.PUBLIC)


@pytest.mark.parametrize(("address", "kind"), IPV4_CASES[:5] + IPV6_CASES[:5])
def test_address_objects_classify_as_their_text(address: str, kind: AddressKind) -> None:
    assert classify_address(ipaddress.ip_address(address)) is kind


@pytest.mark.parametrize(
    "network",
    ["10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"],
)
def test_every_address_of_a_refused_block_is_refused(network: str) -> None:
    block = ipaddress.ip_network(network)
    samples = [block.network_address, block.broadcast_address, block.network_address + 12345]
    assert not any(is_public_address(ip) for ip in samples)


def test_addresses_python_calls_non_private_are_refused_as_its_own_kind() -> None:
    # ipaddress says 100.64.0.0/10 is not private; it is still no public address.
    assert not ipaddress.ip_address("100.64.0.1").is_private
    assert classify_address("100.64.0.1") is K.SHARED


@pytest.mark.parametrize(
    "text", ["", "example.com", "127.1", "256.0.0.1", "::ffff::1", "1.2.3.4/8"]
)
def test_text_that_is_no_address_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        classify_address(text)


def test_kinds_read_as_words_in_messages() -> None:
    assert f"{K.LINK_LOCAL}" == "link-local"
    assert str(K.SHARED) == "shared (carrier-grade NAT)"
