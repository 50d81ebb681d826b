"""System notes on order and dispute events are worded for each reader, not frozen in the
language of whoever acted (a Japanese seller must not read the Chinese buyer's UI language)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from shiji.core.notes import note_text, system_note
from shiji.disputes.states import DisputeReason
from shiji.orders import flow
from shiji.orders.tests.factories import order_placed, pay, ship


def test_a_system_note_reads_in_each_language_with_its_parameters() -> None:
    with translation.override("ja"):  # who acted does not matter
        note = system_note(gettext_noop("Dispute opened: %(reason)s."), reason=DisputeReason.DAMAGED.label)
    worded = {}
    for language in ("zh-hans", "ja", "en"):
        with translation.override(language):
            worded[language] = note_text(note)
    assert worded["en"] == f"Dispute opened: {DisputeReason.DAMAGED.label}."
    with translation.override("en"):
        assert worded["en"] == f"Dispute opened: {DisputeReason.DAMAGED.label}."
    assert len(set(worded.values())) == 3, worded
    with translation.override("zh-hans"):
        assert str(DisputeReason.DAMAGED.label) in worded["zh-hans"]


@pytest.mark.parametrize("typed", ["", "买错了", "i18n:{not json", 'i18n:{"x": 1}'])
def test_what_a_person_typed_is_shown_as_written(typed: str) -> None:
    assert note_text(typed) == typed


@pytest.mark.django_db
def test_the_order_history_names_the_buyers_confirmation_in_the_readers_language(api_as) -> None:  # type: ignore[no-untyped-def]
    order = pay(order_placed())
    ship(order)
    with translation.override("zh-hans"):  # the buyer's pages are in Chinese
        flow.order_confirm(user=order.buyer, order_id=order.pk)

    notes = {}
    for language in ("ja", "en", "zh-hans"):
        body = api_as(order.seller).get(f"/orders/{order.pk}", headers={"Accept-Language": language}).json()
        assert "events" in body, body
        notes[language] = body["events"][-1]["note"]
    assert notes["en"] == "Receipt confirmed by the buyer."
    with translation.override("ja"):
        assert notes["ja"] == translation.gettext("Receipt confirmed by the buyer.") != notes["en"]
    with translation.override("zh-hans"):
        assert notes["zh-hans"] == translation.gettext("Receipt confirmed by the buyer.") != notes["ja"]
