"""CN: cross-border e-commerce (跨境电商, prepaid, 5,000 / 26,000 CNY) and personal postal articles (行邮税)."""

from __future__ import annotations

from datetime import date

import pytest

from shiji.customs.errors import CustomsLimitExceeded, CustomsUnavailable, Limit
from shiji.customs.rules import DutiesMode
from shiji.customs.tests.helpers import item, m, parcel, run

DAY = date(2026, 11, 22)


def cbec(*items, **kwargs):
    return parcel("CN", kwargs.pop("currency", "CNY"), *items, **kwargs)


# --- CBEC ---------------------------------------------------------------------------------------
def test_4999_cny_pays_9_1_percent_prepaid_and_counts_toward_the_year():
    a = run(cbec(item("4999", "CNY", hs="620442")), DAY)
    assert a.regime == "cn_cbec"
    assert a.rule_ids == ("cn-cbec-2019",)
    assert a.duties == m(0, "CNY")
    assert a.taxes == m("454.91", "CNY")  # 4,999 × 13 % × 70 % = 454.909
    assert a.duties_mode is DutiesMode.PREPAID
    assert a.cbec_amount == m("4999", "CNY") == a.customs_value


def test_several_items_up_to_4999_are_one_transaction():
    a = run(cbec(item("2000", "CNY"), item("2999", "CNY", hs="620442", quantity=3)), DAY)
    assert a.taxes == m("454.91", "CNY")


def test_5001_cny_of_several_items_is_refused_with_customs_limit():
    with pytest.raises(CustomsLimitExceeded) as exc:
        run(cbec(item("3000", "CNY"), item("2001", "CNY")), DAY)
    error = exc.value
    assert error.code == "customs_limit" and error.status == 422
    assert error.limit is Limit.CN_CBEC_TRANSACTION
    assert error.maximum == m(5000, "CNY") and error.value == m(5001, "CNY")
    assert "5000.00 CNY" in str(error.message)


def test_5001_cny_in_pieces_of_one_listing_is_refused_too():
    with pytest.raises(CustomsLimitExceeded):
        run(cbec(item("5001", "CNY", quantity=2)), DAY)


def test_a_single_indivisible_item_over_5000_pays_the_general_rate_and_counts():
    a = run(cbec(item("5001", "CNY", hs="900659")), DAY)  # a camera: general duty 8 % (default)
    assert a.regime == "cn_cbec"
    assert a.duties == m("400.08", "CNY")
    assert a.taxes == m("702.14", "CNY")  # (5,001 + 400.08) × 13 %, no 70 % reduction
    assert a.duties_mode is DutiesMode.PREPAID
    assert a.cbec_amount == m(5001, "CNY")


def test_shipping_is_part_of_the_cbec_value():
    ok = run(cbec(item("4000", "CNY"), item("950", "CNY"), shipping="49"), DAY)
    assert ok.cbec_amount == m(4999, "CNY") and ok.taxes == m("454.91", "CNY")
    with pytest.raises(CustomsLimitExceeded):
        run(cbec(item("4000", "CNY"), item("950", "CNY"), shipping="51"), DAY)


def test_up_to_the_annual_allowance_and_not_across_it():
    exactly = run(cbec(item("4000", "CNY"), cbec_used="22000"), DAY)
    assert exactly.cbec_amount == m(4000, "CNY")
    with pytest.raises(CustomsLimitExceeded) as exc:
        run(cbec(item("4000", "CNY"), cbec_used="22000.01"), DAY)
    assert exc.value.limit is Limit.CN_CBEC_ANNUAL
    assert exc.value.remaining == m("3999.99", "CNY")
    assert "3999.99 CNY" in str(exc.value.message)
    with pytest.raises(CustomsLimitExceeded) as used_up:
        run(cbec(item("1", "CNY"), cbec_used="26000"), DAY)
    assert used_up.value.remaining == m(0, "CNY")


def test_a_single_item_over_5000_must_still_fit_the_year():
    with pytest.raises(CustomsLimitExceeded) as exc:
        run(cbec(item("6000", "CNY"), cbec_used="21000"), DAY)
    assert exc.value.limit is Limit.CN_CBEC_ANNUAL


