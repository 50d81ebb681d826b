"""Rules as dated data: which rows apply on a day, and the seeded rows themselves."""

from __future__ import annotations

from datetime import date

import pytest

from shiji.customs.engine import assess
from shiji.customs.goods import EU_MEMBER_STATES, ItemKind, kind_from_hs
from shiji.customs.rules import Rule, RuleBook, RuleKind, check_parameters
from shiji.customs.tests.helpers import item, m, parcel, seed_rules

JP_LOW = {"currency": "JPY", "threshold": "10000", "vat_rate": "0"}
JP_STD = {"currency": "JPY", "duty_rate": "0", "vat_rate": "10"}


def rule(id, kind, params, valid_from, valid_to=None, active=True, regime="jp_test"):
    return Rule(
        id=id,
        destination="JP",
        regime=regime,
        kind=kind,
        parameters=params,
        valid_from=valid_from,
        valid_to=valid_to,
        active=active,
    )


def test_valid_to_is_exclusive_and_valid_from_inclusive():
    r = rule("a", RuleKind.LOW_VALUE, JP_LOW, date(2024, 1, 1), date(2025, 1, 1))
    assert not r.applies_on(date(2023, 12, 31))
    assert r.applies_on(date(2024, 1, 1))
    assert r.applies_on(date(2024, 12, 31))
    assert not r.applies_on(date(2025, 1, 1))


def test_a_rule_outside_its_validity_or_inactive_is_not_used():
    rules = [
        rule("low-old", RuleKind.LOW_VALUE, JP_LOW, date(2020, 1, 1), date(2025, 1, 1), regime="old"),
        rule("std", RuleKind.STANDARD_IMPORT, JP_STD, date(2020, 1, 1), regime="std"),
        rule("low-off", RuleKind.LOW_VALUE, JP_LOW, date(2020, 1, 1), active=False, regime="off"),
    ]
    p = parcel("JP", "JPY", item("5000", "JPY"), origin="CN")
    assert assess(p, on=date(2024, 12, 31), rules=rules).rule_ids == ("low-old",)
    later = assess(p, on=date(2025, 1, 1), rules=rules)
    assert later.rule_ids == ("std",)
    assert later.taxes == m(500, "JPY")


def test_a_newer_overlapping_row_supersedes_an_older_one():
    rules = [
        rule("older", RuleKind.STANDARD_IMPORT, JP_STD, date(2020, 1, 1)),
        rule("newer", RuleKind.STANDARD_IMPORT, {**JP_STD, "vat_rate": "8"}, date(2024, 1, 1)),
    ]
    book = RuleBook(rules, on=date(2024, 6, 1))
    assert book.find(RuleKind.STANDARD_IMPORT, ["JP"]).id == "newer"
    assert RuleBook(rules, on=date(2023, 6, 1)).find(RuleKind.STANDARD_IMPORT, ["JP"]).id == "older"


def test_a_country_row_comes_before_an_eu_wide_one():
    de = Rule(id="de", destination="DE", regime="x", kind=RuleKind.VAT_RATE, parameters={"rate": "19"})
    eu = Rule(id="eu", destination="EU", regime="x", kind=RuleKind.VAT_RATE, parameters={"rate": "20"})
    book = RuleBook([eu, de], on=date(2026, 1, 1))
    assert book.find(RuleKind.VAT_RATE, ["DE", "EU"]).id == "de"
    assert book.find(RuleKind.VAT_RATE, ["FR", "EU"]).id == "eu"


# --- the seed -----------------------------------------------------------------------------------
def test_every_seeded_row_has_valid_parameters_and_dates():
    ids = [r.id for r in seed_rules()]
    assert len(ids) == len(set(ids))
    for r in seed_rules():
        assert check_parameters(r.kind, r.parameters) == [], r.id
        assert r.valid_to is None or r.valid_to > r.valid_from, r.id
        assert r.source, r.id


