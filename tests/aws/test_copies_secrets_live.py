"""Snapshots, images, secrets, functions and resource policies, read live (moto in-process).

One seeded account (seed.py + seed_copies_secrets.py) for the collectors' canonical facts, and one
account built from the policy documents and permissions of the real plan
fixtures/terraform/secrets_policies/plan.json: each variant must give the same public / TLS / URL
facts from the live source as from the plan (the shared reader, through both sources).
moto's RegisterImage ignores block device mappings (it makes an unencrypted root snapshot), so an
image's encryption is also read from recorded DescribeImages responses (botocore Stubber).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from hipaacheck.models import Resource
from hipaacheck.sources.aws.builder import Where
from hipaacheck.sources.aws.calls import Fetcher
from hipaacheck.sources.aws.collectors.copies import collect_images
from hipaacheck.sources.aws.collectors.secrets import collect_secrets
from hipaacheck.sources.aws.context import Context, Facts
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .conftest import ACCOUNT, REGION, in_process_moto, live_scan, of_type
from .seed import client, seed_account

PLAN = FIXTURES / "secrets_policies" / "plan.json"


@pytest.fixture(scope="module")
def scanned() -> Iterator[Any]:
    with in_process_moto():
        seed_account()
        yield live_scan()


def one(scanned: Any, type_name: str, name: str) -> dict[str, Any]:
    found = of_type(scanned.resources, type_name)
    assert name in found, sorted(found)
    assert not found[name].gaps, found[name].gaps
    return found[name].attrs


def test_db_snapshots(scanned: Any) -> None:
    ok = one(scanned, "db_snapshot", "ok-claims-db-snap")
    assert (ok["kind"], ok["encrypted"], ok["public"], ok["shared_accounts"]) == ("instance", True, False, [])
    assert ok["source_identifier"] == "ok-claims-db" and ok["tags"] == {"phi": "true"}
    bad = one(scanned, "db_snapshot", "bad-claims-db-snap")
    assert (bad["encrypted"], bad["public"], bad["shared_accounts"]) == (False, True, ["all"])
    cluster = one(scanned, "db_snapshot", "bad-ledger-shared")
    assert cluster["kind"] == "cluster" and cluster["public"] is True and cluster["encrypted"] is True
    address = of_type(scanned.resources, "db_snapshot")["ok-claims-db-snap"].address
    assert address == f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:ok-claims-db-snap"
    # Automated snapshots cannot be shared: only manual ones are listed.
    assert set(of_type(scanned.resources, "db_snapshot")) == {
        "ok-claims-db-snap",
        "bad-claims-db-snap",
        "bad-ledger-shared",
    }


def test_ebs_snapshots_and_images(scanned: Any) -> None:
    assert one(scanned, "ebs_snapshot", "ok-disk-snap") | {"volume_id": None} == {
        "tags": {"Name": "ok-disk-snap"},
        "volume_id": None,
        "encrypted": True,
        "public": False,
    }
    bad = one(scanned, "ebs_snapshot", "bad-disk-snap")
    assert bad["encrypted"] is False and bad["public"] is True
    image = one(scanned, "machine_image", "bad-worker-image")
    assert image == {"tags": {}, "image_name": "bad-worker-image", "encrypted": False, "public": True}


def test_secrets_and_functions(scanned: Any) -> None:
    ok = one(scanned, "secretsmanager_secret", "ok-db-password")
    assert (ok["kms_cmk"], ok["rotation_enabled"], ok["policy"]) == (True, True, {"present": True, "public": False})
    bad = one(scanned, "secretsmanager_secret", "bad-api-token")
    assert (bad["kms_cmk"], bad["rotation_enabled"], bad["policy"]["public"]) == (False, False, True)
    intake = one(scanned, "lambda_function", "ok-intake")
    assert intake["policy"] == {"present": True, "public": False}
    assert (intake["url_configured"], intake["url_auth_type"]) == (True, "AWS_IAM")
    opened = one(scanned, "lambda_function", "bad-open-invoke")
    assert opened["policy"]["public"] is True and opened["url_auth_type"] == "NONE"
    deputy = one(scanned, "lambda_function", "bad-confused-deputy")
    assert deputy["policy"]["public"] is True and deputy["url_configured"] is False


def test_resource_policies_of_queues_topics_keys_and_file_systems(scanned: Any) -> None:
    tls = {"present": True, "public": False, "denies_insecure_transport": True}
    assert one(scanned, "sqs_queue", "ok-claims-intake")["policy"] == tls
    assert one(scanned, "sqs_queue", "bad-claims-intake")["policy"]["public"] is True
    assert one(scanned, "sns_topic", "ok-alerts")["policy"] == tls
    # SNS's own default policy (owner only, AWS:SourceOwner) is read, and is not public.
    assert one(scanned, "sns_topic", "bad-alerts")["policy"] == {**tls, "denies_insecure_transport": False}
    assert one(scanned, "efs_file_system", "ok-edi")["policy"] == tls
    assert one(scanned, "efs_file_system", "bad-edi")["policy"] == {
        "present": False,
        "public": False,
        "denies_insecure_transport": False,
    }
    assert one(scanned, "kms_key", "alias/ok-phi")["policy"] == {"present": True, "public": False}


# --- the plan's variants, deployed as they are written, read live -------------------------------


def _changes() -> dict[str, dict[str, Any]]:
    plan = json.loads(PLAN.read_text())
    return {rc["address"]: rc["change"]["after"] for rc in plan["resource_changes"]}


def _policy(changes: dict[str, dict[str, Any]], parent: str, child: str) -> str | None:
    name = parent.split(".", 1)[1]
    owned = changes.get(f"{child}.{name}")
    document = (owned or {}).get("policy") or (changes[parent] or {}).get("policy")
    return document if isinstance(document, str) and document else None


def _deploy(changes: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each plan resource rebuilt in moto with the plan's own documents; plan address -> live name."""
    names: dict[str, str] = {}
    sqs, sns, kms, efs, secrets, functions = (
        client(s) for s in ("sqs", "sns", "kms", "efs", "secretsmanager", "lambda")
    )
    for address in [a for a in changes if a.startswith("aws_sqs_queue.")]:
        document = _policy(changes, address, "aws_sqs_queue_policy")
        url = sqs.create_queue(QueueName=changes[address]["name"])["QueueUrl"]
        if document:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": document})
        names[address] = changes[address]["name"]
    for address in [a for a in changes if a.startswith("aws_sns_topic.")]:
        arn = sns.create_topic(Name=changes[address]["name"])["TopicArn"]
        document = _policy(changes, address, "aws_sns_topic_policy")
        if document:
            sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=document)
        names[address] = changes[address]["name"]
    for address in [a for a in changes if a.startswith("aws_kms_key.")]:
        key = kms.create_key(Description=address)["KeyMetadata"]["KeyId"]
        document = _policy(changes, address, "aws_kms_key_policy")
        if document:
            kms.put_key_policy(KeyId=key, PolicyName="default", Policy=document)
        kms.create_alias(AliasName=f"alias/{address.split('.')[1]}", TargetKeyId=key)
        names[address] = f"alias/{address.split('.')[1]}"
    for address in [a for a in changes if a.startswith("aws_efs_file_system.")]:
        name = address.split(".")[1]
        fs = efs.create_file_system(CreationToken=name, Encrypted=True, Tags=[{"Key": "Name", "Value": f"fs-{name}"}])
        document = _policy(changes, address, "aws_efs_file_system_policy")
        if document:
            efs.put_file_system_policy(FileSystemId=fs["FileSystemId"], Policy=document)
        names[address] = f"fs-{name}"
    for address in [a for a in changes if a.startswith("aws_secretsmanager_secret.")]:
        name = changes[address]["name"]
        secrets.create_secret(Name=name, SecretString="dummy-value")
        document = _policy(changes, address, "aws_secretsmanager_secret_policy")
        if document:
            secrets.put_resource_policy(SecretId=name, ResourcePolicy=document)
        names[address] = name
    role = client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for address in [a for a in changes if a.startswith("aws_lambda_function.")]:
        name = changes[address]["function_name"]
        functions.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="a.h",
            Code={"ZipFile": b"PK\x05\x06" + b"\0" * 18},
        )
        names[address] = name
    _permissions_and_urls(changes, functions)
    return names


