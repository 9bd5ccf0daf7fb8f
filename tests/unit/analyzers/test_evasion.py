"""Disguised wording: invisible marks, styled letters, mixed scripts, padding, random tokens."""

from __future__ import annotations

from pipeline.analyzers import text
from pipeline.analyzers.evasion import is_random
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run


def test_invisible_marks_between_letters_are_reported() -> None:
    """Joiners hidden inside words ('V\u034fe\u034fr\u034fi\u034ffy') are evasion."""
    raw = email_bytes(body="Please V\u034fe\u034fr\u034fi\u034ffy your account today.")

    assert "text_invisible_chars" in names(run(text.analyze, raw))


def test_emoji_joiners_are_not_invisible_marks() -> None:
    """A zero-width joiner inside an emoji sequence sits between no letters."""
    raw = email_bytes(body="Family photo \U0001f468\u200d\U0001f469\u200d\U0001f467 attached.")

    assert "text_invisible_chars" not in names(run(text.analyze, raw))


def test_mathematical_letters_are_styled_text() -> None:
    """A subject in mathematical bold letters hides its words from keyword filters."""
    raw = email_bytes(subject="=?utf-8?b?8J2XpvCdl67wnZe58J2XsiB0b2RheQ==?=")

    assert "text_styled_letters" in names(run(text.analyze, raw))


def test_word_mixing_latin_and_cyrillic_is_reported() -> None:
    """'Acc\u043eunt' with a Cyrillic o is a homoglyph word."""
    raw = email_bytes(body="Your Acc\u043eunt needs attention.")

    assert "text_mixed_script" in names(run(text.analyze, raw))


def test_plain_cyrillic_text_is_not_mixed() -> None:
    """Russian written in Cyrillic alone is ordinary text."""
    raw = email_bytes(body="Привет, как дела? Встреча завтра в десять.")

    assert "text_mixed_script" not in names(run(text.analyze, raw))


def test_padded_display_name_is_reported() -> None:
    """A sender name stuffed with filler ('Jumbo..Winnen') is dodging name filters."""
    raw = email_bytes(sender='"Jumbo..Winnen" <promo@example.net>')

    assert "display_name_padded" in names(run(text.analyze, raw))


def test_person_with_initials_is_not_padded() -> None:
    """'J. R. Smith' is a name with initials, not filler."""
    raw = email_bytes(sender='"J. R. Smith" <jr@example.net>')

    assert "display_name_padded" not in names(run(text.analyze, raw))


def test_random_subject_token_is_reported() -> None:
    """A machine-made token appended to the subject defeats fuzzy hashing."""
    raw = email_bytes(subject="Consulte seus valores - E59xZaROik6Ss8NI2VplFvrnc")

    assert "subject_random_token" in names(run(text.analyze, raw))


def test_camel_case_words_and_hex_ids_are_not_random() -> None:
    """Product names in CamelCase and hexadecimal ids are not hash-busters."""
    assert not is_random("OpenCourseWare")
    assert not is_random("3f9a0c2be1d4")
    assert not is_random("TheServerSide")


def test_subject_with_underscores_for_spaces_is_padded() -> None:
    """'_Your_Reward_Worth_' hides its words from filters that split on spaces."""
    raw = email_bytes(subject="_Your_Reward_Worth_")

    assert "subject_padded" in names(run(text.analyze, raw))


def test_subject_with_double_dots_for_spaces_is_padded() -> None:
    """'Geef jouw..mening..en..win' joins words with filler dots."""
    raw = email_bytes(subject="Geef jouw..mening..en..win")

    assert "subject_padded" in names(run(text.analyze, raw))


def test_identifier_in_a_subject_is_not_padding() -> None:
    """A code identifier such as 'rx_samples_to_file' is ordinary technical wording."""
    raw = email_bytes(subject="rx_samples_to_file")

    assert "subject_padded" not in names(run(text.analyze, raw))


def test_ellipsis_in_a_subject_is_not_padding() -> None:
    """Three dots between words are an ellipsis, not a disguised space."""
    raw = email_bytes(subject="Wait...what happened to the build")

    assert "subject_padded" not in names(run(text.analyze, raw))
