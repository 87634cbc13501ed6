"""Every generated block of the docs is what its tool renders from the measurement it recorded: a
block edited by hand, or a measurement recorded without its block, fails here."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tools import benchmark, doc_blocks, suite
from tools.e2e import ladder_doc

GENERATED = [
    (benchmark.DOC, benchmark.BLOCK, ROOT / "docs" / "benchmark.json", benchmark.render, "python tools/benchmark.py --docs"),
    (suite.DOC, suite.BLOCK, suite.RECORD, suite.render, 'python -m tools.suite -m "not e2e"'),
    *[(ladder_doc.DOC, block, ladder_doc.record_path(block), ladder_doc.render,
       f"python -m tools.e2e.ladder_doc REPORT.json --block {block}") for block in ladder_doc.BLOCKS],
]


@pytest.mark.parametrize("doc,block,record,render,command", GENERATED, ids=[g[1] for g in GENERATED])
def test_a_generated_block_is_what_its_tool_renders_from_its_record(doc, block, record, render, command):
    """Without a record yet (never measured here), the block must be empty: nothing typed by hand."""
    expected = render(json.loads(record.read_text())) if record.exists() else ""
    assert doc_blocks.read_block(doc, block) == expected, \
        f"{doc.relative_to(ROOT)}'s {block} block is stale: run {command}"


def test_a_block_edited_by_hand_is_caught_and_a_rewrite_keeps_the_rest(tmp_path):
    recorded = json.loads((ROOT / "docs" / "benchmark.json").read_text())
    page = tmp_path / "page.md"
    start, end = doc_blocks.markers("benchmark")
    page.write_text(f"intro\n{start}\n{benchmark.render(recorded).replace('0.', '9.', 1)}\n{end}\noutro\n")
    assert doc_blocks.read_block(page, "benchmark") != benchmark.render(recorded)
    doc_blocks.write_block(page, "benchmark", benchmark.render(recorded))
    assert page.read_text() == f"intro\n{start}\n{benchmark.render(recorded)}\n{end}\noutro\n"
    page.write_text("no markers\n")
    with pytest.raises(SystemExit, match="no .* block"):
        doc_blocks.read_block(page, "benchmark")


def test_the_suite_summary_is_read_from_pytests_last_line():
    output = "....\n1415 passed, 3 skipped, 9 deselected in 67.01s (0:01:07)\n"
    assert suite.counts_of(output) == {"passed": 1415, "skipped": 3, "deselected": 9}
