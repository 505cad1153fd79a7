"""Module scope, most-specific references and deciding under ambiguity (issue 12 items 2 and 3)."""

from __future__ import annotations

from typing import Any

import pytest

from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind, Resource
from hipaacheck.sources.terraform.adapters import adapt_plan
from hipaacheck.sources.terraform.plan import Plan

from .conftest import change, config_resource, plan_doc, ref

ADMIN = "security-group-no-internet-admin-ports"
DATA = "security-group-no-internet-data-ports"


def adapt(doc: dict[str, Any]) -> dict[str, Resource]:
    return {r.address: r for r in adapt_plan(Plan(doc))}


def verdicts(doc: dict[str, Any], policies: list[Any]) -> dict[tuple[str, str], str]:
    return {(f.resource.address, f.policy_id): f.status.value for f in evaluate(policies, adapt_plan(Plan(doc)))}


def group(address: str, module: str = "", index: int | None = None) -> dict[str, Any]:
    return change(
        address, {"name": None, "ingress": []}, unknown={"id": True, "name": True}, module=module, index=index
    )


def rule(address: str, port: int, cidr: str, module: str = "", index: int | None = None) -> dict[str, Any]:
    after = {"type": "ingress", "protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": [cidr]}
    return change(address, after, unknown={"security_group_id": True}, module=module, index=index)


def rule_config(name: str, *references: str) -> dict[str, Any]:
    return config_resource(f"aws_security_group_rule.{name}", security_group_id=ref(*references))


def module_call(resources: list[dict[str, Any]], for_each: bool = True) -> dict[str, Any]:
    call: dict[str, Any] = {"source": "./modules/sg", "module": {"resources": resources}}
    if for_each:
        call["for_each_expression"] = ref("var.services")
    return call


def two_instances(rule_refs: tuple[str, ...], port: int = 5432) -> dict[str, Any]:
    """module.svc["a"] and ["b"] each hold one group; only "a" has a rule, through rule_refs."""
    a, b = 'module.svc["a"]', 'module.svc["b"]'
    changes = [
        group(f"{a}.aws_security_group.this", module=a),
        group(f"{b}.aws_security_group.this", module=b),
        rule(f"{b}.aws_security_group_rule.https", 443, "0.0.0.0/0", module=b),
        rule(f"{a}.aws_security_group_rule.db", port, "0.0.0.0/0", module=a),
    ]
    resources = [
        config_resource("aws_security_group.this"),
        rule_config("https", "aws_security_group.this.id", "aws_security_group.this"),
        rule_config("db", *rule_refs),
    ]
    return plan_doc(changes, {"resources": [], "module_calls": {"svc": module_call(resources)}})


def test_an_untraceable_rule_stays_in_its_module_instance(builtin_policies: list[Any]) -> None:
    # security_group_id = local.this_sg_id: plan JSON has no locals. The rule can only reach its
    # own instance's group, so module.svc["b"] keeps its verdicts and module.svc["a"]'s only group fails.
    result = verdicts(two_instances(("local.this_sg_id",)), builtin_policies)
    assert result[('module.svc["a"].aws_security_group.this', DATA)] == "fail"
    assert result[('module.svc["b"].aws_security_group.this', DATA)] == "pass"
    assert result[('module.svc["b"].aws_security_group.this', ADMIN)] == "pass"


def test_an_unresolvable_sub_resource_leaves_every_other_instance_unchanged(builtin_policies: list[Any]) -> None:
    baseline = verdicts(two_instances(("aws_security_group.this.id", "aws_security_group.this")), builtin_policies)
    # The same plan, with the rule in module.svc["a"] pointing where nothing can follow it.
    untraceable = verdicts(two_instances(("data.aws_security_group.shared.id",)), builtin_policies)
    others = {k: v for k, v in baseline.items() if k[0].startswith('module.svc["b"]')}
    assert others and others == {k: v for k, v in untraceable.items() if k[0].startswith('module.svc["b"]')}


