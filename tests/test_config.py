"""`.hipaacheck.yaml` and policy parameters through the real CLI (issue 10 item 3)."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate_one
from hipaacheck.models import Resource, Status
from hipaacheck.policy.loader import PolicyError, load_policies, load_policy_file
from hipaacheck.policy.parameters import Override

from .conftest import FIXTURES, ROOT, assert_input_error, run_cli

COMPLIANT = str(FIXTURES / "compliant" / "plan.json")
NONCOMPLIANT = str(FIXTURES / "noncompliant" / "plan.json")


def _scan(cwd: Path, *args: str, plan: str = COMPLIANT) -> tuple[int, dict[str, Any], str]:
    result = run_cli("scan", "plan", plan, "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out), result.err


def _statuses(report: dict[str, Any], policy_id: str) -> dict[str, str]:
    return {f["resource"]["address"]: f["status"] for f in report["findings"] if f["policy_id"] == policy_id}


def test_config_in_the_working_directory_overrides_parameters_and_is_recorded(tmp_path: Path) -> None:
    # The compliant plan keeps 14 days of backups: a 30-day minimum turns those passes into failures.
    _, before, _ = _scan(tmp_path)
    assert set(_statuses(before, "rds-cluster-backup-retention").values()) == {"pass"}
    (tmp_path / ".hipaacheck.yaml").write_text(
        "parameters:\n  rds-cluster-backup-retention:\n    min_retention_days: 30\n"
    )
    code, report, _ = _scan(tmp_path)
    assert code == 1
    assert set(_statuses(report, "rds-cluster-backup-retention").values()) == {"fail"}
    failing = next(f for f in report["findings"] if f["policy_id"] == "rds-cluster-backup-retention")
    assert failing["message"] == "backup_retention_period is 14 (expected at least 30)"
    assert report["config"] == ".hipaacheck.yaml"
    assert report["parameters"]["rds-cluster-backup-retention"] == {
        "min_retention_days": {"value": 30, "default": 7, "origin": ".hipaacheck.yaml:3"}
    }
    # Defaults are recorded too: the report says which values decided every parameterised policy.
    assert report["parameters"]["rds-instance-backup-retention"]["min_retention_days"]["origin"] == "default"


def test_command_line_flags_win_over_the_file(tmp_path: Path) -> None:
    (tmp_path / ".hipaacheck.yaml").write_text("fail_on: critical\nskip_policy: [rds-*]\nexit_zero: true\n")
    _, report, _ = _scan(tmp_path, plan=NONCOMPLIANT)
    assert report["fail_on"] == "critical" and report["gate"]["exit_zero"] is True
    assert not [f for f in report["findings"] if f["policy_id"].startswith("rds-")]
    result = run_cli(
        "scan", "plan", NONCOMPLIANT, "--format", "json", "--fail-on", "LOW", "--skip-policy", "s3-*", cwd=tmp_path
    )
    report = json.loads(result.out)
    assert report["fail_on"] == "low" and report["selection"]["skip_policy"] == ["s3-*"]
    assert [f for f in report["findings"] if f["policy_id"].startswith("rds-")]


def test_config_flag_names_another_file_and_a_missing_one_is_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "ci.yaml"
    config.write_text("min_severity: critical\n")
    _, report, _ = _scan(ROOT, "--config", str(config))
    assert report["selection"]["min_severity"] == "critical" and report["config"] == str(config)
    assert_input_error(run_cli("scan", "plan", COMPLIANT, "--config", str(tmp_path / "nope.yaml")), "does not exist")


def test_config_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "mine").mkdir(parents=True)
    shutil.copy(builtin_policy_dir() / "integrity" / "s3-bucket-versioning.yaml", project / "mine" / "my-copy.yaml")
    text = (project / "mine" / "my-copy.yaml").read_text().replace("id: s3-bucket-versioning", "id: my-copy")
    (project / "mine" / "my-copy.yaml").write_text(text)
    waivers = project / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {policy: s3-bucket-versioning, resource: '*', reason: r, owner: o, "
        f"expires: {date.today() + timedelta(days=30)}}}\n"
    )
    (project / "hc.yaml").write_text("waivers: waivers.yaml\npolicy_dirs: [mine]\npolicy: [s3-bucket-versioning]\n")
    _, report, _ = _scan(ROOT, "--config", str(project / "hc.yaml"), plan=NONCOMPLIANT)
    assert Path(report["gate"]["waivers"]["file"]).name == waivers.name  # reports hold no absolute local path
    _, mine, _ = _scan(ROOT, "--config", str(project / "hc.yaml"), "--policy", "my-*", plan=NONCOMPLIANT)
    assert {f["policy_id"] for f in mine["findings"]} == {"my-copy"}  # loaded from project/mine
    assert {f["status"] for f in report["findings"]} <= {"waived", "pass", "skipped"}


def test_the_documented_example_config_runs() -> None:
    result = run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", cwd=ROOT / "examples")
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert report["config"] == ".hipaacheck.yaml"
    assert report["parameters"]["account-password-policy"]["min_length"]["value"] == 16
    assert report["fail_on"] == "high" and report["selection"]["min_severity"] == "medium"


CONFIG_ERRORS = [
    ("failon: high\n", 1, "unknown setting 'failon' (did you mean 'fail_on'?)"),
    ("fail_on: high\nfail-on: low\n", 2, "'fail-on' is given twice (also as 'fail_on')"),
    ("min_severity: low\nfail-on: severe\n", 2, "fail_on: 'severe' is not a severity"),
    ("fail_on: severe\n", 1, "fail_on: 'severe' is not a severity"),
    ("exit_zero: yes please\n", 1, "exit_zero: expected true or false"),
    ("waivers: no-such-file.yaml\n", 1, "waivers: no-such-file.yaml does not exist"),
    ("policy_dirs: [.]\ntf_dir: ' '\n", 2, "tf_dir: expected a path"),
    ("skip_policy: [guardduty-enabled, 3]\n", 1, "skip_policy: expected a string, not 3"),
    ("[1, 2]\n", 1, "a config file is a mapping"),
    ("fail_on: [\n", 2, "YAML syntax error"),
    (
        "parameters:\n  rds-instance-backup-retention:\n    min_retention_day: 3\n",
        3,
        "did you mean 'min_retention_days'?",
    ),
    ("parameters:\n  rds-instance-backup-retention:\n    min_retention_days: '3'\n", 3, "expected an integer, not '3'"),
    ("parameters:\n  rds-instance-backup-retenton:\n    min_retention_days: 3\n", 3, "no such policy is loaded"),
    ("parameters:\n  lb-listener-tls12-policy:\n    allowed_ssl_policies: []\n", 3, "a non-empty list of strings"),
    (
        "parameters:\n  rds-instance-backup-retention:\n    min_retention_days: null\n",
        3,
        "only allowed for an optional",
    ),
    ("parameters:\n  security-group-no-internet-data-ports:\n    watched_ports: [22, x]\n", 3, "list of integers"),
    ("policy: [rds-*]\nskip_policy: nope-*\n", 1, "--skip-policy 'nope-*' matches no loaded policy"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), CONFIG_ERRORS)
def test_config_mistakes_are_one_line_with_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    (tmp_path / ".hipaacheck.yaml").write_text(text)
    result = run_cli("scan", "plan", COMPLIANT, cwd=tmp_path)
    assert_input_error(result, fragment)
    if not fragment.startswith("--"):
        assert f".hipaacheck.yaml:{line}:" in result.err


def test_gate_settings_in_the_config_and_flags_win(tmp_path: Path) -> None:
    # fail_on_unknown and max_waiver_days set --fail-on-unknown and --max-waiver-days (hyphens work too).
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - {policy: s3-bucket-versioning, resource: aws_s3_bucket.x, reason: r, owner: o, "
        f"expires: {date.today() + timedelta(days=100)}}}\n"
    )
    (tmp_path / ".hipaacheck.yaml").write_text("fail-on-unknown: true\nmax_waiver_days: 30\nwaivers: w.yaml\n")
    result = run_cli("scan", "plan", COMPLIANT, cwd=tmp_path)
    assert_input_error(result, "w.yaml:2")  # expires more than 30 days ahead: refused
    assert "30" in result.err
    allowed = run_cli("scan", "plan", COMPLIANT, "--format", "json", "--max-waiver-days", "36600", cwd=tmp_path)
    assert allowed.code in (0, 1), allowed.err
    assert json.loads(allowed.out)["gate"]["fail_on_unknown"] is True
    (tmp_path / ".hipaacheck.yaml").write_text("max_waiver_days: -1\n")
    assert_input_error(run_cli("scan", "plan", COMPLIANT, cwd=tmp_path), "max_waiver_days: expected a whole number")


def test_an_empty_config_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".hipaacheck.yaml").write_text("# nothing yet\n")
    _, report, _ = _scan(tmp_path)
    assert report["result"] == "pass" and report["config"] == ".hipaacheck.yaml"


# ---------------------------------------------------------------- parameters in policies

PASSWORD = "account-password-policy"


def _password(**policy: Any) -> Resource:
    base = {
        "minimum_length": 14,
        "require_uppercase": True,
        "require_lowercase": True,
        "require_numbers": True,
        "require_symbols": True,
        "reuse_prevention": 24,
    }
    return Resource("account", "account", "example", {"password_policy": base | policy})


def _password_policy(**overrides: Any) -> Any:
    path = builtin_policy_dir() / "authentication" / f"{PASSWORD}.yaml"
    values = {name: Override(value, "cfg.yaml", 1, 1) for name, value in overrides.items()}
    return load_policy_file(path, {PASSWORD: values} if values else None)


def test_password_expiry_is_off_by_default_and_an_organisational_choice() -> None:
    default = _password_policy()
    assert evaluate_one(default, _password()).status is Status.PASS  # no expiry: NIST SP 800-63B
    assert evaluate_one(default, _password(max_age_days=365)).status is Status.PASS
    strict = _password_policy(max_age_days=90)
    assert evaluate_one(strict, _password(max_age_days=90)).status is Status.PASS
    failing = evaluate_one(strict, _password(max_age_days=365))
    assert failing.status is Status.FAIL and "max_age_days is 365 (expected at most 90)" in failing.message
    assert evaluate_one(strict, _password()).status is Status.FAIL  # no expiry set, but required
    longer = _password_policy(min_length=20, reuse_prevention=12)
    assert evaluate_one(longer, _password(reuse_prevention=12)).status is Status.FAIL  # 14 < 20
    assert evaluate_one(longer, _password(minimum_length=20, reuse_prevention=12)).status is Status.PASS


def test_parameterised_lists_replace_the_default() -> None:
    path = builtin_policy_dir() / "access-control" / "security-group-no-internet-admin-ports.yaml"
    group = Resource("security_group", "sg", "example", {"internet_exposed_ports": [5985]})
    assert evaluate_one(load_policy_file(path), group).status is Status.PASS
    watched = {"security-group-no-internet-admin-ports": {"watched_ports": Override([5985], "c", 1, 1)}}
    assert evaluate_one(load_policy_file(path, watched), group).status is Status.FAIL


def test_every_builtin_parameter_is_documented_and_its_default_passes_the_examples() -> None:
    policies = load_policies([builtin_policy_dir()])
    declared = {(p.id, q.name) for p in policies for q in p.parameters}
    assert {
        ("rds-instance-backup-retention", "min_retention_days"),
        ("rds-cluster-backup-retention", "min_retention_days"),
        ("cloudwatch-log-group-retention", "min_retention_days"),
        (PASSWORD, "min_length"),
        (PASSWORD, "reuse_prevention"),
        (PASSWORD, "max_age_days"),
        ("lb-listener-tls12-policy", "allowed_ssl_policies"),
        ("security-group-no-internet-admin-ports", "watched_ports"),
        ("security-group-no-internet-data-ports", "watched_ports"),
    } <= declared
    assert all(q.description for p in policies for q in p.parameters)
    listing = run_cli("policies", "list", "--parameters")
    assert listing.code == 0 and "max_age_days" in listing.out and "off" in listing.out


POLICY = """\
id: my-policy
title: Log groups keep data
resource: cloudwatch_log_group
severity: low
safeguards: ["164.312(b)"]
parameters:
  days:
    type: int
    default: 30
    description: Fewest days.
  expiry:
    type: int
    default: null
    description: Optional.
