"""What of a body the text model reads: own text, not quotes, footers or forward headers."""

from __future__ import annotations

from pipeline.textmodel.features import clean_body, normalise

RULE = "_" * 32


def test_list_footer_after_own_text_is_removed() -> None:
    """A rule after the author's text ends what the model reads."""
    body = f"The build works now.\n{RULE}\nExample-users mailing list\nlist@example.org"

    assert clean_body(body) == "The build works now."


def test_forwarded_message_without_comment_is_read() -> None:
    """A forward with nothing above its rule is the message; its header block is not."""
    body = f"{RULE}\nFrom: Shop <a@shop.example>\nSent: Monday\nTo: me\nSubject: Deal\n\nBuy now."

    assert clean_body(body) == "Buy now."


def test_rule_over_an_empty_message_still_ends_it() -> None:
    """A footer with nothing above it and no forward header is not read."""
    body = f"{RULE}\nExample-users mailing list\nTo unsubscribe write to leave@example.org"

    assert clean_body(body) == ""


def test_quoted_original_under_a_reply_is_removed() -> None:
    """With own text above, the forwarded header block and the original are dropped."""
    body = f"Agreed, see below.\n{RULE}\nFrom: Bob\nSent: Monday\n\nOriginal text."

    assert clean_body(body) == "Agreed, see below."


def test_french_and_italian_function_words_do_not_reach_the_model() -> None:
    """Words that only name a language ('vous', 'della') are dropped like English ones."""
    text = normalise("Offre", "Une offre pour vous, della casa")

    assert text.split() == ["offre", "offre", "casa"]