def test_a_constant_index_resolves_to_exactly_that_instance(builtin_policies: list[Any]) -> None:
    changes = [group(f"aws_security_group.sg[{i}]", index=i) for i in range(3)]
    changes.append(rule("aws_security_group_rule.ssh", 22, "0.0.0.0/0"))
    config = {
        "resources": [
            config_resource("aws_security_group.sg"),
            # Terraform lists the indexed and the bare form: the bare one must not spread to [0] and [2].
            rule_config("ssh", "aws_security_group.sg[1].id", "aws_security_group.sg[1]", "aws_security_group.sg"),
        ]
    }
    result = verdicts(plan_doc(changes, config), builtin_policies)
    assert result[("aws_security_group.sg[1]", ADMIN)] == "fail"
    assert result[("aws_security_group.sg[0]", ADMIN)] == "pass"
    assert result[("aws_security_group.sg[2]", ADMIN)] == "pass"
    assert ("aws_security_group_rule.ssh", ADMIN) not in result


def test_a_bare_reference_without_count_index_is_not_guessed_to_be_the_same_index() -> None:
    # bucket = aws_s3_bucket.b[var.i].id lists only "aws_s3_bucket.b" and "var.i": not "my own index".
    changes = [change(f"aws_s3_bucket.b[{i}]", {}, unknown={"id": True, "bucket": True}, index=i) for i in range(2)]
    changes.append(
        change(
            "aws_s3_bucket_versioning.v[0]",
            {"versioning_configuration": [{"status": "Enabled"}]},
            unknown={"bucket": True},
            index=0,
        )
    )
    config = {"resources": [config_resource("aws_s3_bucket_versioning.v", bucket=ref("aws_s3_bucket.b", "var.i"))]}
    result = adapt(plan_doc(changes, config))
    for i in range(2):
        gap = result[f"aws_s3_bucket.b[{i}]"].gap_for("versioning.enabled")
        assert gap is not None and gap.kind is GapKind.UNKNOWN


def _two_groups_one_rule(port: int, cidr: str) -> dict[str, Any]:
    # concat(aws_security_group.this.*.id, aws_security_group.this_name_prefix.*.id)[0], both created.
    changes = [group("aws_security_group.this"), group("aws_security_group.this_name_prefix")]
    changes.append(rule("aws_security_group_rule.r", port, cidr))
    config = {"resources": [rule_config("r", "aws_security_group.this", "aws_security_group.this_name_prefix")]}
    return plan_doc(changes, config)


def test_a_world_open_rule_on_a_watched_port_fails_wherever_it_lands(builtin_policies: list[Any]) -> None:
    result = verdicts(_two_groups_one_rule(22, "0.0.0.0/0"), builtin_policies)
    assert result[("aws_security_group_rule.r", ADMIN)] == "fail"
    assert result[("aws_security_group.this", ADMIN)] == "unknown"
    assert result[("aws_security_group.this_name_prefix", ADMIN)] == "unknown"
    finding = next(
        f
        for f in evaluate(builtin_policies, adapt_plan(Plan(_two_groups_one_rule(22, "0.0.0.0/0"))))
        if f.resource.address == "aws_security_group_rule.r" and f.policy_id == ADMIN
    )
    assert "aws_security_group.this_name_prefix" in (finding.resource.name or "")


@pytest.mark.parametrize(("port", "cidr"), [(5432, "10.0.0.0/16"), (443, "0.0.0.0/0")])
def test_a_rule_that_cannot_change_a_verdict_changes_none(builtin_policies: list[Any], port: int, cidr: str) -> None:
    result = verdicts(_two_groups_one_rule(port, cidr), builtin_policies)
    assert result[("aws_security_group.this", DATA)] == "pass"
    assert result[("aws_security_group.this_name_prefix", ADMIN)] == "pass"
    assert not any(address == "aws_security_group_rule.r" for address, _ in result)


def test_a_rule_whose_group_is_outside_the_plan_fails_on_its_own_address(builtin_policies: list[Any]) -> None:
    # module.rules holds only the rule; its group comes from a data source: no group of the plan is in reach.
    m = "module.rules"
    changes = [group("aws_security_group.web"), rule(f"{m}.aws_security_group_rule.r", 3389, "::/0", module=m)]
    changes[1]["change"]["after"] |= {"cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"]}
    inner = [rule_config("r", "data.aws_security_group.legacy.id", "data.aws_security_group.legacy")]
    config = {"resources": [], "module_calls": {"rules": module_call(inner, for_each=False)}}
    result = verdicts(plan_doc(changes, config), builtin_policies)
    assert result[(f"{m}.aws_security_group_rule.r", ADMIN)] == "fail"
    assert result[("aws_security_group.web", ADMIN)] == "pass"


