"""Whether an EC2 instance (or a launch template's instances) gets a public IPv4 address.

An explicit associate_public_ip_address decides. Otherwise the subnet does:
one followed by value or reference gives its map_public_ip_on_launch (false
unless set, for a subnet you create); a subnet only known after apply, or
not in this plan, leaves it unknown; no subnet at all means a default
subnet of the default VPC, which the account, not the plan, configures.
"""

from __future__ import annotations

from typing import Any

from ....derive.service_defaults import SERVICE_DEFAULTS, UNKNOWABLE
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, to_bool

_SUBNETS = ("aws_subnet", "aws_default_subnet")


def _subnet_maps_public(subnet: PlanResource) -> Any:
    value = to_bool(subnet.raw.get("map_public_ip_on_launch"))
    if value is None and subnet.type == "aws_subnet":
        return SERVICE_DEFAULTS["ec2.subnet.map_public_ip_on_launch"].value
    return value if isinstance(value, bool) else UNKNOWN


def public_ip(plan: Plan, linker: Linker, b: Builder) -> None:
    resource = b.resource
    if resource.type == "aws_launch_template":
        value = to_bool(resource.raw.get("network_interfaces.0.associate_public_ip_address"))
        if isinstance(value, bool):
            b.set("public_ip", value)
        else:
            b.unknown("public_ip", f"{resource.address}: the subnet an instance launches into decides")
        return
    if not b.is_unset("associate_public_ip_address"):
        b.take("public_ip", "associate_public_ip_address", to_bool)
        return
    if plan.configured(resource, "network_interface") and resource.raw.get("network_interface"):
        b.unknown("public_ip", f"{resource.address}: its attached network interface decides")
        return
    if b.is_unset("subnet_id"):
        b.unknown("public_ip", f"{resource.address}: {UNKNOWABLE['ec2.instance.public_ip:default_subnet'].reason}")
        return
    subnet = linker.parent(resource, "subnet_id", _SUBNETS, ("id",))
    if isinstance(subnet, PlanResource):
        b.absorb(subnet, "public_ip")
        value = _subnet_maps_public(subnet)
        if value is UNKNOWN:
            b.unknown("public_ip", f"{subnet.address}.map_public_ip_on_launch is known only after apply")
        else:
            b.set("public_ip", value)
            if subnet.raw.get("map_public_ip_on_launch") is None:
                b.notes["public_ip"] = SERVICE_DEFAULTS["ec2.subnet.map_public_ip_on_launch"].rule
        return
    if isinstance(subnet, Unresolved):
        values = {_subnet_maps_public(c) for c in subnet.candidates}
        if len(values) == 1 and not subnet.open and UNKNOWN not in values:
            b.set("public_ip", values.pop())  # every subnet it may launch into agrees
        else:
            b.unknown("public_ip", f"{resource.address}: {subnet.reason}")
        return
    b.unknown("public_ip", f"{resource.address}: its subnet is not in this plan; its map_public_ip_on_launch decides")