require:
  all:
    - {key: retention_days, op: gte, value: {param: days}}
    - when: expiry
      then: {key: retention_days, op: lte, value: {param: expiry}}
remediation: Keep logs.
examples:
  pass: [{retention_days: 30}]
  fail: [{retention_days: 1}]
"""

POLICY_ERRORS = [
    ("value: {param: days}", "value: {param: dayz}", 17, "unknown parameter 'dayz' (did you mean 'days'?)"),
    ("    default: 30\n", "    default: '30'\n", 9, "expected an integer"),
    ("    type: int\n    default: 30", "    type: integer\n    default: 30", 8, "unknown parameter type 'integer'"),
    ("    - when: expiry\n      then: ", "    - ", 18, "'expiry' is optional"),
    ("    description: Fewest days.\n", "", 7, "needs 'description'"),
    ("value: {param: days}", "value: 30", 7, "'days' is declared but no condition uses it"),
    ("value: {param: days}", "value: {param: days, x: 1}", 17, "a parameter reference is {param: NAME}"),
    ("- when: expiry\n", "- when: days\n", 18, "'when' needs an optional"),
    ("op: gte, value: {param: days}", "op: matches, value: {param: days}", 17, "'matches' compares a string"),
]


@pytest.mark.parametrize(("old", "new", "line", "fragment"), POLICY_ERRORS)
def test_parameter_mistakes_in_a_policy_point_at_its_line(
    tmp_path: Path, old: str, new: str, line: int, fragment: str
) -> None:
    assert old in POLICY
    path = tmp_path / "my-policy.yaml"
    path.write_text(POLICY.replace(old, new, 1))
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert fragment in caught.value.message, caught.value.message
    assert caught.value.line == line, str(caught.value)


def test_a_parameterised_policy_validates_and_tests_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "my-policy.yaml"
    path.write_text(POLICY)
    assert run_cli("policies", "validate", str(path)).code == 0
    result = run_cli("policies", "test", str(path))
    assert result.code == 0 and "2 passed, 0 failed" in result.out


ALTERNATIVE = """\
id: alt-policy
title: Log groups keep data, or never expire it when allowed
resource: cloudwatch_log_group
severity: low
safeguards: ["164.312(b)"]
parameters:
  allow_forever:
    type: bool
    default: false
    description: Retention 0 (never expire) also passes.
