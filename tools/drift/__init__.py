"""Drift detection for the synthesized stacks: `python -m tools.drift {config,live,plan}`.

- `config`: a layer's state (file, folder or the stack's S3 backend) against its synthesized
  `cdk.tf.json`: which instances are kept, moved, forgotten, destroyed or created, and which configured
  literal values differ (in-place update, replacement, or a change AWS refuses). No terraform needed.
- `live`: the state against the real resources, read with boto3 (never a secret's value).
- `plan`: `terraform plan -refresh-only -detailed-exitcode` in a scratch copy of the stack.

Exit codes follow terraform's: 0 no drift, 2 drift, 1 error. One broken layer never hides another.
"""
