"""Finding emails on disk: files, folders and mbox files."""

from __future__ import annotations

from pathlib import Path

from pipeline.sources import expand, read_sources
from tests.support.mail import email_bytes


def test_folders_are_walked_recursively_skipping_non_mail(tmp_path: Path) -> None:
    """Nested emails are found; CSV, Markdown and hidden files are not."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.eml").write_bytes(email_bytes())
    (tmp_path / "two").write_bytes(email_bytes())
    (tmp_path / "labels.csv").write_text("x")
    (tmp_path / ".hidden.eml").write_bytes(email_bytes())

    files = expand([str(tmp_path)])

    assert [path.name for path in files] == ["one.eml", "two"]


def test_mbox_file_yields_each_message(tmp_path: Path) -> None:
    """A multi-message mbox is split into its messages, each labelled by index."""
    mbox = tmp_path / "box.mbox"
    separator = b"From alice@example.com Tue Dec  1 10:00:00 2026\n"
    mbox.write_bytes(
        separator + email_bytes(subject="First").replace(b"\r\n", b"\n") + b"\n"
        + separator + email_bytes(subject="Second").replace(b"\r\n", b"\n")
    )  # fmt: skip

    sources = list(read_sources([mbox]))

    assert [source.label for source in sources] == [f"{mbox}#0", f"{mbox}#1"]
    assert all(source.raw and b"Subject:" in source.raw for source in sources)


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    """A path that does not exist becomes a source with a clear error."""
    [source] = list(read_sources([tmp_path / "missing.eml"]))

    assert source.raw is None
    assert source.error is not None
    assert "No such file" in source.error
