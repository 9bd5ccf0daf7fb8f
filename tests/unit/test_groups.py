"""Cross-validation groups: sender, campaign subject and shared body passages."""

from __future__ import annotations

from pipeline.message import parse_message
from pipeline.training.groups import group_ids
from tests.support.mail import email_bytes

LURE = (
    "We noticed that your parcel could not be delivered because the shipping fee of the "
    "customs office was not paid in time. Please settle the remaining amount today through "
    "our secure payment page, otherwise the package returns to the sender within two days"
)


def test_campaign_with_new_sender_and_subject_shares_a_group() -> None:
    """Two bodies sharing a long passage are one group even when sender and subject differ."""
    first = email_bytes("Parcel on hold", f"Hello Ann. {LURE}. Thanks.", "a <a@one.example>")
    second = email_bytes("Action needed", f"Dear Bob, {LURE} to avoid return.", "b <b@two.test>")

    groups = group_ids([parse_message(first), parse_message(second)])

    assert groups[0] == groups[1]


def test_a_stock_phrase_does_not_join_unrelated_emails() -> None:
    """Two different bodies that share a short phrase stay in separate groups."""
    first = email_bytes("Lunch", "Please let me know if you have any questions about lunch.")
    second = email_bytes(
        "Build",
        "The build broke again. Please let me know if you have any questions.",
        "Carol <carol@three.example>",
    )

    groups = group_ids([parse_message(first), parse_message(second)])

    assert groups[0] != groups[1]


def test_same_sender_domain_shares_a_group() -> None:
    """Two emails from one registered domain are one group."""
    first = email_bytes("One", "First note.", "a <a@mail.shop.example>")
    second = email_bytes("Two", "Second note.", "b <b@news.shop.example>")

    groups = group_ids([parse_message(first), parse_message(second)])

    assert groups[0] == groups[1]
