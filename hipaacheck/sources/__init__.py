"""Sources turn something scanned (a Terraform plan, a live account) into canonical resources."""
