"""Deterministic Lambda zip packages, built by the app during synthesis.

`build_package` zips a function's top-level `*.py` sources together with the installed files of the
distributions it vendors (each checked against the version `Pipfile.lock` pins and the hashes of its
own `RECORD`), with sorted entries, a fixed timestamp and fixed permissions: the same sources give
the same bytes, hence the same `source_code_hash`, and a re-synthesis never updates the function for
nothing. The file is written only when its bytes change.

Compressing at level 9 is slow for the GenAI function (sqlglot vendored), and every synthesis of
every environment would pay it for the same bytes; so beside each zip a record keeps the digest of
its inputs (every entry's name and bytes, the compression level, zlib's version) and of the zip
itself. A zip is reused only when both match; anything else builds it again.

No cdktf here (the construct that hands the zip to Terraform is in `lambda_function.py`), and no
network: vendored files come from the locked, installed environment.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can record
FILE_MODE = 0o100644                      # a regular file, rw-r--r--
UNIX = 3
COMPRESSION_LEVEL = 9
SKIPPED_METADATA = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}  # differ between installs


class PackagingError(Exception):
    """The package cannot be built as locked; the message says what to fix."""


@dataclass(frozen=True)
class BuiltPackage:
    path: Path
    source_code_hash: str   # base64 of the zip's SHA-256, as Terraform's filebase64sha256()
    entries: tuple[str, ...]

    @property
    def short_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]


def build_package(source_dir: Path, out_path: Path, vendored: tuple[str, ...] = (),
                  lock_file: Path | None = None) -> BuiltPackage:
    files = function_sources(source_dir)
    for name in vendored:
        if lock_file is None:
            raise PackagingError(f"vendoring {name!r} needs the lock file that pins it")
        for arcname, data in vendored_files(name, locked_version(lock_file, name)).items():
            if arcname in files:
                raise PackagingError(f"{arcname} is both a function source and a file of {name}")
            files[arcname] = data
    data = _reused_zip(out_path, files)
    if data is None:
        data = zip_bytes(files)
        _write_if_changed(out_path, data)
        _record_inputs(out_path, files, data)
    return BuiltPackage(out_path, base64.b64encode(hashlib.sha256(data).digest()).decode(), tuple(sorted(files)))


def function_sources(source_dir: Path) -> dict[str, bytes]:
    sources = {p.name: p.read_bytes() for p in sorted(source_dir.glob("*.py")) if p.is_file()}
    if not sources:
        raise PackagingError(f"{source_dir} holds no Python sources")
    return sources


def read_requirements(path: Path) -> tuple[str, ...]:
    """Distribution names, one a line; `#` starts a comment. Versions belong in the lock file."""
    names = []
    for line in path.read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            if any(c in name for c in "=<>~ ;["):
                raise PackagingError(f"{path}: {name!r}: give the name only; Pipfile.lock pins the version")
            names.append(name)
    return tuple(names)


def locked_version(lock_file: Path, name: str) -> str:
    lock = json.loads(lock_file.read_text())
    entry = (lock.get("default") or {}).get(name.lower()) or (lock.get("default") or {}).get(name)
    if not entry or not str(entry.get("version", "")).startswith("=="):
        raise PackagingError(f"{lock_file}: {name} is not pinned in the default packages")
    return entry["version"][2:]


def vendored_files(name: str, version: str) -> dict[str, bytes]:
    """The installed files of one distribution, each verified against its RECORD hash."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise PackagingError(f"{name} is not installed; install the locked environment first") from None
    if dist.version != version:
        raise PackagingError(f"{name} {dist.version} is installed, but the lock file pins {version}")
    files: dict[str, bytes] = {}
    for entry in dist.files or ():
        arcname = entry.as_posix()
        parts = arcname.split("/")
        if arcname.startswith("..") or "__pycache__" in parts or arcname.endswith(".pyc"):
            continue
        if parts[0].endswith(".dist-info") and parts[-1] in SKIPPED_METADATA:
            continue
        data = Path(entry.locate()).read_bytes()
        if entry.hash is None or entry.hash.mode != "sha256":
            raise PackagingError(f"{name}: {arcname} has no sha256 in RECORD")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if digest != entry.hash.value:
            raise PackagingError(f"{name}: {arcname} differs from the installed RECORD; reinstall {name}")
        files[arcname] = data
    if not files:
        raise PackagingError(f"{name} has no installed files to vendor")
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for arcname in sorted(files):
            info = zipfile.ZipInfo(arcname, date_time=FIXED_TIMESTAMP)
            info.external_attr = FILE_MODE << 16
            info.create_system = UNIX
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[arcname], compresslevel=COMPRESSION_LEVEL)
    return buffer.getvalue()


def inputs_digest(files: dict[str, bytes]) -> str:
    """What the bytes of `zip_bytes(files)` depend on."""
    digest = hashlib.sha256(f"level={COMPRESSION_LEVEL} zlib={zlib.ZLIB_RUNTIME_VERSION}\n".encode())
    for arcname in sorted(files):
        digest.update(f"{arcname}\0{hashlib.sha256(files[arcname]).hexdigest()}\n".encode())
    return digest.hexdigest()


def _record_path(zip_path: Path) -> Path:
    return zip_path.with_name(f"{zip_path.name}.inputs.json")


def _reused_zip(zip_path: Path, files: dict[str, bytes]) -> bytes | None:
    """The zip at `zip_path` if the record beside it says it was built from exactly `files` and the
    zip is still the one recorded; None on any doubt."""
    try:
        record = json.loads(_record_path(zip_path).read_text())
        data = zip_path.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("inputs") != inputs_digest(files):
        return None
    if record.get("zip") != hashlib.sha256(data).hexdigest():
        return None
    return data


def _record_inputs(zip_path: Path, files: dict[str, bytes], data: bytes) -> None:
    record = {"inputs": inputs_digest(files), "zip": hashlib.sha256(data).hexdigest()}
    _write_if_changed(_record_path(zip_path), (json.dumps(record, indent=1) + "\n").encode())


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(scratch, 0o644)  # mkstemp's 0600 would follow the file into the synthesized stack
    os.replace(scratch, path)
