"""Opening archives safely: bounded depth, entries, bytes and compression ratio.

Members are read into memory only, up to the limits; nothing is written to disk or
executed. A limit that is hit becomes an indicator, never an exception.

Note:
    Only zip and gzip are opened. RAR, 7z, CAB and disk images are reported by type,
    since the standard library cannot read them; their members stay unseen.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.filetypes import sniff

OOXML_MARKER = "[Content_Types].xml"


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How far an archive may be opened."""

    max_depth: int = 3
    max_entries: int = 500
    max_total_bytes: int = 50 * 1024 * 1024
    max_member_bytes: int = 20 * 1024 * 1024
    max_ratio: float = 200.0


@dataclass(frozen=True, slots=True)
class Member:
    """One file read out of an archive."""

    path: str
    content: bytes
    sniffed_type: str


@dataclass(slots=True)
class Expansion:
    """What an archive held, and what stopped the reading early."""

    members: list[Member]
    problems: list[str]
    encrypted: list[str]


def is_ooxml(data: bytes) -> bool:
    """True for Office Open XML documents (zip files with a content-types part)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(info.filename == OOXML_MARKER for info in archive.infolist()[:50])
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return False


def expand(data: bytes, sniffed_type: str, limits: ArchiveLimits | None = None) -> Expansion:
    """Read the members of a zip or gzip, recursively within limits."""
    limits = limits or ArchiveLimits()
    result = Expansion(members=[], problems=[], encrypted=[])
    budget = [limits.max_total_bytes, limits.max_entries]
    for member in _expand(
        data, sniffed_type, "", depth=1, limits=limits, budget=budget, result=result
    ):
        result.members.append(member)
    return result


def _expand(
    data: bytes,
    sniffed_type: str,
    prefix: str,
    *,
    depth: int,
    limits: ArchiveLimits,
    budget: list[int],
    result: Expansion,
) -> Iterator[Member]:
    if depth > limits.max_depth:
        result.problems.append(f"nesting deeper than {limits.max_depth} at {prefix or '/'}")
        return
    if sniffed_type == "application/zip":
        members = _zip_members(data, prefix, limits, budget, result)
    elif sniffed_type == "application/gzip":
        members = _gzip_member(data, prefix, limits, budget, result)
    else:
        return
    for member in members:
        yield member
        if member.sniffed_type in ("application/zip", "application/gzip") and not is_ooxml(
            member.content
        ):
            yield from _expand(
                member.content,
                member.sniffed_type,
                member.path + "/",
                depth=depth + 1,
                limits=limits,
                budget=budget,
                result=result,
            )


def _zip_members(
    data: bytes, prefix: str, limits: ArchiveLimits, budget: list[int], result: Expansion
) -> Iterator[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        result.problems.append(f"corrupt zip at {prefix or '/'}")
        return
    for info in infos:
        if info.is_dir():
            continue
        if budget[1] <= 0:
            result.problems.append(f"more than {limits.max_entries} entries")
            return
        budget[1] -= 1
        path = prefix + info.filename
        if info.flag_bits & 0x1:
            result.encrypted.append(path)
            continue
        content = _read_member(archive, info, limits, budget, result)
        if content is not None:
            yield Member(path, content, sniff(content))


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: ArchiveLimits,
    budget: list[int],
    result: Expansion,
) -> bytes | None:
    declared_ratio = info.file_size / max(info.compress_size, 1)
    if declared_ratio > limits.max_ratio:
        result.problems.append(f"{info.filename}: compression ratio {declared_ratio:.0f}:1")
        return None
    cap = min(limits.max_member_bytes, budget[0])
    try:
        with archive.open(info) as stream:
            content = stream.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, zlib.error):
        result.problems.append(f"{info.filename}: unreadable member")
        return None
    if len(content) > cap:
        result.problems.append(f"{info.filename}: expands past the byte limit")
        return None
    budget[0] -= len(content)
    return content


def _gzip_member(
    data: bytes, prefix: str, limits: ArchiveLimits, budget: list[int], result: Expansion
) -> Iterator[Member]:
    cap = min(limits.max_member_bytes, budget[0], int(len(data) * limits.max_ratio))
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            content = stream.read(cap + 1)
    except (OSError, EOFError, zlib.error):
        result.problems.append(f"corrupt gzip at {prefix or '/'}")
        return
    if len(content) > cap:
        result.problems.append(f"gzip at {prefix or '/'} expands past the limits")
        return
    budget[0] -= len(content)
    budget[1] -= 1
    yield Member(prefix + "(gzip content)", content, sniff(content))