_PERMISSION_ARGUMENTS = {
    "source_arn": "SourceArn",
    "source_account": "SourceAccount",
    "principal_org_id": "PrincipalOrgID",
    "function_url_auth_type": "FunctionUrlAuthType",
}


def _permissions_and_urls(changes: dict[str, dict[str, Any]], functions: Any) -> None:
    for address, values in changes.items():
        if address.startswith("aws_lambda_permission."):
            extra = {api: values[tf] for tf, api in _PERMISSION_ARGUMENTS.items() if values.get(tf)}
            functions.add_permission(
                FunctionName=values["function_name"],
                StatementId=values["statement_id"],
                Action=values["action"],
                Principal=values["principal"],
                **extra,
            )
        elif address.startswith("aws_lambda_function_url."):
            functions.create_function_url_config(
                FunctionName=values["function_name"], AuthType=values["authorization_type"]
            )


COMPARED = ("policy.public", "policy.denies_insecure_transport", "url_configured", "url_auth_type")


def _facts(resource: Resource) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in COMPARED:
        head, _, tail = path.partition(".")
        value = resource.attrs.get(head)
        value = value.get(tail) if tail and isinstance(value, dict) else (None if tail else value)
        gap = resource.gap_for(path)
        found[path] = gap.kind.value if gap is not None else value
    return found


