"""The speed machinery: everything that makes a synthesis start fast, in one package.

`load_bindings()` (or `load_bindings_in_background()`) is the one entry point: it loads cdktf and the
provider bindings lazily (`lazy_import`, `lazy_tarball`), starts jsii's kernel directly (`kernel`) and
records construct paths as constructs are made (`construct_paths`). `synth_cache` skips a synthesis
whose inputs did not change; `warm` fills the caches at setup. Importing this package gives every entry
point (the app, `python -m tools.*`, the tests) the same environment (`ENVIRONMENT`). docs/speed.md
tells the whole story.
"""
from __future__ import annotations

import os

ENVIRONMENT = {
    # jsii prints a banner on Node 20 (end of life) into the output of every tool that loads it
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}
for _name, _value in ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

from speed.bindings import load_bindings, load_bindings_in_background, paused_collection, settle  # noqa: E402

__all__ = ["ENVIRONMENT", "load_bindings", "load_bindings_in_background", "paused_collection", "settle"]
