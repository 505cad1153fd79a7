"""What a live scan was asked to do. Free of boto3 so the CLI can build it cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RetryMode = Literal["standard", "adaptive"]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: every region enabled for the account
    role_arn: str | None = None
    external_id: str | None = None
    retry_mode: RetryMode = "adaptive"
    max_attempts: int = 5
    workers: int = 8
    progress: bool = False  # draw a progress line on stderr
