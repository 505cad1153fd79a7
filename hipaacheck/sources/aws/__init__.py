"""Live AWS accounts: read-only boto3 collectors into the canonical resources.

Nothing here is imported by the plan path: cli.py and scan.py import the
submodules lazily, so `hipaacheck scan plan` never loads boto3.
"""
