"""Plan and live agree on the container types Terraform can deploy to moto (EKS, ECR, ECS).

fixtures/terraform/containers_live/*.tf is applied with real Terraform to a fresh moto server and
planned again (a no-op plan whose prior state holds every ARN). Every (policy, resource) status of
the container types in that plan must equal the live scan's. Redshift, OpenSearch and DocumentDB
cannot be applied to moto 5.2 (see the scenario's main.tf); their plan and live sides are tested
on the same variants in tests/test_containers.py and tests/aws/test_containers_live.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Resource
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .conftest import REGION
from .test_plan_vs_live import _arns
from .tools import apply_plan_and_scan, moto_server, terraform_workspace

SCENARIO = FIXTURES / "containers_live"
TYPES = {"eks_cluster", "ecr_repository", "ecs_task_definition"}
SERVICES = ("sts", "iam", "eks", "ecr", "ecs")
CANARY = "CANARY-live-plan-password-0000"

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed"),
]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Resource]]]:
    ws = terraform_workspace(tmp_path_factory, "containers-plan-vs-live", SCENARIO)
    gen, src, work = ws.gen, ws.src, ws.work
    with moto_server(work) as moto:
        endpoints = "\n".join(f'    {service} = "{moto.url}"' for service in SERVICES)
        (src / gen.OVERRIDE_NAME).write_text(
            f'provider "aws" {{\n  skip_requesting_account_id = false\n  endpoints {{\n{endpoints}\n  }}\n}}\n'
        )
        yield apply_plan_and_scan(ws, moto, REGION)


def test_plan_and_live_agree_on_the_container_types(deployed: tuple[Path, list[Resource]]) -> None:
    plan_path, live_resources = deployed
    plan = json.loads(plan_path.read_text())
    mine = [rc for rc in plan["resource_changes"] if not rc["type"].startswith("aws_ecr_registry")]
    assert {"+".join(rc["change"]["actions"]) for rc in mine} == {"no-op"}
    _, plan_resources = load_plan_resources(plan_path)
    policies = load_policies([builtin_policy_dir()])
    arns = _arns(plan)
    plan_findings = [f for f in evaluate(policies, plan_resources) if f.resource.type in TYPES]
    live = {(f.policy_id, f.resource.address): f.status.value for f in evaluate(policies, live_resources)}
    compared = {}
    for finding in plan_findings:
        key = (finding.policy_id, arns[finding.resource.address])
        assert key in live, f"{key} evaluated in the plan but not in the live scan"
        compared[(finding.policy_id, finding.resource.address)] = (finding.status.value, live[key])
    assert len(compared) == 2 * 3 + 3 * 3 + 2 * 2  # every policy of the three types on every resource
    differences = {pair: statuses for pair, statuses in compared.items() if statuses[0] != statuses[1]}
    assert not differences, differences
    # Both verdicts of every kind occur: the agreement is not all-pass or all-fail.
    assert {s for s, _ in compared.values()} == {"pass", "fail"}


def test_the_plaintext_secret_stays_out_of_both_scans(deployed: tuple[Path, list[Resource]]) -> None:
    plan_path, live_resources = deployed
    assert CANARY in plan_path.read_text()
    _, plan_resources = load_plan_resources(plan_path)
    policies = load_policies([builtin_policy_dir()])
    for resources in (plan_resources, live_resources):
        shown = json.dumps([(f.message, f.resource.attrs) for f in evaluate(policies, resources)], default=str)
        assert CANARY not in shown and "worker/DB_PASSWORD" in shown
