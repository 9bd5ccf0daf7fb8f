"""Where emails come from on disk: files, folders (recursively) and mbox files."""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# In a folder walk, files with these extensions are not emails (explicit paths are
# always read).
NOT_MAIL_EXTENSIONS = frozenset(
    {".csv", ".tsv", ".md", ".rst", ".json", ".yaml", ".yml", ".toml", ".py", ".log",
     ".png", ".jpg", ".jpeg", ".gif", ".pdf", ".zip", ".gz", ".tar", ".db", ".sqlite"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EmailSource:
    """One email read from disk, or the reason it could not be read."""

    label: str
    raw: bytes | None = None
    error: str | None = None


def expand(paths: list[str]) -> list[Path]:
    """Files named directly, then files found under folders, in sorted order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(_walk(path))
        else:
            found.append(path)
    return found


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or path.suffix.lower() in NOT_MAIL_EXTENSIONS:
                continue
            files.append(path)
    return sorted(files)


def read_sources(files: list[Path]) -> Iterator[EmailSource]:
    """Each email of each file; an mbox file yields one source per message."""
    for path in files:
        try:
            with path.open("rb") as handle:
                head = handle.read(5)
        except OSError as error:
            yield EmailSource(str(path), error=f"cannot read {path}: {error.strerror or error}")
            continue
        if head == b"From " and _is_multi_message_mbox(path):
            yield from _mbox_messages(path)
            continue
        try:
            yield EmailSource(str(path), raw=path.read_bytes())
        except OSError as error:
            yield EmailSource(str(path), error=f"cannot read {path}: {error.strerror or error}")


def _is_multi_message_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.readline()
        return any(line.startswith(b"From ") for line in handle)


def _mbox_messages(path: Path) -> Iterator[EmailSource]:
    box = mailbox.mbox(path, create=False)
    try:
        for index, key in enumerate(box.keys()):
            yield EmailSource(f"{path}#{index}", raw=box.get_bytes(key))
    finally:
        box.close()
