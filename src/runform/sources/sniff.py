"""Readers, one module per format, and the content hash every recording is keyed by."""

from __future__ import annotations

import hashlib
from pathlib import Path


def content_hash(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (the pose cache's and the batch's key)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