def test_every_plan_variant_reads_the_same_live() -> None:
    _, plan_resources = load_plan_resources(PLAN)
    changes = _changes()
    with in_process_moto():
        names = _deploy(changes)
        live = live_scan().resources
    live_by_name = {(r.type, r.name): r for r in live}
    compared = 0
    for resource in plan_resources:
        if resource.address not in names:
            continue
        mine = live_by_name.get((resource.type, names[resource.address]))
        assert mine is not None, resource.address
        plan_facts, live_facts = _facts(resource), _facts(mine)
        assert plan_facts == live_facts, (resource.address, plan_facts, live_facts)
        compared += 1
    assert compared == len(names) == 17  # 3 queues, 2 topics, 3 keys, 2 file systems, 3 secrets, 4 functions


def _image(encrypted: list[bool], public: bool = False) -> dict[str, Any]:
    return {
        "ImageId": "ami-0123456789abcdef0",
        "Name": "worker",
        "Public": public,
        "BlockDeviceMappings": [
            {"DeviceName": f"/dev/xvd{chr(97 + i)}", "Ebs": {"SnapshotId": f"snap-{i}", "Encrypted": e}}
            for i, e in enumerate(encrypted)
        ]
        + [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}],
    }


@pytest.mark.parametrize(
    ("images", "launch", "expected"),
    [
        pytest.param([_image([True, True])], [], {"encrypted": True, "public": False}, id="every EBS device encrypted"),
        pytest.param([_image([True, False])], [], {"encrypted": False, "public": False}, id="one plain device"),
        pytest.param([_image([True], public=True)], [], {"encrypted": True, "public": True}, id="Public flag"),
        pytest.param([_image([True])], [{"Group": "all"}], {"encrypted": True, "public": True}, id="launch group all"),
        pytest.param(
            [_image([True])], [{"UserId": "111122223333"}], {"encrypted": True, "public": False}, id="one account"
        ),
    ],
)
def test_image_encryption_from_recorded_responses(
    images: list[dict[str, Any]], launch: list[dict[str, str]], expected: dict[str, bool]
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    with Stubber(ec2) as stub:
        stub.add_response("describe_images", {"Images": images}, {"Owners": ["self"]})
        if not images[0]["Public"]:  # a public image needs no launch permission read
            stub.add_response(
                "describe_image_attribute",
                {"ImageId": images[0]["ImageId"], "LaunchPermissions": launch},
                {"ImageId": images[0]["ImageId"], "Attribute": "launchPermission"},
            )
        ctx = Context(Fetcher(lambda service, region: ec2, 1), Where(ACCOUNT, REGION), Facts(), (REGION,))
        (image,) = collect_images(ctx)
        stub.assert_no_pending_responses()
    assert {k: image.attrs[k] for k in expected} == expected and not image.gaps


@pytest.mark.parametrize(("manager", "expected"), [("AWS", False), ("CUSTOMER", True)])
def test_a_secret_key_arn_is_customer_managed_only_if_kms_says_so(manager: str, expected: bool) -> None:
    # The AWS managed aws/secretsmanager key can be named by its key ARN; only DescribeKey tells.
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:claims-AbCdEf"
    sm, kms = boto3.client("secretsmanager", region_name=REGION), boto3.client("kms", region_name=REGION)
    with Stubber(sm) as sm_stub, Stubber(kms) as kms_stub:
        sm_stub.add_response("list_secrets", {"SecretList": [{"ARN": secret, "Name": "claims", "KmsKeyId": key}]}, {})
        sm_stub.add_response("get_resource_policy", {"ARN": secret, "Name": "claims"}, {"SecretId": secret})
        kms_stub.add_response("describe_key", {"KeyMetadata": {"KeyId": key, "KeyManager": manager}}, {"KeyId": key})
        clients = {"secretsmanager": sm, "kms": kms}
        ctx = Context(Fetcher(lambda service, region: clients[service], 1), Where(ACCOUNT, REGION), Facts(), (REGION,))
        (found,) = collect_secrets(ctx)
        sm_stub.assert_no_pending_responses()
        kms_stub.assert_no_pending_responses()
    assert found.attrs["kms_cmk"] is expected and found.attrs["policy"] == {"present": False, "public": False}
