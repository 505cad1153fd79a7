"""hipaacheck: HIPAA Security Rule policy-as-code for AWS Terraform plans and live accounts."""

__version__ = "0.1.0"
