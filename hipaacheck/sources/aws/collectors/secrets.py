"""Secrets Manager secrets and Lambda functions (resource policies, rotation, function URLs)."""

from __future__ import annotations

from ....derive.resource_policy import LAMBDA, SECRETSMANAGER
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context
from .resource_policies import apply_policy

SECRETS_CALLS = calls(
    Call("secretsmanager", "list_secrets", "secretsmanager:ListSecrets", (ALL_FIELDS,), paginate=True),
    Call("secretsmanager", "get_resource_policy", "secretsmanager:GetResourcePolicy", ("policy",)),
    # A key ARN may be the AWS managed aws/secretsmanager key's: KMS says who manages it.
    Call("kms", "describe_key", "kms:DescribeKey", ("kms_cmk",)),
)
LAMBDA_CALLS = calls(
    Call("lambda", "list_functions", "lambda:ListFunctions", (ALL_FIELDS,), paginate=True),
    # No policy (no permission was ever added) answers ResourceNotFoundException.
    Call("lambda", "get_policy", "lambda:GetPolicy", ("policy",), frozenset({"ResourceNotFoundException"})),
    Call(
        "lambda",
        "get_function_url_config",
        "lambda:GetFunctionUrlConfig",
        ("url_configured", "url_auth_type"),
        frozenset({"ResourceNotFoundException"}),
    ),
    Call("lambda", "list_tags", "lambda:ListTags", ("tags",)),
)
NO_POLICY = {"present": False, "public": False}


def _aws_managed(key: str) -> bool:
    return key.startswith("alias/aws/") or ":alias/aws/" in key


def _kms_cmk(ctx: Context, b: LiveBuilder, key: object) -> None:
    if not isinstance(key, str) or not key or _aws_managed(key):
        b.set("kms_cmk", False)  # no KmsKeyId: the AWS managed key aws/secretsmanager
        return
    described = ctx.fetch.call(SECRETS_CALLS["describe_key"], ctx.where.region, KeyId=key)
    if not b.failed(SECRETS_CALLS["describe_key"], described):
        b.set("kms_cmk", (described.data.get("KeyMetadata") or {}).get("KeyManager") == "CUSTOMER")


def collect_secrets(ctx: Context) -> list[Resource]:
    c, region = SECRETS_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_secrets"], region)
    if listing.error:
        return [placeholder("secretsmanager_secret", ctx.where, listing.error)]
    resources = []
    for item in listing.data.get("SecretList", []):
        arn, name = str(item.get("ARN")), item.get("Name")
        b = LiveBuilder("secretsmanager_secret", arn, ctx.where)
        b.tags(tag_map(item.get("Tags")))
        b.set("secret_name", name)
        key = item.get("KmsKeyId")
        b.set("kms_key_id", key)
        _kms_cmk(ctx, b, key)
        b.set("rotation_enabled", item.get("RotationEnabled") is True)
        policy = ctx.fetch.call(c["get_resource_policy"], region, SecretId=arn)
        if not b.failed(c["get_resource_policy"], policy):
            apply_policy(b, policy.data.get("ResourcePolicy"), arn, SECRETSMANAGER, tls=False, default=NO_POLICY)
        resources.append(b.build(name))
    return resources


def collect_functions(ctx: Context) -> list[Resource]:
    c, region = LAMBDA_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_functions"], region)
    if listing.error:
        return [placeholder("lambda_function", ctx.where, listing.error)]
    resources = []
    for item in listing.data.get("Functions", []):
        arn, name = str(item.get("FunctionArn")), item.get("FunctionName")
        b = LiveBuilder("lambda_function", arn, ctx.where)
        b.set("function_name", name)
        policy = ctx.fetch.call(c["get_policy"], region, FunctionName=name)
        if policy.not_configured:
            apply_policy(b, None, arn, LAMBDA, tls=False, default=NO_POLICY)
        elif not b.failed(c["get_policy"], policy):
            apply_policy(b, policy.data.get("Policy"), arn, LAMBDA, tls=False, default=NO_POLICY)
        url = ctx.fetch.call(c["get_function_url_config"], region, FunctionName=name)
        if url.not_configured:
            b.set("url_configured", False)
        elif not b.failed(c["get_function_url_config"], url):
            b.set("url_configured", True)
            b.set("url_auth_type", url.data.get("AuthType"))
        tags = ctx.fetch.call(c["list_tags"], region, Resource=arn)
        if not b.failed(c["list_tags"], tags):
            b.tags(tag_map(tags.data.get("Tags") or {}))
        resources.append(b.build(name))
    return resources


SECRETS = Collector("secretsmanager", ("secretsmanager_secret",), SECRETS_CALLS, collect_secrets)
FUNCTIONS = Collector("lambda", ("lambda_function",), LAMBDA_CALLS, collect_functions)
