"""S3 buckets: one listing, then each bucket's settings read in the bucket's own region.

The "not configured" answers are the S3 defaults, as in the Terraform adapter:
no encryption configuration is SSE-S3 (AES256, applied since 2023-01-05), no
public access block is all_enabled = false, no bucket policy is not public.
receives_logs is set afterwards by the link step, from every log sender.
"""

from __future__ import annotations

from typing import Any

from ....derive.policy_document import DocumentError
from ....derive.resource_policy import resource_policy_facts
from ....models import Resource
from ..builder import LiveBuilder, Where, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

_PAB_FLAGS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}
_ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
_AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"

CALLS = calls(
    Call("s3", "list_buckets", "s3:ListAllMyBuckets", (ALL_FIELDS,), paginate=True),
    Call("s3", "get_bucket_location", "s3:GetBucketLocation"),
    Call("s3", "get_bucket_tagging", "s3:GetBucketTagging", ("tags",), frozenset({"NoSuchTagSet"})),
    Call(
        "s3",
        "get_bucket_encryption",
        "s3:GetEncryptionConfiguration",
        ("encryption",),
        frozenset({"ServerSideEncryptionConfigurationNotFoundError"}),
    ),
    Call(
        "s3",
        "get_public_access_block",
        "s3:GetBucketPublicAccessBlock",
        ("public_access_block",),
        frozenset({"NoSuchPublicAccessBlockConfiguration"}),
    ),
    Call("s3", "get_bucket_acl", "s3:GetBucketAcl", ("acl",)),
    Call("s3", "get_bucket_policy", "s3:GetBucketPolicy", ("policy",), frozenset({"NoSuchBucketPolicy"})),
    # S3's own verdict on the policy; the scan takes the stricter of it and the shared reader.
    Call(
        "s3",
        "get_bucket_policy_status",
        "s3:GetBucketPolicyStatus",
        ("policy.public",),
        frozenset({"NoSuchBucketPolicy"}),
    ),
    Call("s3", "get_bucket_versioning", "s3:GetBucketVersioning", ("versioning",)),
    Call("s3", "get_bucket_logging", "s3:GetBucketLogging", ("logging",)),
    Call(
        "s3",
        "get_object_lock_configuration",
        "s3:GetBucketObjectLockConfiguration",
        ("object_lock",),
        frozenset({"ObjectLockConfigurationNotFoundError"}),
    ),
    Call(
        "s3",
        "get_bucket_replication",
        "s3:GetReplicationConfiguration",
        ("replication_enabled",),
        frozenset({"ReplicationConfigurationNotFoundError"}),
    ),
)
C = CALLS


def bucket_region(location: Any) -> str:
    """GetBucketLocation's LocationConstraint: None means us-east-1 and "EU" eu-west-1."""
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else str(location)


def collect(ctx: Context) -> list[Resource]:
    home = ctx.where.region
    listing = ctx.fetch.call(C["list_buckets"], home)
    if listing.error:
        return [placeholder("s3_bucket", ctx.where, listing.error)]
    names = [b["Name"] for b in listing.data.get("Buckets", []) if isinstance(b, dict) and "Name" in b]
    built = ctx.map(lambda name: _bucket(ctx, name), names)
    return [r for r in built if r is not None]


def _bucket(ctx: Context, name: str) -> Resource | None:
    home = ctx.where.region
    location = ctx.fetch.call(C["get_bucket_location"], home, Bucket=name)
    region = bucket_region(location.data.get("LocationConstraint")) if location.ok else None
    if region is not None and region not in ctx.regions:
        return None  # a bucket in a region this scan does not cover
    where = Where(ctx.where.account, region or home, ctx.where.partition)
    b = LiveBuilder("s3_bucket", f"arn:{where.partition}:s3:::{name}", where)
    b.set("bucket", name)
    # When the location is unreadable, boto3 follows S3's redirect to the bucket's region.
    call_region = region or home

    def read(operation: str) -> Any:
        result = ctx.fetch.call(C[operation], call_region, Bucket=name)
        if b.failed(C[operation], result):
            return None
        return result

    tagging = read("get_bucket_tagging")
    if tagging is not None:
        b.tags(tag_map(tagging.data.get("TagSet")) if tagging.ok else {})
    _encryption(b, read("get_bucket_encryption"))
    _public_access_block(b, read("get_public_access_block"))
    _acl(b, read("get_bucket_acl"))
    policy = read("get_bucket_policy")
    _policy(b, policy, f"arn:{where.partition}:s3:::{name}")
    if policy is not None and policy.ok and not policy.not_configured:
        _policy_status(b, ctx.fetch.call(C["get_bucket_policy_status"], call_region, Bucket=name))
    versioning = read("get_bucket_versioning")
    if versioning is not None:
        b.set("versioning.enabled", versioning.data.get("Status") == "Enabled")
        if "MFADelete" in versioning.data:
            b.set("versioning.mfa_delete", versioning.data["MFADelete"] == "Enabled")
    logging = read("get_bucket_logging")
    if logging is not None:
        target = (logging.data.get("LoggingEnabled") or {}).get("TargetBucket")
        b.set("logging.enabled", bool(target))
        b.set("logging.target_bucket", target or None)
    lock = read("get_object_lock_configuration")
    if lock is not None:
        config = lock.data.get("ObjectLockConfiguration") or {}
        b.set("object_lock.enabled", config.get("ObjectLockEnabled") == "Enabled")
        b.set("object_lock.mode", ((config.get("Rule") or {}).get("DefaultRetention") or {}).get("Mode"))
    replication = read("get_bucket_replication")
    if replication is not None:
        rules = (replication.data.get("ReplicationConfiguration") or {}).get("Rules") or []
        b.set("replication_enabled", any(r.get("Status") == "Enabled" for r in rules if isinstance(r, dict)))
    return b.build(name)