def test_every_regime_of_customs_md_is_seeded():
    regimes = {r.regime for r in seed_rules()}
    assert {
        "cn_cbec",
        "cn_postal",
        "eu_ioss",
        "eu_standard",
        "uk_low_value",
        "uk_standard",
        "us_postal",
        "jp_small",
        "jp_small_2028",
        "jp_simplified",
        "kr_list",
        "sg_lvg",
    } <= regimes


def test_dated_rules_of_customs_md():
    by_id = {r.id: r for r in seed_rules()}
    assert by_id["eu-duty-hs6-2026"].valid_from == date(2026, 7, 1)
    assert by_id["jp-small-2028"].valid_from == date(2028, 4, 1)
    assert by_id["jp-small-2019"].valid_to == date(2028, 4, 1)
    assert by_id["cn-postal-2019"].valid_from == date(2019, 4, 9)
    specific = by_id["us-postal-specific-2025"]
    assert (specific.valid_from, specific.valid_to) == (date(2025, 8, 29), date(2026, 3, 1))  # 6 months
    assert by_id["us-de-minimis-2025-05"].valid_to == date(2025, 8, 29)


@pytest.mark.parametrize("day", [date(2021, 7, 1), date(2025, 8, 1), date(2026, 11, 22)])
def test_every_member_state_has_exactly_one_vat_rate_each_day(day):
    for country in EU_MEMBER_STATES:
        rows = [r for r in seed_rules() if r.destination == country and r.applies_on(day)]
        assert len(rows) == 1, (country, rows)


def test_seeded_vat_rates_named_in_customs_md():
    today = date(2026, 11, 22)
    rates = {r.destination: r.parameters["rate"] for r in seed_rules() if r.kind == "vat_rate" and r.applies_on(today)}
    assert {c: rates[c] for c in ("DE", "FR", "IT", "NL", "ES")} == {
        "DE": "19",
        "FR": "20",
        "IT": "22",
        "NL": "21",
        "ES": "21",
    }


def test_check_parameters_explains_problems():
    assert check_parameters("nonsense", {}) == ["unknown kind 'nonsense'"]
    problems = check_parameters("low_value", {"currency": "ABC", "threshold": "-1", "colour": "red"})
    assert "currency must be an ISO 4217 code such as EUR" in problems
    assert "threshold must be a decimal string" in problems
    assert "colour is not a parameter any rule reads" in problems
    assert check_parameters("vat_rate", {"rate": "120"}) == ["rate must be a decimal string below 100 (percent)"]
    assert check_parameters(
        "postal_specific_duty", {"currency": "USD", "tiers": [{"rate_below": "16", "amount": "80"}]}
    )
    assert check_parameters("low_value", {"currency": "USD", "threshold": "1", "capped_kinds": ["rocks"]})


# --- kinds of goods -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hs", "kind"),
    [
        ("330499", ItemKind.COSMETICS),
        ("620442", ItemKind.CLOTHING),
        ("630900", ItemKind.TEXTILES),
        ("950300", ItemKind.TOYS),
        ("950450", ItemKind.TOYS),
        ("900659", ItemKind.COMPUTERS_CAMERAS),
        ("090210", ItemKind.FOOD),
        ("210690", ItemKind.FOOD),
        ("300490", ItemKind.MEDICINE),
        ("490199", ItemKind.BOOKS),
        ("691200", ItemKind.GENERAL),
        ("220421", ItemKind.ALCOHOL),
    ],
)
def test_kind_from_hs(hs, kind):
    assert kind_from_hs(hs) == kind


def test_parcels_refuse_bad_input():
    with pytest.raises(ValueError, match="6-digit"):
        item("1", "EUR", hs="6204")
    with pytest.raises(ValueError, match="buyer's currency"):
        parcel("DE", "EUR", item("1", "USD"))
    with pytest.raises(ValueError, match="at least one item"):
        parcel("DE", "EUR")
