"""CloudTrail trails and CloudWatch log groups."""

from __future__ import annotations

from .base import Tagged, doc


class Cloudtrail(Tagged):
    trail_name: str | None = doc("Trail name.")
    multi_region: bool | None = doc("Multi-region trail.")
    logging: bool | None = doc("The trail is logging.")
    include_global_service_events: bool | None = doc("Global service (IAM, STS) events included.")
    log_file_validation: bool | None = doc("Log file integrity validation enabled.")
    kms_key_id: str | None = doc("KMS key that encrypts log files.")
    s3_bucket_name: str | None = doc("Destination bucket.")
    cloudwatch_log_group: str | None = doc("CloudWatch Logs group ARN receiving events.")
    management_events: str | None = doc(
        "Management events recorded: All (reads and writes), ReadOnly, WriteOnly, Partial (some event "
        "sources excluded or other filters), absent when none are recorded (data-only selectors)."
    )
    s3_data_events: list[str] | None = doc(
        "S3 object ARN prefixes whose data events (reads and writes) are recorded; arn:aws:s3 = every bucket."
    )


class CloudwatchLogGroup(Tagged):
    log_group_name: str | None = doc("Log group name.")
    kms_key_id: str | None = doc("KMS key that encrypts the log data.")
    retention_days: int | None = doc("Retention in days; 0 means never expire.")
