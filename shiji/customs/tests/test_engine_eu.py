"""EU: IOSS up to €150 (member-state VAT, €3 per distinct HS subheading from 2026-07-01), ordinary import above."""

from __future__ import annotations

from datetime import date

import pytest

from shiji.customs.engine import assess
from shiji.customs.errors import CustomsUnavailable
from shiji.customs.rules import DutiesMode
from shiji.customs.tests.helpers import item, m, parcel, run, seed_rules

BEFORE = date(2026, 6, 30)
AFTER = date(2026, 7, 1)


def eu(*items, country="DE", **kwargs):
    return parcel(country, kwargs.pop("currency", "EUR"), *items, **kwargs)


def test_149_eur_is_ioss_vat_prepaid_for_a_business_seller_with_ddp():
    a = run(eu(item("149", "EUR", hs="620442")), BEFORE)
    assert a.regime == "eu_ioss"
    assert a.rule_ids == ("eu-ioss-2021", "eu-vat-de-2021")
    assert a.duties == m(0, "EUR")
    assert a.taxes == m("28.31", "EUR")  # 19 % of 149
    assert a.duties_mode is DutiesMode.PREPAID
    assert a.customs_value == m(149, "EUR")


def test_151_eur_pays_ordinary_duty_and_vat_on_delivery():
    a = run(eu(item("151", "EUR", hs="620442")), BEFORE)  # clothing, chapter 62: 12 %
    assert a.regime == "eu_standard"
    assert a.rule_ids == ("eu-standard-2021", "eu-vat-de-2021")
    assert a.duties == m("18.12", "EUR")
    assert a.taxes == m("32.13", "EUR")  # (151 + 18.12) × 19 % = 32.1328
    assert a.duties_mode is DutiesMode.ON_DELIVERY


def test_unknown_chapters_use_the_default_duty_rate():
    a = run(eu(item("200", "EUR", hs="442199")), BEFORE)  # wood: no chapter row → 4 %
    assert a.duties == m("8.00", "EUR")


def test_the_150_threshold_excludes_shipping_but_vat_includes_it():
    a = run(eu(item("149", "EUR"), shipping="20"), BEFORE)
    assert a.regime == "eu_ioss"
    assert a.taxes == m("32.11", "EUR")  # 19 % of 169


def test_a_private_seller_or_a_non_ddp_carrier_means_vat_on_delivery():
    private = run(eu(item("149", "EUR"), business=False), BEFORE)
    assert private.duties_mode is DutiesMode.ON_DELIVERY and private.taxes == m("28.31", "EUR")
    no_ddp = run(eu(item("149", "EUR"), ddp=False), BEFORE)
    assert no_ddp.duties_mode is DutiesMode.ON_DELIVERY


def test_3_eur_per_distinct_subheading_from_2026_07_01():
    p = eu(item("40", "EUR", hs="620442"), item("30", "EUR", hs="620442"), item("50", "EUR", hs="950300"))
    after = run(p, AFTER)
    assert after.duties == m("6.00", "EUR")  # two subheadings, three items
    assert after.taxes == m("22.80", "EUR")
    assert after.rule_ids == ("eu-ioss-2021", "eu-vat-de-2021", "eu-duty-hs6-2026")
    assert after.duties_mode is DutiesMode.PREPAID
    before = run(p, BEFORE)
    assert before.duties == m(0, "EUR")
    assert "eu-duty-hs6-2026" not in before.rule_ids


def test_two_items_under_one_subheading_pay_3_eur():
    a = run(eu(item("20", "EUR", hs="620442"), item("20", "EUR", hs="620442", quantity=2)), AFTER)
    assert a.duties == m("3.00", "EUR")


def test_the_flat_duty_is_not_charged_above_150_eur():
    a = run(eu(item("100", "EUR", hs="620442"), item("60", "EUR", hs="950300")), AFTER)
    assert a.regime == "eu_standard"
    assert "eu-duty-hs6-2026" not in a.rule_ids


@pytest.mark.parametrize(("country", "vat"), [("FR", "20.00"), ("IT", "22.00"), ("NL", "21.00"), ("ES", "21.00")])
def test_member_state_vat_rates(country, vat):
    assert run(eu(item("100", "EUR"), country=country), BEFORE).taxes == m(vat, "EUR")


def test_vat_rate_rows_are_dated():
    p = eu(item("100", "EUR"), country="FI")
    assert run(p, date(2024, 8, 31)).taxes == m("24.00", "EUR")
    later = run(p, date(2024, 9, 1))
    assert later.taxes == m("25.50", "EUR")
    assert "eu-vat-fi-2024" in later.rule_ids


def test_thresholds_are_compared_in_euro_and_amounts_given_in_the_buyers_currency():
    # 1 EUR = 10 CNY
    low = run(eu(item("1490", "CNY"), currency="CNY"), AFTER)
    assert low.regime == "eu_ioss"
    assert low.duties == m("30.00", "CNY")  # €3
    assert low.taxes == m("283.10", "CNY")
    assert low.customs_value == m(149, "EUR")
    assert run(eu(item("1510", "CNY"), currency="CNY"), AFTER).regime == "eu_standard"


def test_a_member_state_without_a_vat_row_cannot_be_assessed():
    rules = [rule for rule in seed_rules() if rule.id != "eu-vat-de-2021"]
    with pytest.raises(CustomsUnavailable) as exc:
        assess(eu(item("100", "EUR")), on=BEFORE, rules=rules)
    assert exc.value.code == "customs_unavailable"


def test_before_ioss_the_data_set_has_no_eu_rules():
    a = run(eu(item("100", "EUR")), date(2021, 6, 30))
    assert a.regime == "none" and a.duties_mode is DutiesMode.ON_DELIVERY
