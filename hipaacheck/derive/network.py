"""Which ports a set of ingress rules opens to the whole internet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..resource_types.network import WATCHED_PORTS

_ALL_PROTOCOLS = {"-1", "all"}
_PORT_PROTOCOLS = {"tcp", "udp", "6", "17"}


def is_internet(cidr: str) -> bool:
    return cidr.strip().endswith("/0")


@dataclass(frozen=True, slots=True)
class Exposure:
    ports: list[int]
    all_traffic: bool


def internet_exposure(rules: Iterable[dict[str, object]]) -> Exposure:
    """From canonical ingress rules (see resource_types.network.IngressRule)."""
    ports: set[int] = set()
    all_traffic = False
    for rule in rules:
        cidrs = [*(rule.get("cidr_ipv4") or []), *(rule.get("cidr_ipv6") or [])]  # type: ignore[misc]
        if not any(isinstance(c, str) and is_internet(c) for c in cidrs):
            continue
        protocol = str(rule.get("protocol") or "").lower()
        low, high = rule.get("from_port"), rule.get("to_port")
        if protocol in _ALL_PROTOCOLS:
            all_traffic = True
            ports.update(WATCHED_PORTS)
            continue
        if protocol not in _PORT_PROTOCOLS or not isinstance(low, int) or not isinstance(high, int):
            continue
        if (low <= 0 and high >= 65535) or low == -1:
            all_traffic = True
            ports.update(WATCHED_PORTS)
            continue
        ports.update(p for p in WATCHED_PORTS if low <= p <= high)
    return Exposure(sorted(ports), all_traffic)
