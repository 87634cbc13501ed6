"""The synthesized stack in a form Terraform and the scanners both read: one folder per stack.

cdktf writes a whole stack as one `cdk.tf.json`. Terraform reads it, but checkov's JSON parser
(3.3.x, `checkov/terraform_json/parser.py`) gives up on the whole file - "this method receives only
dicts", a parse error, nothing scanned, exit code 0 - as soon as a top-level block holds a plain value
where it expects an object: the `moved`, `removed` and `import` blocks (`from`, `to`, `id` are strings)
and `terraform.required_version` (checkov issue 7454). No JSON spelling of those blocks avoids that.

So the synthesis rewrites every `stacks/<layer>/` it wrote: `cdk.tf.json` less those blocks, and a
sibling file in Terraform's native syntax, `moved.tf`, holding them. Terraform (and `cdktf diff` /
`cdktf deploy`, which run it in that folder) loads every `.tf` and `.tf.json` file of a directory as
one configuration, so the folder plans exactly as the single file did; checkov's JSON runner reads
every resource of its `cdk.tf.json` and its HCL runner reads `moved.tf` (it understands those blocks);
trivy reads both. The folder users deploy is the folder their scanners read.

What this module holds: the split (`split_for_scanners`), the writer for a synthesized `stacks/`
folder (`write_scan_readable`), the renderer of the native file, and the inverse (`read_stack`) that
gives tools and tests the whole configuration of a stack as one document again. It changes no value:
the blocks move between files, byte for byte the same addresses and version constraint.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"
NATIVE_FILE = "moved.tf"
# Top-level blocks that checkov's JSON parser cannot read, in the order the native file lists them.
NATIVE_BLOCKS = ("moved", "removed", "import")
# `terraform` block arguments with a plain value (checkov's parser needs an object there).
NATIVE_TERRAFORM_ARGUMENTS = ("required_version",)

_HEADER = (
    "# Written by the synthesis (synthesis/output_form.py); do not edit.\n"
    "# The terraform version requirement and the moved / removed / import blocks of this stack, in\n"
    "# native syntax beside cdk.tf.json, because checkov's JSON parser cannot read them there.\n"
)
# A resource address as moved/removed/import take it: a static traversal, with string or number keys.
_ADDRESS = re.compile(r'^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[(\d+|"[^"\\$%]*")\])*$')


class OutputFormError(ValueError):
    """A block that cannot be written in native syntax as it stands."""


def split_for_scanners(stack: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """`stack` (a parsed `cdk.tf.json`) as (the JSON part, the native file's text or None).
    The input is not changed."""
    json_part = {k: v for k, v in stack.items() if k not in NATIVE_BLOCKS}
    native: dict[str, Any] = {}
    terraform = stack.get("terraform")
    if isinstance(terraform, dict):
        arguments = {k: terraform[k] for k in NATIVE_TERRAFORM_ARGUMENTS if k in terraform}
        if arguments:
            native["terraform"] = arguments
            json_part["terraform"] = {k: v for k, v in terraform.items() if k not in arguments}
    for kind in NATIVE_BLOCKS:
        blocks = stack.get(kind)
        if blocks:
            native[kind] = [blocks] if isinstance(blocks, dict) else list(blocks)
    if not native:
        return json_part, None
    return json_part, render_native(native)


def render_native(native: dict[str, Any]) -> str:
    """The native-syntax file for the blocks `split_for_scanners` took out, as `terraform fmt` writes it."""
    parts = [_HEADER]
    for name, value in (native.get("terraform") or {}).items():
        parts.append(_block("terraform", [(name, _string(value, f"terraform.{name}"))]))
    for block in native.get("moved", ()):
        _extra(block, {"from", "to"}, "moved")
        parts.append(_block("moved", [("from", _address(block, "from", "moved")),
                                      ("to", _address(block, "to", "moved"))]))
    for block in native.get("removed", ()):
        _extra(block, {"from", "lifecycle"}, "removed")
        lifecycle = block.get("lifecycle") or {}
        _extra(lifecycle, {"destroy"}, "removed.lifecycle")
        nested = []
        if "destroy" in lifecycle:
            if not isinstance(lifecycle["destroy"], bool):
                raise OutputFormError(f"removed block for {block.get('from')!r}: lifecycle.destroy must be true or false")
            nested = ["  lifecycle {", f"    destroy = {'true' if lifecycle['destroy'] else 'false'}", "  }"]
        parts.append(_block("removed", [("from", _address(block, "from", "removed"))], nested=nested))
    for block in native.get("import", ()):
        _extra(block, {"to", "id"}, "import")
        parts.append(_block("import", [("to", _address(block, "to", "import")),
                                       ("id", _string(block.get("id"), "import.id"))]))
    return "\n".join(parts)


def write_scan_readable(stacks_dir: Path) -> list[Path]:
    """Rewrite every `<layer>/cdk.tf.json` below `stacks_dir` in the split form (the JSON part, and
    `moved.tf` where the stack has such blocks). A stack already split is left as it is (no such
    blocks in its JSON). Returns the native files written."""
    written = []
    for stack_file in sorted(Path(stacks_dir).glob(f"*/{STACK_FILE}")):
        stack = json.loads(stack_file.read_text())
        json_part, native = split_for_scanners(stack)
        if native is None:
            continue
        native_file = stack_file.with_name(NATIVE_FILE)
        if native_file.exists():
            raise OutputFormError(f"{native_file}: exists already beside a stack that still holds its blocks")
        # The same layout cdktf writes (JSON.stringify with two spaces, no final newline).
        stack_file.write_text(json.dumps(json_part, indent=2, ensure_ascii=False))
        native_file.write_text(native)
        written.append(native_file)
    return written


def read_stack(stack_dir: Path) -> dict[str, Any]:
    """The whole configuration of one synthesized stack as one document, as cdktf wrote it before the
    split: `cdk.tf.json` with the blocks of `moved.tf` (when present) put back."""
    stack_dir = Path(stack_dir)
    stack = json.loads((stack_dir / STACK_FILE).read_text())
    native_file = stack_dir / NATIVE_FILE
    if native_file.exists():
        merge_native(stack, parse_native(native_file.read_text(), str(native_file)))
    return stack


def merge_native(stack: dict[str, Any], native: dict[str, Any]) -> dict[str, Any]:
    if "terraform" in native:
        stack["terraform"] = {**(stack.get("terraform") or {}), **native["terraform"]}
    for kind in NATIVE_BLOCKS:
        if native.get(kind):
            stack[kind] = native[kind]
    return stack


# ---------------------------------------------------------------------- the native file, both ways
_BLOCK_RE = re.compile(r"^(terraform|moved|removed|import) \{\n(.*?)^\}\n", re.S | re.M)
_ATTR_RE = re.compile(r"^ {2}(\w+) *= (.+)$")


def parse_native(text: str, where: str = NATIVE_FILE) -> dict[str, Any]:
    """Read back exactly what `render_native` writes (not general HCL: anything else is an error)."""
    body = "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))
    native: dict[str, Any] = {}
    position = 0
    for match in _BLOCK_RE.finditer(body):
        if body[position:match.start()].strip():
            raise OutputFormError(f"{where}: unexpected text {body[position:match.start()].strip()[:60]!r}")
        position = match.end()
        kind, inner = match.group(1), match.group(2)
        block: dict[str, Any] = {}
        lines = [line for line in inner.splitlines() if line.strip()]
        if kind == "removed" and "  lifecycle {" in lines:
            start = lines.index("  lifecycle {")
            if lines[start + 1:] != [lines[start + 1], "  }"] or not lines[start + 1].startswith("    destroy = "):
                raise OutputFormError(f"{where}: removed block with an unexpected lifecycle block")
            block["lifecycle"] = {"destroy": lines[start + 1].split("=", 1)[1].strip() == "true"}
            lines = lines[:start]
        for line in lines:
            attr = _ATTR_RE.match(line)
            if not attr:
                raise OutputFormError(f"{where}: cannot read {line.strip()!r} in a {kind} block")
            name, value = attr.groups()
            block[name] = json.loads(value) if value.startswith('"') else value
        if kind == "terraform":
            native.setdefault("terraform", {}).update(block)
        else:
            # The keys in the order cdktf writes them.
            order = {"moved": ("from", "to"), "removed": ("from", "lifecycle"), "import": ("to", "id")}[kind]
            native.setdefault(kind, []).append({k: block[k] for k in order if k in block})
    if body[position:].strip():
        raise OutputFormError(f"{where}: unexpected text {body[position:].strip()[:60]!r}")
    return native


def _block(kind: str, attributes: list[tuple[str, str]], nested: list[str] = ()) -> str:
    width = max(len(name) for name, _ in attributes)
    lines = [f"{kind} {{"] + [f"  {name.ljust(width)} = {value}" for name, value in attributes]
    if nested:
        lines += [""] + list(nested)
    return "\n".join(lines + ["}", ""])


def _address(block: dict[str, Any], key: str, kind: str) -> str:
    value = block.get(key)
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise OutputFormError(f"{kind} block {block!r}: `{key}` is not a static resource address")
    return value


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str) or "${" in value or "%{" in value:
        raise OutputFormError(f"{field}: expected a literal string, got {value!r}")
    return json.dumps(value, ensure_ascii=False)


def _extra(block: dict[str, Any], allowed: set[str], kind: str) -> None:
    unknown = sorted(set(block) - allowed)
    if unknown:
        raise OutputFormError(f"{kind} block {block!r}: arguments {unknown} are not written in native syntax")