def test_the_only_group_in_reach_gets_the_violation(builtin_policies: list[Any]) -> None:
    changes = [group("aws_security_group.web"), rule("aws_security_group_rule.r", 22, "0.0.0.0/0")]
    config = {"resources": [rule_config("r", "local.web_sg_id")]}
    result = verdicts(plan_doc(changes, config), builtin_policies)
    assert result[("aws_security_group.web", ADMIN)] == "fail"
    assert ("aws_security_group_rule.r", ADMIN) not in result


def test_a_public_acl_whose_bucket_is_ambiguous_fails_on_its_own_address(builtin_policies: list[Any]) -> None:
    changes = [
        change("aws_s3_bucket.a", {}, unknown={"id": True, "bucket": True}),
        change("aws_s3_bucket.b", {}, unknown={"id": True, "bucket": True}),
        change("aws_s3_bucket_acl.shared", {"acl": "public-read"}, unknown={"bucket": True}),
        change(
            "aws_s3_bucket_versioning.shared",
            {"versioning_configuration": [{"status": "Enabled"}]},
            unknown={"bucket": True},
        ),
    ]
    config = {
        "resources": [
            config_resource("aws_s3_bucket_acl.shared", bucket=ref("local.bucket_id")),
            config_resource("aws_s3_bucket_versioning.shared", bucket=ref("local.bucket_id")),
        ]
    }
    result = verdicts(plan_doc(changes, config), builtin_policies)
    assert result[("aws_s3_bucket_acl.shared", "s3-bucket-not-public")] == "fail"
    assert result[("aws_s3_bucket.a", "s3-bucket-not-public")] == "unknown"
    # Versioning Enabled may land on either: both unknown, no finding of its own.
    assert result[("aws_s3_bucket.a", "s3-bucket-versioning")] == "unknown"
    assert result[("aws_s3_bucket.b", "s3-bucket-versioning")] == "unknown"
    assert ("aws_s3_bucket_versioning.shared", "s3-bucket-versioning") not in result
    # Other policies do not run on the ACL's own address: they are not its business.
    assert result[("aws_s3_bucket_acl.shared", "s3-bucket-versioning")] == "skipped"


def _db_with_groups(force_ssl: list[str], *, engine_version: str = "14.9", extra_refs: tuple[str, ...] = ()) -> dict:
    changes = [
        change(
            "aws_db_instance.db",
            {"engine": "postgres", "engine_version": engine_version},
            unknown={"parameter_group_name": True},
        )
    ]
    names = [f"aws_db_parameter_group.g{i}" for i in range(len(force_ssl))]
    for name, value in zip(names, force_ssl, strict=True):
        changes.append(
            change(name, {"parameter": [{"name": "rds.force_ssl", "value": value}]}, unknown={"name": True, "id": True})
        )
    config = {"resources": [config_resource("aws_db_instance.db", parameter_group_name=ref(*names, *extra_refs))]}
    return plan_doc(changes, config)


def test_a_database_fails_when_every_candidate_group_and_the_default_leave_tls_optional() -> None:
    assert adapt(_db_with_groups(["0", "0"]))["aws_db_instance.db"].attrs["tls_enforced"] is False
    # local.x that may be null: the engine default (postgres 14: TLS optional) is a candidate too.
    open_set = _db_with_groups(["0"], extra_refs=("local.parameter_group_name",))
    assert adapt(open_set)["aws_db_instance.db"].attrs["tls_enforced"] is False
    assert adapt(_db_with_groups(["1", "1"]))["aws_db_instance.db"].attrs["tls_enforced"] is True
    mixed = adapt(_db_with_groups(["1", "0"]))["aws_db_instance.db"].gap_for("tls_enforced")
    assert mixed is not None and mixed.kind is GapKind.UNKNOWN
    # Every candidate forces TLS, but a group outside the plan could be meant: not a pass.
    open_true = _db_with_groups(["1"], engine_version="16.3", extra_refs=("data.aws_db_parameter_group.x.name",))
    read = {"address": "data.aws_db_parameter_group.x", "mode": "data", "type": "aws_db_parameter_group", "name": "x"}
    open_true["resource_changes"].append(read | {"change": {"actions": ["read"], "after": {}, "after_unknown": {}}})
    gap = adapt(open_true)["aws_db_instance.db"].gap_for("tls_enforced")
    assert gap is not None and gap.kind is GapKind.UNKNOWN
    # A data source the plan does not read (count = 0) gives no value: the one group is the answer.
    open_true["resource_changes"].pop()
    assert adapt(open_true)["aws_db_instance.db"].attrs["tls_enforced"] is True


