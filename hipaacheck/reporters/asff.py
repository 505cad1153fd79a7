"""AWS Security Finding Format (ASFF) for ``aws securityhub batch-import-findings``.

The output is a JSON list of findings, one per hipaacheck finding (passes
included: Security Hub tracks compliance checks by their PASSED/FAILED
state). ``BatchImportFindings`` takes at most 100 findings per call; the
README shows how to split the file. Every finding carries the required
top-level attributes of ASFF 2018-10-08 (SchemaVersion, Id, ProductArn,
GeneratorId, AwsAccountId, Types, CreatedAt, UpdatedAt, Severity, Title,
Description, Resources) with the documented length limits (Title 256,
Description 1024, Remediation text 512, at most 32 resources and related
requirements).

* ProductArn is the account's own "default" product,
  ``arn:<partition>:securityhub:<region>:<account>:product/<account>/default``:
  the one every account may import custom findings into. ``<region>`` is
  where the findings are imported: ``--asff-region``, else AWS_REGION /
  AWS_DEFAULT_REGION, else us-east-1. The resource's own region is in
  ``Resources[].Region``.
* AwsAccountId: the resource's account for a live scan (``--asff-account``
  never overrides what was read). A plan does not say which account it
  deploys to, so plan scans need ``--asff-account``
  (checked before the scan: exit 2 without it). Plan findings also say they
  are about a plan: Description, ``ProductFields`` and the resource's
  ``Details.Other``.
* Compliance.Status, honestly: pass -> PASSED; fail -> FAILED; waived ->
  FAILED with Workflow SUPPRESSED (a dated waiver accepted the failure, it did
  not fix it); unknown (known only after apply) -> WARNING; error (the check
  could not run) and skipped (out of scope, or not managed by the plan) ->
  NOT_AVAILABLE. Nothing but a pass is ever PASSED.
* Severity.Label: the policy's severity, except INFORMATIONAL for pass and
  skipped findings (nothing to act on); Severity.Original keeps the policy's.
  The same values go in FindingProviderFields, which is how a re-import
  updates them.
* Workflow is set when a finding is created; Security Hub ignores it on later
  imports (it belongs to the people triaging), and itself moves a RESOLVED
  finding back to NEW when its compliance status leaves PASSED.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from .. import __version__
from ..display import redact
from ..models import Finding, Severity, Status
from ..policy_docs_link import is_web_url, policy_doc_url
from ..report import Report
from .findings_export import citations, clip, export_id, is_plan, partition_of, source_label

SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls (USA)"
BATCH_LIMIT = 100  # findings per BatchImportFindings call
DEFAULT_REGION = "us-east-1"
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
TITLE_MAX, DESCRIPTION_MAX, REMEDIATION_MAX, LIST_MAX = 256, 1024, 512, 32

COMPLIANCE_STATUS = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.WAIVED: "FAILED",
    Status.UNKNOWN: "WARNING",
    Status.ERROR: "NOT_AVAILABLE",
    Status.SKIPPED: "NOT_AVAILABLE",
}
WORKFLOW_STATUS = {Status.PASS: "RESOLVED", Status.WAIVED: "SUPPRESSED"}  # everything else: NEW
SEVERITY_LABEL = {
    Severity.CRITICAL: "CRITICAL",
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
}
_INFORMATIONAL = (Status.PASS, Status.SKIPPED)

# hipaacheck's canonical types -> ASFF resource types; anything else is "Other".
RESOURCE_TYPE = {
    "s3_bucket": "AwsS3Bucket",
    "kms_key": "AwsKmsKey",
    "db_instance": "AwsRdsDbInstance",
    "db_cluster": "AwsRdsDbCluster",
    "ebs_volume": "AwsEc2Volume",
    "efs_file_system": "AwsEfsFileSystem",
    "dynamodb_table": "AwsDynamoDbTable",
    "security_group": "AwsEc2SecurityGroup",
    "ec2_instance": "AwsEc2Instance",
    "cloudtrail": "AwsCloudTrailTrail",
    "iam_policy": "AwsIamPolicy",
    "sqs_queue": "AwsSqsQueue",
    "sns_topic": "AwsSnsTopic",
    "account": "AwsAccount",
    "account_region": "AwsAccount",
}


def import_region(report: Report, env: dict[str, str] | None = None) -> str:
    environment = os.environ if env is None else env
    for value in (report.asff_region, environment.get("AWS_REGION"), environment.get("AWS_DEFAULT_REGION")):
        if value:
            return value
    return DEFAULT_REGION


def account_for(report: Report, finding: Finding) -> str:
    """The account a finding is about: the resource's (live scans), else --asff-account (plans)."""
    account = finding.resource.account or report.source.get("account") or report.asff_account
    if not isinstance(account, str) or not ACCOUNT_ID.match(account):
        # emit.check refuses a plan scan without --asff-account before the scan starts.
        raise ValueError(f"no 12-digit AWS account for the ASFF finding {finding.policy_id}")
    return account


