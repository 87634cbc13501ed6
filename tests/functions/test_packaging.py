"""The Lambda package is deterministic and vendored from the lock: the same sources give the same
bytes (fixed timestamps and permissions, sorted entries), a changed source changes the hash, and a
dependency that is not the locked version stops the build."""
from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from modules.packaging import (
    FIXED_TIMESTAMP,
    PackagingError,
    build_package,
    locked_version,
    read_requirements,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "functions" / "genai"
LOCK = ROOT / "Pipfile.lock"


def build(out: Path, sources: Path = SOURCES, lock: Path = LOCK):
    return build_package(sources, out, read_requirements(SOURCES / "requirements.txt"), lock)


def test_two_builds_give_the_same_bytes_and_hash(tmp_path):
    first, second = build(tmp_path / "a" / "genai.zip"), build(tmp_path / "b" / "genai.zip")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.source_code_hash == second.source_code_hash
    assert first.source_code_hash == base64.b64encode(hashlib.sha256(first.path.read_bytes()).digest()).decode()


def test_entries_are_sorted_with_fixed_time_and_mode(tmp_path):
    package = build(tmp_path / "genai.zip")
    with zipfile.ZipFile(package.path) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {FIXED_TIMESTAMP}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_handler_module_is_at_the_root_and_sqlglot_is_vendored_at_the_locked_version(tmp_path):
    package = build(tmp_path / "genai.zip")
    with zipfile.ZipFile(package.path) as archive:
        names = set(archive.namelist())
        assert "def lambda_handler(event, context)" in archive.read("lambda_function.py").decode()
    version = locked_version(LOCK, "sqlglot")
    assert {"lambda_function.py", "sql_guard.py", "sqlglot/__init__.py", "sqlglot/dialects/mysql.py",
            f"sqlglot-{version}.dist-info/METADATA"} <= names
    assert not any(n.startswith(("tests/", "cdktf", "boto3/")) for n in names)


def test_a_changed_source_changes_the_hash(tmp_path):
    copy = tmp_path / "src"
    copy.mkdir()
    for source in SOURCES.glob("*.py"):
        (copy / source.name).write_bytes(source.read_bytes())
    before = build(tmp_path / "before.zip", sources=copy).source_code_hash
    (copy / "prompts.py").write_text((copy / "prompts.py").read_text() + "\n# changed\n")
    assert build(tmp_path / "after.zip", sources=copy).source_code_hash != before


def test_a_dependency_that_is_not_the_locked_version_stops_the_build(tmp_path):
    lock = json.loads(LOCK.read_text())
    lock["default"]["sqlglot"]["version"] = "==0.0.1"
    fake = tmp_path / "Pipfile.lock"
    fake.write_text(json.dumps(lock))
    with pytest.raises(PackagingError, match="lock file pins 0.0.1"):
        build(tmp_path / "genai.zip", lock=fake)


def test_requirements_name_distributions_only(tmp_path):
    pinned = tmp_path / "requirements.txt"
    pinned.write_text("sqlglot==30.30.0\n")
    with pytest.raises(PackagingError, match="name only"):
        read_requirements(pinned)
    assert read_requirements(SOURCES / "requirements.txt") == ("sqlglot",)


def test_a_second_build_into_the_same_place_reuses_the_zip_only_while_inputs_and_zip_match(tmp_path, monkeypatch):
    import modules.packaging as packaging

    copy = tmp_path / "src"
    copy.mkdir()
    for source in SOURCES.glob("*.py"):
        (copy / source.name).write_bytes(source.read_bytes())
    out = tmp_path / "out" / "genai.zip"
    first = build(out, sources=copy)
    zipped = []
    real_zip = packaging.zip_bytes
    monkeypatch.setattr(packaging, "zip_bytes", lambda files: zipped.append(1) or real_zip(files))

    assert build(out, sources=copy) == first and zipped == []           # nothing changed: reused

    (copy / "prompts.py").write_text((copy / "prompts.py").read_text() + "\n# changed\n")
    changed = build(out, sources=copy)
    assert zipped == [1] and changed.source_code_hash != first.source_code_hash
    assert changed.path.read_bytes() == real_zip({**packaging.function_sources(copy),
                                                  **{n: d for n, d in _vendored().items()}})

    out.write_bytes(out.read_bytes() + b"\1")                               # the zip changed behind our back
    rebuilt = build(out, sources=copy)
    assert zipped == [1, 1], zipped
    assert rebuilt == changed

    record = out.with_name("genai.zip.inputs.json")
    record.write_text("{not json")                                        # an unreadable record
    assert build(out, sources=copy) == changed and zipped == [1, 1, 1]


def _vendored() -> dict[str, bytes]:
    from modules.packaging import vendored_files
    return vendored_files("sqlglot", locked_version(LOCK, "sqlglot"))