def test_an_ambiguous_split_resource_can_still_replace_an_inline_block(builtin_policies: list[Any]) -> None:
    # aws_s3_bucket.a says versioning { enabled = true } inline; a split versioning resource that
    # suspends it may land on a or b. A split resource replaces the inline block: a is not a pass.
    changes = [
        change("aws_s3_bucket.a", {"versioning": [{"enabled": True, "mfa_delete": False}]}, unknown={"id": True}),
        change("aws_s3_bucket.b", {}, unknown={"id": True, "bucket": True}),
        change(
            "aws_s3_bucket_versioning.v",
            {"versioning_configuration": [{"status": "Suspended"}]},
            unknown={"bucket": True},
        ),
    ]
    config = {"resources": [config_resource("aws_s3_bucket_versioning.v", bucket=ref("local.bucket_id"))]}
    result = verdicts(plan_doc(changes, config), builtin_policies)
    assert result[("aws_s3_bucket.a", "s3-bucket-versioning")] == "unknown"
    assert result[("aws_s3_bucket.b", "s3-bucket-versioning")] == "fail"  # off either way


def test_an_unpinned_rule_is_judged_with_each_candidates_own_rules(builtin_policies: list[Any]) -> None:
    # 200.0.0.0/9 alone is not the internet, but with a group's own rule over every other /9 it is
    # (issue 11: the internet is a union of sources): the rule may land on either group, so only
    # the group it would complete becomes unknown.
    import ipaddress

    rest = [str(n) for n in ipaddress.ip_network("0.0.0.0/0").subnets(new_prefix=9) if str(n) != "200.0.0.0/9"]
    almost = {"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": rest}
    changes = [
        change("aws_security_group.this", {"ingress": [almost]}, unknown={"id": True}),
        group("aws_security_group.this_name_prefix"),
        rule("aws_security_group_rule.r", 5432, "200.0.0.0/9"),
    ]
    config = {"resources": [rule_config("r", "aws_security_group.this", "aws_security_group.this_name_prefix")]}
    result = verdicts(plan_doc(changes, config), builtin_policies)
    assert result[("aws_security_group.this", DATA)] == "unknown"
    assert result[("aws_security_group.this_name_prefix", DATA)] == "pass"
    assert ("aws_security_group_rule.r", DATA) not in result


def test_a_load_balancer_log_bucket_is_joined_by_reference_and_not_exempt(builtin_policies: list[Any]) -> None:
    changes = [
        change("aws_s3_bucket.lb_logs", {}, unknown={"id": True, "bucket": True}),
        change("aws_s3_bucket.other", {}, unknown={"id": True, "bucket": True}),
        change(
            "aws_lb.web",
            {"internal": False, "access_logs": [{"enabled": True, "prefix": "web"}]},
            unknown={"access_logs": [{"bucket": True}]},
        ),
    ]
    lb = config_resource("aws_lb.web")
    lb["expressions"]["access_logs"] = [{"bucket": ref("aws_s3_bucket.lb_logs.id", "aws_s3_bucket.lb_logs")}]
    resources = {r.address: r for r in adapt_plan(Plan(plan_doc(changes, {"resources": [lb]})))}
    assert resources["aws_s3_bucket.lb_logs"].attrs["log_destination"] is True
    assert resources["aws_s3_bucket.lb_logs"].attrs["receives_logs"] is False  # judged like any other bucket
    assert resources["aws_s3_bucket.other"].attrs["log_destination"] is False
