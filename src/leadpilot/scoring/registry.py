"""Model artifacts on disk: ``LEADPILOT_HOME/models/<org_id>/<version>/`` holds ``model.txt`` (LightGBM text model),
``timing.txt`` and ``metadata.json``. Nothing is pickled.

An artifact is written once, into a temporary directory that is renamed into place, and never changed; its SHA-256
(over file names and contents) is kept on the ``ModelVersion`` row and checked on load. Loaded bundles are cached per
process by (path, hash): they are immutable, so every replica that can read the directory (a shared volume, or a
synced object-storage prefix) serves the same model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from leadpilot.config import get_settings
from leadpilot.scoring.scorer import ModelBundle

MODELS_DIR = "models"


class ArtifactError(Exception):
    """An artifact is missing, unreadable or does not match its recorded hash."""


def artifact_root() -> Path:
    return get_settings().home


def relative_path(org_id: int, version: str) -> str:
    return f"{MODELS_DIR}/{int(org_id)}/{version}"


def digest(files: Mapping[str, bytes]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode())
        sha.update(b"\0")
        sha.update(hashlib.sha256(files[name]).digest())
    return sha.hexdigest()


def save(org_id: int, version: str, files: Mapping[str, bytes]) -> tuple[str, str]:
    """Write the files of a new version; returns (path relative to LEADPILOT_HOME, sha256)."""
    relative = relative_path(org_id, version)
    target = artifact_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=target.parent))
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        if target.exists():
            # A version label is never reused by the registry; a leftover directory is from a run that failed
            # before its row was committed.
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return relative, digest(files)


def read(relative: str) -> dict[str, bytes]:
    directory = artifact_root() / relative
    if not directory.is_dir():
        raise ArtifactError(f"model artifact {relative!r} is missing under {artifact_root()}")
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.is_file()}


@lru_cache(maxsize=32)
def _load(root: str, relative: str, sha256: str) -> ModelBundle:
    files = read(relative)
    if digest(files) != sha256:
        raise ArtifactError(f"model artifact {relative!r} does not match its recorded hash")
    try:
        return ModelBundle.from_files(files)
    except (KeyError, ValueError) as exc:
        raise ArtifactError(f"model artifact {relative!r} cannot be loaded: {exc}") from exc


def load(relative: str, sha256: str) -> ModelBundle:
    return _load(str(artifact_root()), relative, sha256)