require:
  any:
    - {key: retention_days, op: gte, value: 365}
    - when: allow_forever
      then: {key: retention_days, op: equals, value: 0}
remediation: Keep logs.
examples:
  pass: [{retention_days: 400}]
  fail: [{retention_days: 0}, {retention_days: 30}]
"""


def test_a_when_that_is_off_removes_an_alternative_rather_than_satisfying_it(tmp_path: Path) -> None:
    path = tmp_path / "alt-policy.yaml"
    path.write_text(ALTERNATIVE)
    forever = Resource("cloudwatch_log_group", "lg", "example", {"retention_days": 0})
    off = load_policy_file(path)
    assert evaluate_one(off, forever).status is Status.FAIL  # the alternative is not offered
    on = load_policy_file(path, {"alt-policy": {"allow_forever": Override(True, "c", 1, 1)}})
    assert evaluate_one(on, forever).status is Status.PASS
    short = Resource("cloudwatch_log_group", "lg", "example", {"retention_days": 30})
    assert evaluate_one(on, short).message == "retention_days is 30 (expected at least 365 or 0)"
    assert run_cli("policies", "test", str(path)).code == 0


@pytest.mark.parametrize(
    "text",
    [
        "parameters: {1: {2: 3}}\n",
        "parameters: [a]\n",
        "parameters: {rds-instance-backup-retention: {}}\n",
        "parameters: {rds-instance-backup-retention: {min_retention_days: {param: x}}}\n",
        "policy: {a: b}\n",
        "regions: []\n",
        "policy_dirs: [[x]]\n",
        "a: &a [*a]\n",
        "fail_on: 1\n",
        "max_waiver_days: true\n",
        "fail_on_unknown: 1\n",
        "? [a]\n: b\n",
        "\ufeff\x00",
    ],
)
def test_odd_configs_are_one_line_errors(tmp_path: Path, text: str) -> None:
    (tmp_path / ".hipaacheck.yaml").write_text(text)
    result = run_cli("scan", "plan", COMPLIANT, cwd=tmp_path)
    assert_input_error(result, ".hipaacheck.yaml:")


def test_policies_list_shows_the_parameter_values_a_scan_here_would_use(tmp_path: Path) -> None:
    (tmp_path / ".hipaacheck.yaml").write_text("parameters:\n  account-password-policy:\n    max_age_days: 90\n")
    listing = run_cli("policies", "list", "--parameters", cwd=tmp_path)
    assert listing.code == 0, listing.err
    row = listing.out[listing.out.index("max_age_days") :].splitlines()[:3]
    assert row[0].split()[1] == "90" and "set in .hipaacheck.yaml:3" in row[1] and "default: off" in row[2]
    assert "min_length" in listing.out and "14 (default)" in listing.out


def test_the_defaults_fixture_password_policy_passes_until_expiry_is_required(tmp_path: Path) -> None:
    # fixtures/terraform/defaults: a strong password policy with max_password_age unset (never expires).
    plan = str(FIXTURES / "defaults" / "plan.json")
    _, report, _ = _scan(tmp_path, plan=plan)
    assert _statuses(report, "account-password-policy") == {"account": "pass"}
    (tmp_path / ".hipaacheck.yaml").write_text("parameters:\n  account-password-policy: {max_age_days: 90}\n")
    _, strict, _ = _scan(tmp_path, plan=plan)
    assert _statuses(strict, "account-password-policy") == {"account": "fail"}
    finding = next(f for f in strict["findings"] if f["policy_id"] == "account-password-policy")
    assert "password_policy.max_age_days is not set" in finding["message"]
