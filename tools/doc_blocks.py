"""Blocks of the docs that a tool writes from what it measured (between `<!-- NAME:start -->` and
`<!-- NAME:end -->`), so that no number in them is typed by hand; `tests/tools/test_doc_blocks.py`
fails when a block differs from what its tool renders from its recorded measurement."""
from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read_block(path: Path, name: str) -> str:
    """The text between the block's markers in `path`, without the newlines next to them."""
    start, end = markers(name)
    content = path.read_text()
    first, last = content.find(start), content.find(end)
    if first < 0 or last < first:
        raise SystemExit(f"{path}: no {start} ... {end} block")
    return content[first + len(start):last].strip("\n")


def write_block(path: Path, name: str, text: str) -> None:
    """Replace the block's text in `path`; everything outside the markers stays."""
    start, end = markers(name)
    content = path.read_text()
    first, last = content.find(start), content.find(end)
    if first < 0 or last < first:
        raise SystemExit(f"{path}: no {start} ... {end} block to rewrite")
    path.write_text(content[:first + len(start)] + "\n" + text + "\n" + content[last:])
