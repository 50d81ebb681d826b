"""UK, US, JP, KR, SG, and destinations without rules."""

from __future__ import annotations

from datetime import date

from shiji.customs.rules import DutiesMode
from shiji.customs.tests.helpers import item, m, parcel, run

TODAY = date(2026, 11, 22)


# --- Japan --------------------------------------------------------------------------------------
def jp(*items, **kwargs):
    return parcel("JP", "JPY", *items, origin=kwargs.pop("origin", "CN"), **kwargs)


def test_jp_9999_yen_before_2028_04_01_pays_nothing():
    a = run(jp(item("9999", "JPY", hs="620442")), date(2028, 3, 31))
    assert a.regime == "jp_small" and a.rule_ids == ("jp-small-2019",)
    assert a.total == m(0, "JPY")
    assert a.duties_mode is DutiesMode.PREPAID


def test_jp_10001_yen_pays_simplified_tariff_and_consumption_tax_on_delivery():
    for day in (date(2028, 3, 31), date(2028, 4, 1)):
        a = run(jp(item("10001", "JPY", hs="620442")), day)  # clothing: simplified 10 %
        assert a.regime == "jp_simplified" and a.rule_ids == ("jp-simplified-2019",)
        assert a.duties == m(1000, "JPY")  # 1,000.1
        assert a.taxes == m(1100, "JPY")  # (10,001 + 1,000.1) × 10 % = 1,100.11
        assert a.duties_mode is DutiesMode.ON_DELIVERY


def test_jp_9999_yen_from_2028_04_01_pays_consumption_tax():
    a = run(jp(item("9999", "JPY", hs="620442")), date(2028, 4, 1))
    assert a.regime == "jp_small_2028" and a.rule_ids == ("jp-small-2028",)
    assert a.duties == m(0, "JPY")
    assert a.taxes == m(1000, "JPY")  # 999.9
    assert a.duties_mode is DutiesMode.PREPAID
    private = run(jp(item("9999", "JPY"), business=False), date(2028, 4, 1))
    assert private.duties_mode is DutiesMode.ON_DELIVERY


def test_jp_customs_value_includes_shipping():
    a = run(jp(item("9000", "JPY"), shipping="1001"), date(2026, 1, 1))
    assert a.regime == "jp_simplified"
    assert a.customs_value == m(10001, "JPY")


def test_rounding_is_half_even_to_the_buyers_digits():
    assert run(jp(item("9995", "JPY")), date(2028, 4, 1)).taxes == m(1000, "JPY")  # 999.5 → 1000
    assert run(jp(item("9985", "JPY")), date(2028, 4, 1)).taxes == m(998, "JPY")  # 998.5 → 998


# --- Korea --------------------------------------------------------------------------------------
def kr(*items, origin="JP", **kwargs):
    return parcel("KR", kwargs.pop("currency", "USD"), *items, origin=origin, **kwargs)


def test_kr_149_usd_is_free_and_151_pays_duty_and_vat_on_the_whole_value():
    free = run(kr(item("149", "USD")), TODAY)
    assert free.regime == "kr_list" and free.total == m(0, "USD")
    taxed = run(kr(item("151", "USD")), TODAY)  # toys: 8 % default
    assert taxed.regime == "kr_import"
    assert taxed.duties == m("12.08", "USD")
    assert taxed.taxes == m("16.31", "USD")  # (151 + 12.08) × 10 %
    assert taxed.duties_mode is DutiesMode.ON_DELIVERY


def test_kr_from_the_us_the_limit_is_200_usd():
    assert run(kr(item("199", "USD"), origin="US"), TODAY).total == m(0, "USD")
    assert run(kr(item("201", "USD"), origin="US"), TODAY).regime == "kr_import"


def test_kr_cosmetics_from_the_us_are_capped_at_150_usd():
    a = run(kr(item("199", "USD", hs="330499"), origin="US"), TODAY)
    assert a.regime == "kr_import"
    assert a.duties == m("15.92", "USD")
    assert a.taxes == m("21.49", "USD")  # (199 + 15.92) × 10 % = 21.492
    food = run(kr(item("100", "USD"), item("99", "USD", kind="food"), origin="US"), TODAY)
    assert food.regime == "kr_import"


def test_kr_threshold_in_dollars_for_a_won_buyer():
    assert run(kr(item("186250", "KRW"), currency="KRW"), TODAY).regime == "kr_list"  # $149
    assert run(kr(item("188750", "KRW"), currency="KRW"), TODAY).regime == "kr_import"  # $151