def _timestamp(report: Report) -> str:
    return report.generated_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _resource(report: Report, finding: Finding, partition: str) -> dict[str, Any]:
    resource = finding.resource
    other = {"hipaacheck/type": resource.type, "hipaacheck/source": resource.source}
    if resource.name:
        other["hipaacheck/name"] = resource.name
    if is_plan(report):
        other["terraform/address"] = resource.address
        other["terraform/plan"] = str(report.source.get("path", ""))
        if resource.action:
            other["terraform/action"] = resource.action
    entry: dict[str, Any] = {
        "Type": RESOURCE_TYPE.get(resource.type, "Other"),
        "Id": clip(resource.address, 512),
        "Partition": partition,
        "Details": {"Other": {key: clip(value, 1024) for key, value in other.items()}},
    }
    if resource.region:
        entry["Region"] = resource.region
    return entry


def asff_finding(report: Report, finding: Finding, region: str) -> dict[str, Any]:
    account = account_for(report, finding)
    partition = partition_of(finding)
    stamp = _timestamp(report)
    label = "INFORMATIONAL" if finding.status in _INFORMATIONAL else SEVERITY_LABEL[finding.severity]
    description = (
        f"{finding.status.value.upper()}: {finding.resource.address}: {redact(finding.message)} "
        f"Source: {source_label(report, finding)}. HIPAA Security Rule 45 CFR {citations(finding)}."
    )
    waiver = report.waiver(finding)
    if waiver is not None:
        description += f" Waived: {waiver.describe()}."
    remediation: dict[str, Any] = {"Text": clip(finding.remediation or finding.title, REMEDIATION_MAX)}
    url = policy_doc_url(finding.policy_id)
    if is_web_url(url):
        remediation["Url"] = url
    product_fields = {
        "hipaacheck/status": finding.status.value,
        "hipaacheck/policy": finding.policy_id,
        "hipaacheck/source": str(report.source.get("kind", "")),
        "hipaacheck/gating": str(report.counts_for_exit(finding)).lower(),
        "ProviderName": "hipaacheck",
        "ProviderVersion": __version__,
    }
    if is_plan(report):
        product_fields["hipaacheck/plan"] = clip(str(report.source.get("path", "")), 1024)
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": export_id(report, finding),
        "ProductArn": f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default",
        "GeneratorId": f"hipaacheck/{finding.policy_id}",
        "AwsAccountId": account,
        "Types": [FINDING_TYPE],
        "CreatedAt": stamp,
        "UpdatedAt": stamp,
        "Severity": {"Label": label, "Original": finding.severity.value},
        # Re-imports update severity and types only through FindingProviderFields (Security Hub
        # keeps the top-level ones for customers' BatchUpdateFindings): a pass that turns into a
        # failure must not stay INFORMATIONAL.
        "FindingProviderFields": {
            "Severity": {"Label": label, "Original": finding.severity.value},
            "Types": [FINDING_TYPE],
        },
        "Title": clip(f"{finding.title}: {finding.resource.name or finding.resource.address}", TITLE_MAX),
        "Description": clip(description, DESCRIPTION_MAX),
        "Remediation": {"Recommendation": remediation},
        "ProductFields": product_fields,
        "Resources": [_resource(report, finding, partition)],
        "Compliance": {
            "Status": COMPLIANCE_STATUS[finding.status],
            "RelatedRequirements": [f"HIPAA {c}" for c in finding.safeguards][:LIST_MAX],
        },
        "RecordState": "ACTIVE",
        "Workflow": {"Status": WORKFLOW_STATUS.get(finding.status, "NEW")},
    }


def render_asff(report: Report) -> str:
    region = import_region(report)
    findings = [asff_finding(report, f, region) for f in report.sorted_findings()]
    return json.dumps(findings, indent=1, ensure_ascii=False) + "\n"
