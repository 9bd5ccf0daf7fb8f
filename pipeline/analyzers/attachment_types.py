"""What a file is: by its name, by its declared type and by its magic bytes."""

from __future__ import annotations

from pipeline.indicators import StageOutcome

EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "scr", "com", "pif", "bat", "cmd", "dll", "cpl", "msi", "msix", "appx", "jar",
     "reg", "hta", "gadget", "application", "elf", "apk", "app", "run", "bin", "sys"}
)  # fmt: skip
SCRIPT_EXTENSIONS = frozenset(
    {"js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "sh", "py", "vba", "scf", "xll",
     "wsc", "sct", "url", "iqy", "slk", "one", "chm", "msc", "xsl"}
)  # fmt: skip
SHORTCUT_EXTENSIONS = frozenset({"lnk", "url", "desktop", "website", "library-ms", "search-ms"})
DISK_IMAGE_EXTENSIONS = frozenset({"iso", "img", "vhd", "vhdx", "dmg", "udf"})
ARCHIVE_EXTENSIONS = frozenset(
    {"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "cab", "arj", "ace", "lz", "lzh",
     "z", "zipx", "r00", "r01"}
)  # fmt: skip
HTML_EXTENSIONS = frozenset({"html", "htm", "shtml", "xhtml", "svg", "mht", "mhtml", "xht"})
_DECOY_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg", "jpeg", "png", "gif",
     "rtf", "csv", "mp3", "mp4", "odt", "eml"}
)  # fmt: skip
_EXECUTABLE_TYPES = frozenset(
    {"application/x-msdownload", "application/x-elf", "application/x-mach-binary"}
)
# extension -> magic-byte types it may legitimately have
_EXPECTED: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "gif": frozenset({"image/gif"}),
    "docx": frozenset({"application/zip"}),
    "xlsx": frozenset({"application/zip"}),
    "pptx": frozenset({"application/zip"}),
    "doc": frozenset({"application/x-ole-storage", "application/rtf", "text/html"}),
    "xls": frozenset({"application/x-ole-storage", "text/html", "text/plain"}),
    "zip": frozenset({"application/zip"}),
    "rar": frozenset({"application/vnd.rar"}),
    "7z": frozenset({"application/x-7z-compressed"}),
}


def extension(filename: str) -> str:
    """The lower-cased final extension, without the dot."""
    _, dot, ext = filename.strip().rstrip(".").rpartition(".")
    return ext.lower().strip() if dot else ""


def check_name_and_type(filename: str, sniffed: str, label: str, outcome: StageOutcome) -> None:
    """Dangerous extensions, double extensions and names that contradict the bytes.

    ``label`` is what evidence calls the file (its name, archive path and digest).
    """
    ext = extension(filename)
    if sniffed in _EXECUTABLE_TYPES or ext in EXECUTABLE_EXTENSIONS:
        outcome.add("attachment_executable", 50.0, f"{label} ({sniffed})")
    elif ext in SCRIPT_EXTENSIONS:
        outcome.add("attachment_script", 45.0, label)
    if ext in SHORTCUT_EXTENSIONS or sniffed == "application/x-ms-shortcut":
        outcome.add("attachment_shortcut", 45.0, label)
    if ext in DISK_IMAGE_EXTENSIONS or sniffed in (
        "application/x-iso9660-image",
        "application/x-apple-diskimage",
    ):
        outcome.add("attachment_disk_image", 35.0, label)
    stem = filename.strip().rstrip(".").rpartition(".")[0]
    inner = extension(stem)
    if inner in _DECOY_EXTENSIONS and ext and ext not in _DECOY_EXTENSIONS:
        outcome.add("attachment_double_extension", 35.0, label)
    expected = _EXPECTED.get(ext)
    if expected is not None and sniffed not in expected and sniffed != "application/octet-stream":
        outcome.add("attachment_type_mismatch", 25.0, f"{label}: .{ext} but content is {sniffed}")
    if "\u202e" in filename:
        outcome.add("attachment_rtlo_name", 40.0, label)