def test_limits_are_compared_in_cny_and_taxes_rounded_in_the_buyers_currency():
    # 1 JPY = 0.05 CNY: ¥99,980 = 4,999 CNY; the tax is ¥99,980 × 9.1 % = ¥9,098.18 → ¥9,098
    a = run(cbec(item("99980", "JPY"), currency="JPY"), DAY)
    assert a.taxes == m(9098, "JPY")
    assert a.cbec_amount == m(4999, "CNY")
    with pytest.raises(CustomsLimitExceeded):
        run(cbec(item("50000", "JPY"), item("50020", "JPY"), currency="JPY"), DAY)


def test_consumption_tax_goods_use_the_combined_formula():
    # luxury cosmetics: (15 % + 13 %) / (1 − 15 %) × 70 % = 23.0588… %
    a = run(cbec(item("1000", "CNY", hs="330499", kind="luxury_cosmetics")), DAY)
    assert a.taxes == m("230.59", "CNY")


def test_cbec_needs_a_ddp_carrier_else_the_parcel_goes_by_post():
    a = run(cbec(item("300", "CNY", hs="620442"), ddp=False), DAY)
    assert a.regime == "cn_postal"
    assert a.cbec_amount is None


def test_before_vat_fell_to_13_percent_cbec_was_11_2_percent():
    a = run(cbec(item("1000", "CNY")), date(2019, 3, 31))
    assert a.rule_ids == ("cn-cbec-2019-01",)
    assert a.taxes == m("112.00", "CNY")  # 16 % × 70 %


# --- postal (行邮税) -----------------------------------------------------------------------------
def postal(*items, **kwargs):
    return parcel("CN", "CNY", *items, ddp=False, **kwargs)


def test_postal_tax_of_50_cny_or_less_is_exempt():
    a = run(postal(item("250", "CNY", hs="620442")), DAY)  # clothing 20 % → 50.00
    assert a.regime == "cn_postal" and a.rule_ids == ("cn-postal-2019",)
    assert a.taxes == m(0, "CNY") and a.duties == m(0, "CNY")
    assert a.duties_mode is DutiesMode.PREPAID  # nothing to pay on delivery


def test_postal_tax_just_over_50_cny_is_due_on_delivery():
    a = run(postal(item("250.05", "CNY", hs="620442")), DAY)
    assert a.taxes == m("50.01", "CNY")
    assert a.duties_mode is DutiesMode.ON_DELIVERY


def test_postal_rates_follow_the_kind_of_goods():
    a = run(postal(item("200", "CNY", hs="620442"), item("100", "CNY", hs="490199")), DAY)
    assert a.taxes == m("53.00", "CNY")  # 200 × 20 % + 100 × 13 %
    wine = run(postal(item("200", "CNY", hs="220421")), DAY)
    assert wine.taxes == m("100.00", "CNY")  # 50 %


def test_postal_exemption_is_decided_in_cny():
    # ¥5,000 = 250 CNY of clothing → 50 CNY tax → exempt, though the buyer pays in yen
    a = run(parcel("CN", "JPY", item("5000", "JPY", hs="620442"), ddp=False), DAY)
    assert a.taxes == m(0, "JPY")
    b = run(parcel("CN", "JPY", item("5002", "JPY", hs="620442"), ddp=False), DAY)
    assert b.taxes == m(1000, "JPY")  # ¥5,002 × 20 % = ¥1,000.4 → ¥1,000


def test_postal_parcels_over_1000_cny_are_refused_unless_one_indivisible_item():
    with pytest.raises(CustomsLimitExceeded) as exc:
        run(postal(item("600", "CNY"), item("401", "CNY")), DAY)
    assert exc.value.limit is Limit.CN_POSTAL_PARCEL
    single = run(postal(item("1500", "CNY", hs="900659")), DAY)  # a camera, 13 %
    assert single.taxes == m("195.00", "CNY")


def test_postal_limit_from_hong_kong_macao_taiwan_is_800_cny():
    assert run(postal(item("400", "CNY"), item("400", "CNY"), origin="HK"), DAY).regime == "cn_postal"
    with pytest.raises(CustomsLimitExceeded):
        run(postal(item("400", "CNY"), item("401", "CNY"), origin="TW"), DAY)
    assert run(postal(item("400", "CNY"), item("401", "CNY"), origin="JP"), DAY).regime == "cn_postal"


def test_postal_rates_apply_only_from_2019_04_09():
    p = postal(item("500", "CNY"))
    assert run(p, date(2019, 4, 9)).rule_ids == ("cn-postal-2019",)
    with pytest.raises(CustomsUnavailable):  # before then the data set has no postal row
        run(p, date(2019, 4, 8))
