"""Facts that need real logic, computed once from the same inputs for every source.

A bucket policy that denies non-TLS requests, a security group that opens a
database port to the internet, a parameter group that forces TLS: the
Terraform adapter and the live collectors both call these functions, so a
plan and an account give the same answer for the same configuration.
"""
