"""A native-syntax rendering of a synthesized stack, for trivy only (a scan view).

trivy 0.59 reads `cdk.tf.json` but not the nested blocks in it: without the provider's schema it
cannot tell a block from an object attribute in JSON, and its checks see no `ingress` of a security
group, no `versioning_configuration` of a bucket. Measured: a security group open on port 22 to
0.0.0.0/0 fails AVD-AWS-0107 in HCL and passes in JSON (checkov fails it in both). So `tools.scan`
runs trivy on this rendering, where blocks are blocks.

Which JSON objects are blocks: a list of objects, or an object, under any key except the map-typed
arguments below (tags, variables, ...), whose values are rendered as object expressions. Only
`resource`, `data` and `provider` are rendered (what trivy's checks read); the `moved.tf` beside
`cdk.tf.json` is copied as it is. This view is never deployed and never written into `cdktf.out`.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

VIEW_FILE = "view.tf"
# Arguments of map type (object-valued, not blocks) that the AWS provider has under these names.
MAP_ARGUMENTS = frozenset({
    "tags", "tags_all", "variables", "config", "triggers", "labels", "parameters", "stage_variables",
    "request_parameters", "request_models", "request_templates", "response_parameters", "response_models",
    "response_templates", "environment_variables", "attributes", "options", "metadata", "context",
    "bucket_key", "dimensions", "default_arguments", "properties", "secret_string_wo",
})
MAP_SUFFIXES = ("_parameters", "_variables", "_templates", "_models", "_map", "_attributes")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def write_view(stack_dir: Path, target: Path) -> Path:
    """The view of `stack_dir` in `target` (a fresh folder): `view.tf` and a copy of the other `.tf` files."""
    target.mkdir(parents=True, exist_ok=True)
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    (target / VIEW_FILE).write_text(render(stack))
    for native in stack_dir.glob("*.tf"):
        shutil.copy(native, target / native.name)
    return target


def render(stack: dict[str, Any]) -> str:
    out: list[str] = []
    for provider, configs in (stack.get("provider") or {}).items():
        for config in configs if isinstance(configs, list) else [configs]:
            out += _block(f'provider "{provider}"', config, 0)
    for kind in ("resource", "data"):
        for rtype, named in (stack.get(kind) or {}).items():
            for name, config in named.items():
                out += _block(f'{kind} "{rtype}" "{name}"', config, 0)
    return "\n".join(out) + "\n"


def _block(header: str, body: dict[str, Any], depth: int) -> list[str]:
    pad = "  " * depth
    lines = [f"{pad}{header} {{"]
    for key, value in body.items():
        if key == "//":
            continue
        if _is_block(key, value):
            for item in value if isinstance(value, list) else [value]:
                lines += _block(key, item, depth + 1)
        else:
            lines.append(f"{pad}  {key} = {_expression(value, depth + 1)}")
    return lines + [f"{pad}}}"]


def _is_block(key: str, value: Any) -> bool:
    if key in MAP_ARGUMENTS or key.endswith(MAP_SUFFIXES):
        return False
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _expression(value: Any, depth: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return _template(value)
    if isinstance(value, list):
        return "[" + ", ".join(_expression(v, depth) for v in value) + "]"
    if isinstance(value, dict):
        pad = "  " * depth
        items = [f"{pad}  {json.dumps(k, ensure_ascii=False)} = {_expression(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}" if items else "{}"
    raise TypeError(f"cannot render {value!r}")


def _template(text: str) -> str:
    """A JSON string (an HCL template) as a native quoted template: the literal parts escaped, the
    `${...}` / `%{...}` sequences copied as they are (their quotes are the expression's own)."""
    out, i = ['"'], 0
    while i < len(text):
        if text.startswith(("${", "%{"), i):
            end = _sequence_end(text, i + 2)
            out.append(text[i:end])
            i = end
            continue
        out.append({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(text[i], text[i]))
        i += 1
    return "".join(out) + '"'


def _sequence_end(text: str, i: int) -> int:
    """The index after the `}` closing an interpolation that starts before `i` (braces and strings nest)."""
    depth, quoted = 1, False
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unterminated template sequence in {text!r}")


def json_line(stack_dir: Path, resource: str) -> int:
    """The line of `resource` (`type.name`) in the stack's `cdk.tf.json`, for a finding made on the view."""
    if "." not in resource:
        return 0
    rtype, name = resource.split(".", 1)
    lines = (stack_dir / "cdk.tf.json").read_text().splitlines()
    in_type = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == f'"{rtype}": {{':
            in_type = True
        elif in_type and stripped == f'"{name}": {{':
            return number
    return 0
