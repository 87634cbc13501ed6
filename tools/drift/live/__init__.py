"""Live drift: the state's resources read back from AWS with boto3, per resource type.

Each reader (`readers_*.py`) turns one state instance into the live values of the attributes it can
read, named as in the state; `check.py` compares them. Readers never read secret values: Secrets
Manager is read with DescribeSecret only and SSM parameters with DescribeParameters only (no value,
SecureString or not)."""
