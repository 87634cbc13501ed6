"""End to end: every synthesized stack applied with terraform into a local AWS (a moto server).

`python -m tools.e2e` starts moto on 127.0.0.1, creates the state bucket, applies each layer in the
computed deploy order through the S3 backend (remote-state reads included), plans every stack again
(no change allowed), changes a few objects behind Terraform's back and shows that plan (and the drift
command, where it exists) catches exactly those. The synthesized output is never edited: each stack
runs in a scratch copy with one override file (`zz_override.tf.json`).

Modules: `moto_server` (the local AWS), `terraform` (the CLI with a timeout), `override` (the scratch
override), `steps` (deploy order and per-step settings), `tamper` (the changes behind Terraform's back),
`run` (the whole run), `report` (the table).
"""