def _encryption(b: LiveBuilder, result: Any) -> None:
    if result is None:
        return
    if result.not_configured:
        b.set("encryption.algorithm", "AES256")
        return
    rules = (result.data.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or [{}]
    rule = rules[0] if isinstance(rules[0], dict) else {}
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    b.set("encryption.algorithm", default.get("SSEAlgorithm"))
    b.set("encryption.kms_key_id", default.get("KMSMasterKeyID") or None)
    b.set("encryption.bucket_key_enabled", rule.get("BucketKeyEnabled"))


def _public_access_block(b: LiveBuilder, result: Any) -> None:
    if result is None:
        return
    if result.not_configured:
        b.set("public_access_block.all_enabled", False)
        return
    config = result.data.get("PublicAccessBlockConfiguration") or {}
    values = [config.get(flag) is True for flag in _PAB_FLAGS]
    for flag, path in _PAB_FLAGS.items():
        b.set(f"public_access_block.{path}", config.get(flag) is True)
    b.set("public_access_block.all_enabled", all(values))


def _acl(b: LiveBuilder, result: Any) -> None:
    if result is None:
        return
    owner = (result.data.get("Owner") or {}).get("ID")
    grants = [g for g in result.data.get("Grants") or [] if isinstance(g, dict)]
    public: set[str] = set()
    others = False
    for grant in grants:
        grantee = grant.get("Grantee") or {}
        uri = grantee.get("URI")
        if uri in (_ALL_USERS, _AUTHENTICATED):
            public.add(f"{'all' if uri == _ALL_USERS else 'auth'}:{grant.get('Permission')}")
        elif grantee.get("ID") != owner:
            others = True
    b.set("acl.public", bool(public))
    canned = _canned(public, others)
    b.set("acl.canned", canned)


def _canned(public: set[str], others: bool) -> str | None:
    """The canned ACL the grants amount to, when they match one exactly."""
    if others:
        return None
    return {
        frozenset(): "private",
        frozenset({"all:READ"}): "public-read",
        frozenset({"all:READ", "all:WRITE"}): "public-read-write",
        frozenset({"auth:READ"}): "authenticated-read",
    }.get(frozenset(public))


def _policy(b: LiveBuilder, result: Any, bucket_arn: str) -> None:
    if result is None:
        return
    if result.not_configured:
        b.setdefault({"policy.present": False, "policy.public": False, "policy.denies_insecure_transport": False})
        return
    b.set("policy.present", True)
    try:
        facts = resource_policy_facts(result.data.get("Policy"), bucket_arn)
    except DocumentError as exc:
        b.error(["policy.public", "policy.denies_insecure_transport"], f"bucket policy: {exc}")
        return
    b.set("policy.public", facts.public)
    b.set("policy.denies_insecure_transport", facts.denies_insecure_transport)


def _policy_status(b: LiveBuilder, status: Any) -> None:
    """S3's IsPublic next to the shared reader's answer: public if either says so.

    When S3's answer cannot be read, a "public" from the reader stands (nothing can
    make it less public); a "not public" is not proven without it, so it is an error.
    """
    if b.attrs.get("policy", {}).get("public") is True or "policy.public" in b.gaps:
        return
    if status.error is not None:
        b.attrs["policy"].pop("public", None)
        b.error(["policy.public"], f"{status.error} (S3's own public verdict, s3:GetBucketPolicyStatus)")
        return
    if status.not_configured:
        return  # the policy went away between the two reads: the reader's answer stands
    if (status.data.get("PolicyStatus") or {}).get("IsPublic") is True:
        b.set("policy.public", True)


COLLECTOR = Collector("s3", ("s3_bucket",), CALLS, collect, scope="global")
