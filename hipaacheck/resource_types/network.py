"""Security groups, load-balancer listeners and EC2 instances."""

from __future__ import annotations

from .base import Canonical, Tagged, doc

# Ports whose exposure to the internet is reported by name in
# ``internet_exposed_ports``: remote administration and the data stores a
# billing platform runs. Policies pick the subset they care about.
WATCHED_PORTS: tuple[int, ...] = (
    20,
    21,
    22,
    23,
    135,
    139,
    445,
    1433,
    1521,
    2049,
    2375,
    2376,
    3306,
    3389,
    5432,
    5439,
    5601,
    5900,
    6379,
    9092,
    9200,
    9300,
    11211,
    27017,
    27018,
)


class IngressRule(Canonical):
    protocol: str | None = doc("tcp, udp, icmp, or -1 (all).")
    from_port: int | None = doc("First port.")
    to_port: int | None = doc("Last port.")
    cidr_ipv4: list[str] | None = doc("IPv4 source ranges.")
    cidr_ipv6: list[str] | None = doc("IPv6 source ranges.")
    source_security_groups: list[str] | None = doc("Source security groups.")
    origin: str | None = doc("Where the rule was declared (inline block or rule resource).")


class SecurityGroup(Tagged):
    group_name: str | None = doc("Group name.")
    vpc_id: str | None = doc("VPC of the group.")
    is_default: bool | None = doc("The VPC's default group (aws_default_security_group; GroupName default live).")
    ingress_rule_count: int | None = doc("Number of ingress rule entries, inline and separate (0: none).")
    egress_rule_count: int | None = doc("Number of egress rule entries, inline and separate (0: none).")
    ingress: list[IngressRule] | None = doc("All ingress rules, inline and separate resources.")
    internet_exposed_ports: list[int] | None = doc(
        "Watched ports (see WATCHED_PORTS) reachable from the internet: the sources of all the group's rules "
        "for the port cover every public IPv4 or IPv6 address (0.0.0.0/0, ::/0, 0.0.0.0/1 + 128.0.0.0/1), "
        "or one of them is a public range of /8 or wider."
    )
    internet_all_traffic: bool | None = doc(
        "Every TCP or every UDP port is reachable from the internet (protocol -1, 0-65535, or ranges that add up)."
    )


class LbListener(Tagged):
    protocol: str | None = doc("HTTP, HTTPS, TCP, TLS, UDP, SSL (classic) ...")
    port: int | None = doc("Listener port.")
    ssl_policy: str | None = doc("TLS negotiation policy name.")
    default_action: str | None = doc("Type of the default action: forward, redirect, fixed-response ...")
    redirects_to_https: bool | None = doc("The default action redirects to HTTPS.")
    encrypted: bool | None = doc("Protocol is HTTPS, TLS or SSL.")
    load_balancer_internal: bool | None = doc("The load balancer is internal (not internet-facing).")


class MetadataOptions(Canonical):
    http_tokens: str | None = doc("required (IMDSv2 only) or optional.")
    http_endpoint: str | None = doc("enabled or disabled.")


class Ec2Instance(Tagged):
    metadata: MetadataOptions | None = doc("Instance metadata service options.")
    public_ip: bool | None = doc(
        "Has (or will get at launch) a public IPv4 address: associate_public_ip_address, else the subnet's "
        "map_public_ip_on_launch (false unless set); live, PublicIpAddress."
    )
