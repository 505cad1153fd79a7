"""moto's sts:AssumeRole made to refuse what AWS refuses, for the organisation tests.

moto lets anyone assume any role ARN, even one that does not exist ("the
role does not need to exist", moto's STS docstring), and checks trust
policies only within one account and only with its IAM authorisation mode
on (which breaks GuardDuty's request signatures in moto 5.2). AWS answers
AssumeRole with AccessDenied when the role does not exist, or when its trust
policy requires an external id that the request does not carry. This patch
does the same, and nothing else: every other call is moto's own.

``python tests/aws/moto_sts.py -H 127.0.0.1 -p PORT`` runs a moto_server with
the patch (what ``launcher`` writes a script for).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _external_ids(trust_document: str) -> set[str] | None:
    """The external ids the trust policy accepts (StringEquals sts:ExternalId), or None when it names none."""
    accepted: set[str] = set()
    statements = json.loads(trust_document).get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        value = statement.get("Condition", {}).get("StringEquals", {}).get("sts:ExternalId")
        if value is not None:
            accepted.update(value if isinstance(value, list) else [value])
    return accepted or None


def _refusing(original: Any) -> Any:
    def assume_role(self: Any, **kwargs: Any) -> Any:
        from moto.core.exceptions import AccessDeniedError
        from moto.iam.models import iam_backends

        role_arn = str(kwargs["role_arn"])
        account, partition = role_arn.split(":")[4], role_arn.split(":")[1]
        denied = AccessDeniedError(user_arn=f"arn:{partition}:iam::{self.account_id}:root", action="sts:AssumeRole")
        try:
            role = iam_backends[account][partition].get_role_by_arn(role_arn)
        except Exception:  # moto's NotFoundException: the role does not exist
            raise denied from None
        accepted = _external_ids(role.assume_role_policy_document)
        if accepted is not None and kwargs.get("external_id") not in accepted:
            raise denied
        return original(self, **kwargs)

    return assume_role


@contextmanager
def refusing_like_aws() -> Iterator[None]:
    """In this process (moto in-process mode), for as long as the context lasts."""
    from moto.sts.models import STSBackend

    original = STSBackend.assume_role
    STSBackend.assume_role = _refusing(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        STSBackend.assume_role = original  # type: ignore[method-assign]


def launcher(directory: Path) -> str:
    """An executable that starts a moto_server with the patch (tools.moto_server takes its path)."""
    script = directory / "moto_server_refusing"
    root = Path(__file__).resolve().parents[2]
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from tests.aws.moto_sts import serve\n"
        "serve()\n"
    )
    script.chmod(0o755)
    return str(script)


def serve() -> None:
    from moto.server import main
    from moto.sts.models import STSBackend

    STSBackend.assume_role = _refusing(STSBackend.assume_role)  # type: ignore[method-assign]
    main(sys.argv[1:])