# --- United Kingdom -----------------------------------------------------------------------------
def test_uk_up_to_135_gbp_vat_at_sale_above_duty_and_vat_on_delivery():
    low = run(parcel("GB", "GBP", item("135", "GBP")), TODAY)
    assert low.regime == "uk_low_value" and low.taxes == m("27.00", "GBP")
    assert low.duties_mode is DutiesMode.PREPAID
    private = run(parcel("GB", "GBP", item("135", "GBP"), business=False), TODAY)
    assert private.duties_mode is DutiesMode.ON_DELIVERY and private.taxes == m("27.00", "GBP")
    high = run(parcel("GB", "GBP", item("136", "GBP", hs="620442")), TODAY)
    assert high.regime == "uk_standard"
    assert high.duties == m("16.32", "GBP")  # 12 %
    assert high.taxes == m("30.46", "GBP")  # (136 + 16.32) × 20 % = 30.464
    assert high.duties_mode is DutiesMode.ON_DELIVERY


# --- United States ------------------------------------------------------------------------------
def us(*items, origin="JP", **kwargs):
    return parcel("US", "USD", *items, origin=origin, **kwargs)


def test_us_no_de_minimis_after_2025_08_29():
    assert run(us(item("50", "USD")), date(2025, 8, 28)).regime == "us_de_minimis"
    a = run(us(item("50", "USD"), shipping="20"), date(2025, 8, 29))
    assert a.regime == "us_postal" and a.rule_ids == ("us-postal-2025",)
    assert a.duties == m("7.50", "USD")  # 15 % for Japan, on the goods only
    assert a.taxes == m(0, "USD")
    assert a.duties_mode is DutiesMode.PREPAID
    assert run(us(item("50", "USD"), ddp=False), TODAY).duties_mode is DutiesMode.ON_DELIVERY


def test_us_de_minimis_ended_earlier_for_china():
    a = run(us(item("50", "USD"), origin="CN"), date(2025, 6, 1))
    assert a.regime == "us_import" and a.duties == m("2.50", "USD")


def test_us_gifts_up_to_100_usd_stay_free():
    assert run(us(item("100", "USD"), gift=True), TODAY).total == m(0, "USD")
    assert run(us(item("101", "USD"), gift=True), TODAY).duties == m("15.15", "USD")


def test_us_postal_specific_duty_only_for_its_six_months():
    p = us(item("50", "USD"), postal=True)
    a = run(p, date(2025, 10, 1))
    assert a.duties == m("80.00", "USD")  # Japan 15 % < 16 %
    assert a.rule_ids == ("us-postal-2025", "us-postal-specific-2025")
    assert run(us(item("50", "USD"), origin="CN", postal=True), date(2025, 10, 1)).duties == m("160.00", "USD")
    assert run(p, date(2026, 2, 28)).duties == m("80.00", "USD")
    after = run(p, date(2026, 3, 1))
    assert after.duties == m("7.50", "USD") and after.rule_ids == ("us-postal-2025",)
    courier = run(us(item("50", "USD")), date(2025, 10, 1))
    assert courier.duties == m("7.50", "USD")


# --- Singapore ----------------------------------------------------------------------------------
def test_sg_gst_9_percent_at_sale_up_to_400_sgd():
    a = run(parcel("SG", "SGD", item("400", "SGD")), TODAY)
    assert a.regime == "sg_lvg" and a.taxes == m("36.00", "SGD") and a.duties_mode is DutiesMode.PREPAID
    private = run(parcel("SG", "SGD", item("400", "SGD"), business=False), TODAY)
    assert private.total == m(0, "SGD")  # not taxed at sale → import relief by air or post
    high = run(parcel("SG", "SGD", item("401", "SGD")), TODAY)
    assert high.regime == "sg_import" and high.taxes == m("36.09", "SGD")
    assert high.duties_mode is DutiesMode.ON_DELIVERY
    assert run(parcel("SG", "SGD", item("400", "SGD")), date(2023, 6, 1)).taxes == m("32.00", "SGD")


# --- no rules -----------------------------------------------------------------------------------
def test_destinations_without_rules_are_not_assessed():
    a = run(parcel("TH", "THB", item("1000", "THB")), TODAY)
    assert a.regime == "none" and a.rule_ids == ()
    assert a.total == m(0, "THB") and a.duties_mode is DutiesMode.ON_DELIVERY
