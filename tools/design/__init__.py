"""The design document (`to-be-architecture.ko.md`) as checks on the synthesized stacks.

`catalogue` reads the claims (data, `claims/*.toml`), `stacks` reads one environment's synthesized
JSON, `checks` holds one check per claim id, and `evaluate` runs them into verdicts.
"""
