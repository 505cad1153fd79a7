"""Which ports a security group opens to the internet, with "the internet" read as a set of addresses.

A source is not "the internet" because it ends in "/0": 0.0.0.0/1 plus
128.0.0.0/1 admit every IPv4 address, and so does 0.0.0.0/0 split over two
rules. So the sources that open a port are gathered over all of a group's
rules (inline and separate rule resources alike: AWS evaluates a group's
rules as one set, and a packet is allowed if any rule allows it), and a port
is open to the internet when:

* the union of those sources covers every public address of IPv4 or of IPv6
  (IPv4: all of it except the IANA special-purpose ranges that are not
  globally reachable, RFC 6890 / RFC 8190; IPv6: the global unicast space
  2000::/3, RFC 4291 / IANA, minus its documentation prefix); or
* one source alone is a public range of /8 or wider (16.0.0.0/4 is a
  sixteenth of the internet; 10.0.0.0/8 is private and does not count).
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..resource_types.network import WATCHED_PORTS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_ALL_PROTOCOLS = {"-1", "all"}
_PORT_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}
_LAST_PORT = 65535

# Not reachable from the internet (IANA IPv4 Special-Purpose Address Registry, "Globally
# Reachable = False"; multicast and the reserved 240/4 cannot be a packet's source).
_NON_PUBLIC_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_PUBLIC_V6 = (ipaddress.IPv6Network("2000::/3"),)
_NON_PUBLIC_V6 = (ipaddress.IPv6Network("2001:db8::/32"),)
# A single public source this wide is the internet for a security group (issue 11).
INTERNET_PREFIX = 8


class BadAddress(ValueError):
    """A source that is not an IP address or CIDR block: AWS would refuse it."""


@lru_cache(maxsize=4096)
def parse_cidr(text: str) -> Network:
    try:
        # strict=False: AWS accepts (and normalises) host bits, e.g. 10.0.0.5/0 is 0.0.0.0/0.
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise BadAddress(f"{text!r} is not an IP address range") from None


@lru_cache(maxsize=1)
def _public_space() -> tuple[tuple[Network, ...], tuple[Network, ...]]:
    def minus(space: Iterable[Network], holes: Sequence[Network]) -> list[Network]:
        pieces = list(space)
        for hole in holes:
            rest: list[Network] = []
            for piece in pieces:
                if piece.version != hole.version or not piece.overlaps(hole):
                    rest.append(piece)
                elif hole.supernet_of(piece):  # type: ignore[arg-type]
                    continue
                else:
                    rest.extend(piece.address_exclude(hole))  # type: ignore[arg-type]
            pieces = rest
        return pieces

    v4 = minus([ipaddress.IPv4Network("0.0.0.0/0")], _NON_PUBLIC_V4)
    v6 = minus(_PUBLIC_V6, _NON_PUBLIC_V6)
    return tuple(v4), tuple(v6)


def is_public(network: Network) -> bool:
    """Some address of the range is a public (globally reachable) address."""
    v4, v6 = _public_space()
    return any(network.overlaps(piece) for piece in (v4 if network.version == 4 else v6))


@lru_cache(maxsize=2)
def _public_size(version: int) -> int:
    v4, v6 = _public_space()
    return sum(piece.num_addresses for piece in (v4 if version == 4 else v6))


def _covers_public(networks: Sequence[Network], version: int) -> bool:
    if sum(n.num_addresses for n in networks if n.version == version) < _public_size(version):
        return False  # too few addresses to cover the public space, however they lie (a cheap first test)
    collapsed: list[Network] = list(
        ipaddress.collapse_addresses(n for n in networks if n.version == version)  # type: ignore[type-var]
    )
    v4, v6 = _public_space()
    return all(any(piece.subnet_of(n) for n in collapsed) for piece in (v4 if version == 4 else v6))  # type: ignore[arg-type]


def covers_internet(networks: Sequence[Network], internet_prefix: int = INTERNET_PREFIX) -> bool:
    """The ranges admit the internet: one public range of /``internet_prefix`` or wider,
    or together every public IPv4 or every public IPv6 address."""
    if any(n.prefixlen <= internet_prefix and is_public(n) for n in networks):
        return True
    return any(_covers_public(networks, version) for version in (4, 6) if any(n.version == version for n in networks))


def is_internet(cidr: str) -> bool:
    """One source range that is the internet by itself."""
    return covers_internet([parse_cidr(cidr)])


@dataclass(frozen=True, slots=True)
class Exposure:
    ports: list[int]
    all_traffic: bool


@dataclass(frozen=True, slots=True)
class _Opening:
    protocols: tuple[str, ...]
    low: int
    high: int
    sources: tuple[Network, ...]


def _opening(rule: dict[str, object]) -> _Opening | None:
    cidrs = [*(rule.get("cidr_ipv4") or []), *(rule.get("cidr_ipv6") or [])]  # type: ignore[misc]
    sources = tuple(parse_cidr(c) for c in cidrs if isinstance(c, str))
    if not sources:
        return None
    protocol = str(rule.get("protocol") or "").lower()
    if protocol in _ALL_PROTOCOLS:
        return _Opening(("tcp", "udp"), 0, _LAST_PORT, sources)
    low, high = rule.get("from_port"), rule.get("to_port")
    if protocol not in _PORT_PROTOCOLS or not isinstance(low, int) or not isinstance(high, int):
        return None  # ICMP and other protocols carry no ports
    if low == -1:
        low, high = 0, _LAST_PORT
    return _Opening((_PORT_PROTOCOLS[protocol],), max(low, 0), min(high, _LAST_PORT), sources)


def internet_exposure(rules: Iterable[dict[str, object]]) -> Exposure:
    """From canonical ingress rules (see resource_types.network.IngressRule).

    Raises BadAddress for a source that is not an address range.
    """
    openings = [o for o in (_opening(rule) for rule in rules) if o is not None]
    ports: set[int] = set()
    all_traffic = False
    for protocol in ("tcp", "udp"):
        mine = [o for o in openings if protocol in o.protocols and o.low <= o.high]
        # Cut the port space where any rule starts or ends; within a piece the sources are fixed.
        cuts = sorted({0, _LAST_PORT + 1, *(o.low for o in mine), *(o.high + 1 for o in mine)})
        open_everywhere = bool(mine)
        for start, stop in itertools.pairwise(cuts):
            sources = [s for o in mine if o.low <= start and stop - 1 <= o.high for s in o.sources]
            if sources and covers_internet(sources):
                ports.update(p for p in WATCHED_PORTS if start <= p < stop)
            else:
                open_everywhere = False
        all_traffic = all_traffic or open_everywhere
    return Exposure(sorted(ports), all_traffic)
