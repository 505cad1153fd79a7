"""One policy serves both sources: the lifecycle scenario's plan and its deployed account agree.

The scenario's final configuration (fixtures/terraform/lifecycle/*.tf) is
applied with real Terraform against a fresh moto server, then planned again
(a no-op plan whose prior_state holds every resource's ARN). That plan is
scanned, and so is the live moto account. For every (policy, resource) pair
evaluated on both sides, the statuses must be equal, except the differences
listed with a reason in plan_live_differences.yaml. Listed differences that
no longer occur fail too, so the file stays true.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Finding, Resource, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.aws.options import ScanOptions
from hipaacheck.sources.aws.runner import scan_account
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .conftest import ACCOUNT, REGION
from .tools import moto_server, scan_env, terraform_workspace

DIFFERENCES = Path(__file__).with_name("plan_live_differences.yaml")
SCENARIO = FIXTURES / "lifecycle"

# moto refuses PutBucketLogging unless the target bucket lets the log delivery group write
# (real S3 also accepts a bucket policy for logging.s3.amazonaws.com, which moto matches verbatim).
# The fixture never needed it: it only plans this version. Test-only, like the endpoints override.
LOG_DELIVERY = """\
resource "aws_s3_bucket_acl" "access_logs_delivery" {
  bucket = aws_s3_bucket.access_logs.id
  acl    = "log-delivery-write"
}
"""

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed"),
]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Resource]]]:
    """(plan.json of a no-op plan over the applied scenario, the live scan of the moto account)."""
    gen, runner, work, src = terraform_workspace(tmp_path_factory, "plan-vs-live", SCENARIO)
    (src / "zz_log_delivery.tf").write_text(LOG_DELIVERY)
    with moto_server(work) as moto:
        (src / gen.OVERRIDE_NAME).write_text(moto.override())
        runner.tf(src, "init", "-input=false", "-no-color")
        apply = ("apply", "-input=false", "-no-color", "-lock=false", "-auto-approve")
        try:
            runner.tf(src, *apply, quiet=True)
        except gen.Failure:
            runner.tf(src, *apply)  # moto_server is not thread-safe everywhere; see generate-fixtures
        runner.tf(src, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.tfplan")
        runner.tf(src, "show", "-json", "-no-color", "plan.tfplan", stdout_to=work / "plan.json")
        config = work / "aws-config"
        config.write_text("")
        with pytest.MonkeyPatch.context() as patch:
            for name in [n for n in __import__("os").environ if n.startswith("AWS_")]:
                patch.delenv(name)
            for name, value in scan_env(moto.url, config).items():
                patch.setenv(name, value)
            live = scan_account(ScanOptions(regions=(REGION,), workers=4))
        yield work / "plan.json", live.resources


def _arns(plan: dict[str, Any]) -> dict[str, str]:
    """Plan address -> ARN, from the state the plan was made against."""
    found: dict[str, str] = {}

    def walk(module: dict[str, Any]) -> None:
        for resource in module.get("resources", []):
            arn = (resource.get("values") or {}).get("arn")
            if isinstance(arn, str):
                found[resource["address"]] = arn
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan.get("prior_state", {}).get("values", {}).get("root_module", {}))
    return found


def _live_address(resource: Resource, arns: dict[str, str]) -> str | None:
    if resource.type == "account":
        return f"account/{ACCOUNT}"
    if resource.type == "account_region":
        return f"account/{ACCOUNT}/{resource.attrs.get('region', REGION)}"
    if resource.type == "config_recorder" and resource.address.startswith("account/"):
        return f"account/{ACCOUNT}/{resource.attrs.get('region', REGION)}/config-recorder"
    return arns.get(resource.address)


def _not_managed(finding: Finding) -> bool:
    """A plan finding skipped because the plan does not manage the setting: nothing to compare."""
    return finding.status is Status.SKIPPED and "not managed by this plan" in finding.message


def test_plan_and_live_scans_agree(deployed: tuple[Path, list[Resource]]) -> None:
    plan_path, live_resources = deployed
    plan = json.loads(plan_path.read_text())
    actions = {"+".join(rc["change"]["actions"]) for rc in plan["resource_changes"]}
    assert actions == {"no-op"}, actions  # the applied configuration plans clean
    _, plan_resources = load_plan_resources(plan_path)
    policies = load_policies([builtin_policy_dir()])
    arns = _arns(plan)
    live = {(f.policy_id, f.resource.address): f for f in evaluate(policies, live_resources)}
    unmapped = sorted(r.address for r in plan_resources if _live_address(r, arns) is None)
    assert not unmapped
    compared: dict[tuple[str, str], tuple[str, str]] = {}
    for finding in evaluate(policies, plan_resources):
        if _not_managed(finding):
            continue
        key = (finding.policy_id, str(_live_address(finding.resource, arns)))
        assert key in live, f"{key} evaluated in the plan but not in the live scan"
        compared[(finding.policy_id, finding.resource.address)] = (
            finding.status.value,
            live[key].status.value,
        )
    assert len(compared) >= 25  # the comparison covers the scenario, not a corner of it
    differences = {pair: statuses for pair, statuses in compared.items() if statuses[0] != statuses[1]}
    print(f"plan vs live: {len(compared)} pairs compared, {len(differences)} differ")
    listed = {
        (entry["policy"], entry["resource"]): (entry["plan"], entry["live"])
        for entry in yaml.safe_load(DIFFERENCES.read_text())["differences"]
    }
    for entry in yaml.safe_load(DIFFERENCES.read_text())["differences"]:
        assert entry.get("reason"), entry
    unexplained = {pair: s for pair, s in differences.items() if listed.get(pair) != s}
    assert not unexplained, f"plan and live disagree (add a reason to {DIFFERENCES.name} if real): {unexplained}"
    stale = sorted(pair for pair in listed if pair not in differences)
    assert not stale, f"listed in {DIFFERENCES.name} but no longer different: {stale}"
