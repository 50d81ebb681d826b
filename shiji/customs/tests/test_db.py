"""The database side: seeded rows, rules by date, assessing with FX from the database, the admin form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.apps import apps

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog.tests.factories import demo_rates, draft
from shiji.core.models import AuditEvent
from shiji.customs.admin import CustomsRuleForm
from shiji.customs.engine import Parcel, ParcelItem
from shiji.customs.models import CustomsRule
from shiji.customs.rules import DutiesMode
from shiji.customs.selectors import customs_assess, customs_parcel, customs_rules, fx_converter
from shiji.customs.services import cbec_record
from shiji.customs.tests.helpers import SEED, m
from shiji.fx.services import fx_rate_set

pytestmark = pytest.mark.django_db


def test_the_migration_seeded_every_rule():
    assert set(CustomsRule.objects.values_list("id", flat=True)) == {row["id"] for row in SEED.RULES}


def test_seeding_again_changes_nothing_and_keeps_operator_edits():
    CustomsRule.objects.filter(pk="eu-vat-de-2021").update(parameters={"rate": "18"})
    CustomsRule.objects.filter(pk="sg-lvg-2024").delete()
    SEED.seed(apps, None)
    assert CustomsRule.objects.count() == len(SEED.RULES)
    assert CustomsRule.objects.get(pk="eu-vat-de-2021").parameters == {"rate": "18"}


def test_rules_by_date_from_the_database():
    before = {r.id for r in customs_rules(destination="JP", on=date(2028, 3, 31))}
    after = {r.id for r in customs_rules(destination="JP", on=date(2028, 4, 1))}
    assert before == {"jp-small-2019", "jp-simplified-2019"}
    assert after == {"jp-small-2028", "jp-simplified-2019"}
    de = {r.id for r in customs_rules(destination="DE", on=date(2026, 7, 1))}
    assert de == {"eu-ioss-2021", "eu-duty-hs6-2026", "eu-standard-2021", "eu-vat-de-2021"}


def test_an_inactive_row_is_not_used():
    CustomsRule.objects.filter(pk="eu-duty-hs6-2026").update(active=False)
    assert "eu-duty-hs6-2026" not in {r.id for r in customs_rules(destination="DE", on=date(2026, 7, 1))}


def test_customs_assess_with_rates_from_the_fx_domain():
    fx_rate_set(actor=None, base="EUR", quote="CNY", rate="7.5", source="test")
    parcel = Parcel(
        destination="FR",
        origin="CN",
        currency="CNY",
        items=[
            ParcelItem(value=m("750", "CNY"), quantity=2, hs_code="620442"),
            ParcelItem(value=m("300", "CNY"), quantity=1, hs_code="950300"),
        ],
        shipping=m("75", "CNY"),
        convert=fx_converter(),
        seller_is_business=True,
        carrier_ddp=True,
    )
    a = customs_assess(parcel=parcel, on=date(2026, 11, 22))
    assert a.regime == "eu_ioss"  # 1,050 CNY = €140
    assert a.customs_value == m(140, "EUR")
    assert a.duties == m("45.00", "CNY")  # 2 × €3 at 7.5
    assert a.taxes == m("225.00", "CNY")  # 20 % of 1,125
    assert a.duties_mode is DutiesMode.PREPAID
    assert a.as_dict() == {
        "regime": "eu_ioss",
        "rule_ids": ["eu-ioss-2021", "eu-vat-fr-2021", "eu-duty-hs6-2026"],
        "duties_mode": "prepaid",
        "duties": {"amount": "45.00", "currency": "CNY"},
        "taxes": {"amount": "225.00", "currency": "CNY"},
        "customs_value": {"amount": "140.00", "currency": "EUR"},
        "cbec_amount": None,
    }


def test_the_admin_form_checks_parameters():
    data = {
        "id": "xx-test-2030",
        "destination": "JP",
        "regime": "jp_small",
        "kind": "low_value",
        "parameters": '{"currency": "JPY", "threshold": "lots"}',
        "prepaid_allowed": False,
        "valid_from": "2030-01-01",
        "source": "test",
        "active": True,
    }
    form = CustomsRuleForm(data=data)
    assert not form.is_valid()
    assert "threshold must be a decimal string" in form.errors["parameters"][0]
    form = CustomsRuleForm(data={**data, "parameters": '{"currency": "JPY", "threshold": "20000"}'})
    assert form.is_valid(), form.errors
    bad_dates = CustomsRuleForm(data={**data, "valid_to": "2029-01-01"})
    assert not bad_dates.is_valid()


def test_admin_changes_are_audited(admin_client):
    response = admin_client.post(
        "/admin/customs/customsrule/eu-vat-de-2021/change/",
        {
            "destination": "DE",
            "regime": "eu_vat",
            "kind": "vat_rate",
            "parameters": '{"rate": "20"}',
            "valid_from": "2021-07-01",
            "source": "test",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert CustomsRule.objects.get(pk="eu-vat-de-2021").parameters == {"rate": "20"}
    event = AuditEvent.objects.get(action="customs.rule_changed")
    assert event.target_id == "eu-vat-de-2021" and event.data["parameters"] == {"rate": "20"}


def test_customs_parcel_from_a_listing():
    demo_rates()
    seller, buyer = UserFactory(country="JP"), UserFactory(country="CN")
    at = datetime(2026, 11, 22, tzinfo=UTC)
    cbec_record(buyer=buyer, order_id="ord_before", amount=m("1000", "CNY"), at=at)
    cosmetics = draft(seller, category="cosmetics", price={"amount": "3000", "currency": "JPY"})
    parcel = customs_parcel(
        listing=cosmetics,
        quantity=2,
        item_value=m("288.00", "CNY"),
        shipping=m("40.00", "CNY"),
        destination="CN",
        buyer=buyer,
        carrier_ddp=True,
        at=at,
    )
    assert (parcel.origin, parcel.currency, parcel.seller_is_business) == ("JP", "CNY", False)
    assert parcel.items[0].hs_code == "330499" and parcel.items[0].goods_kind == "cosmetics"
    assert parcel.cbec_used == m("1000", "CNY")
    a = customs_assess(parcel=parcel, on=at.date())
    assert a.regime == "cn_cbec" and a.taxes == m("29.85", "CNY")  # 328 × 9.1 % = 29.848
    dress = draft(seller, category="dresses")
    to_korea = customs_parcel(
        listing=dress,
        quantity=1,
        item_value=m("45.33", "USD"),
        shipping=m("10", "USD"),
        destination="KR",
        buyer=buyer,
        carrier_ddp=False,
        at=at,
    )
    assert to_korea.items[0].goods_kind == "clothing" and to_korea.cbec_used == m(0, "CNY")
    assert customs_assess(parcel=to_korea, on=at.date()).regime == "kr_list"
