"""Which IP addresses the crawler may connect to: the public ones only.

``classify_address`` sorts an IPv4 or IPv6 address into one ``AddressKind``
from explicit tables of the IANA special-purpose registries (RFC 6890 and its
updates) rather than from ``ipaddress``'s ``is_private``, whose tables change
between Python releases. IPv6 forms that carry an IPv4 address (IPv4-mapped
``::ffff:a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d`` and 6to4 ``2002:AABB:CCDD::``)
are judged by the address they carry, so ``::ffff:127.0.0.1`` is loopback. An
IPv6 address outside the global unicast block ``2000::/3`` is reserved.

Pure: no I/O, no DNS.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from typing import Final

__all__ = ["AddressKind", "classify_address", "is_public_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressKind(StrEnum):
    """What an address is, as far as connecting to it goes."""

    PUBLIC = "public"
    UNSPECIFIED = "unspecified"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    SHARED = "shared (carrier-grade NAT)"
    LINK_LOCAL = "link-local"
    MULTICAST = "multicast"
    RESERVED = "reserved"


_K = AddressKind

# Most specific first: the first network that holds the address decides.
_IPV4_TABLE: Final = tuple(
    (ipaddress.IPv4Network(network), kind)
    for network, kind in (
        ("0.0.0.0/32", _K.UNSPECIFIED),
        ("0.0.0.0/8", _K.RESERVED),  # "this network"
        ("10.0.0.0/8", _K.PRIVATE),
        ("100.64.0.0/10", _K.SHARED),
        ("127.0.0.0/8", _K.LOOPBACK),
        ("169.254.0.0/16", _K.LINK_LOCAL),
        ("172.16.0.0/12", _K.PRIVATE),
        ("192.0.0.0/24", _K.RESERVED),  # IETF protocol assignments
        ("192.0.2.0/24", _K.RESERVED),  # documentation, TEST-NET-1
        ("192.88.99.0/24", _K.RESERVED),  # deprecated 6to4 relay anycast
        ("192.168.0.0/16", _K.PRIVATE),
        ("198.18.0.0/15", _K.RESERVED),  # benchmarking
        ("198.51.100.0/24", _K.RESERVED),  # documentation, TEST-NET-2
        ("203.0.113.0/24", _K.RESERVED),  # documentation, TEST-NET-3
        ("224.0.0.0/4", _K.MULTICAST),
        ("240.0.0.0/4", _K.RESERVED),  # future use, and the limited broadcast address
    )
)

_IPV6_TABLE: Final = tuple(
    (ipaddress.IPv6Network(network), kind)
    for network, kind in (
        ("::/128", _K.UNSPECIFIED),
        ("::1/128", _K.LOOPBACK),
        ("64:ff9b:1::/48", _K.PRIVATE),  # local-use IPv4/IPv6 translation
        ("100::/64", _K.RESERVED),  # discard-only
        ("2001::/23", _K.RESERVED),  # IETF protocol assignments, Teredo included
        ("2001:db8::/32", _K.RESERVED),  # documentation
        ("3fff::/20", _K.RESERVED),  # documentation
        ("fc00::/7", _K.PRIVATE),  # unique local
        ("fe80::/10", _K.LINK_LOCAL),
        ("fec0::/10", _K.PRIVATE),  # deprecated site-local
        ("ff00::/8", _K.MULTICAST),
    )
)
_IPV6_GLOBAL_UNICAST: Final = ipaddress.IPv6Network("2000::/3")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


def classify_address(address: str | IPAddress) -> AddressKind:
    """Return what kind of address *address* is.

    Parameters
    ----------
    address : str or IPv4Address or IPv6Address
        An IP address; a string may carry an IPv6 zone (``fe80::1%eth0``).

    Returns
    -------
    AddressKind
        ``PUBLIC`` for an address the crawler may visit; otherwise why not.

    Raises
    ------
    ValueError
        If *address* is not an IP address.

    Examples
    --------
    >>> classify_address("93.184.215.14")
    <AddressKind.PUBLIC: 'public'>
    >>> classify_address("::ffff:10.1.2.3")
    <AddressKind.PRIVATE: 'private'>
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        carried = _carried_ipv4(ip)
        if carried is not None:
            return _lookup_ipv4(carried)
        for network, kind in _IPV6_TABLE:
            if ip in network:
                return kind
        return AddressKind.PUBLIC if ip in _IPV6_GLOBAL_UNICAST else AddressKind.RESERVED
    return _lookup_ipv4(ip)


def is_public_address(address: str | IPAddress) -> bool:
    """Return whether *address* is one the crawler may connect to without ``allow_private``.

    Raises
    ------
    ValueError
        If *address* is not an IP address.
    """
    return classify_address(address) is AddressKind.PUBLIC


def _lookup_ipv4(ip: ipaddress.IPv4Address) -> AddressKind:
    for network, kind in _IPV4_TABLE:
        if ip in network:
            return kind
    return AddressKind.PUBLIC


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv4-mapped, NAT64 or 6to4 address reaches, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
