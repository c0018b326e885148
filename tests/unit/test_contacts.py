"""Contact details are sealed for notify: opaque to everyone without the key, masked when listed."""

from __future__ import annotations

import pytest

from shared.contacts import ContactPoint, Contacts, SealBroken, mask_phone, seal, unseal

KEY = "a-contact-seal-key-for-the-tests-only"


def test_sealed_contacts_open_with_the_key_and_hide_the_number_without_it():
    contacts = Contacts(points=[ContactPoint(channel="sms", address="13812345678")])
    token = seal(contacts, KEY)
    assert "13812345678" not in token
    assert unseal(token, KEY) == contacts


def test_the_wrong_key_cannot_open_a_seal():
    token = seal(Contacts(points=[ContactPoint(channel="sms", address="13812345678")]), KEY)
    with pytest.raises(SealBroken):
        unseal(token, "another-key-that-is-also-long-enough")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("+86 138-1234-5678", "861****5678"), ("12345", "*****")],
)
def test_phone_numbers_are_masked_in_lists(phone, masked):
    assert mask_phone(phone) == masked
