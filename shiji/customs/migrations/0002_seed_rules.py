"""The duties-and-taxes rules of CUSTOMS.md, as dated data (editable in the admin afterwards).

Idempotent: a row whose id exists is left alone (an operator may have edited it). Amounts are decimal
strings in the row's ``currency``; rates are percent strings. ``valid_to`` is exclusive. Where the
legal start of a figure is older than the data set, ``valid_from`` is the data set's start and the
``source`` says so. Duty tables per HS chapter are documented estimates for quoting (a rough
``duty_rate`` default plus the chapters that matter most for C2C goods), not a tariff database.
"""

from datetime import date

from django.db import migrations

ESTIMATE = " Duty rates per chapter are estimates for quotes; re-check before relying on them."

# --- China --------------------------------------------------------------------------------------
CN_CBEC = {
    "currency": "CNY",
    "per_transaction_limit": "5000",
    "annual_limit": "26000",
    "tariff_rate": "0",
    "consumption_tax_rate": "0",
    "consumption_tax_by_kind": {"luxury_cosmetics": "15", "luxury_watches": "20"},
    "reduction_percent": "70",
    # a single indivisible item over 5,000 CNY: general (MFN) duty, full VAT and consumption tax
    "general_duty_rate": "8",
    "general_duty_by_chapter": {"33": "3", "49": "0", "61": "6", "62": "6", "95": "0"},
}
CN_POSTAL = {
    "currency": "CNY",
    "parcel_limit": "1000",
    "parcel_limit_by_origin": {"HK": "800", "MO": "800", "TW": "800"},
    "exempt_tax_up_to": "50",
    "default_rate": "20",
    "rates_by_kind": {
        "books": "13",
        "food": "13",
        "supplements": "13",
        "medicine": "13",
        "computers_cameras": "13",
        "furniture": "13",
        "toys": "13",
        "clothing": "20",
        "textiles": "20",
        "cosmetics": "20",
        "electronics": "20",
        "sports": "20",
        "watches": "20",
        "general": "20",
        "alcohol": "50",
        "tobacco": "50",
        "jewellery": "50",
        "luxury_watches": "50",
        "luxury_cosmetics": "50",
    },
}

# --- EU -----------------------------------------------------------------------------------------
EU_DUTY = {
    "currency": "EUR",
    "duty_rate": "4",
    "duty_by_chapter": {
        "33": "0",
        "42": "3",
        "49": "0",
        "61": "12",
        "62": "12",
        "64": "8",
        "71": "2.5",
        "91": "4.5",
        "95": "0",
        "97": "0",
    },
}
# Standard VAT rates: (country, rate, valid_from, valid_to). IOSS starts 2021-07-01.
EU_VAT = [
    ("AT", "20", "2021-07-01", None),
    ("BE", "21", "2021-07-01", None),
    ("BG", "20", "2021-07-01", None),
    ("HR", "25", "2021-07-01", None),
    ("CY", "19", "2021-07-01", None),
    ("CZ", "21", "2021-07-01", None),
    ("DK", "25", "2021-07-01", None),
    ("EE", "20", "2021-07-01", "2024-01-01"),
    ("EE", "22", "2024-01-01", "2025-07-01"),
    ("EE", "24", "2025-07-01", None),
    ("FI", "24", "2021-07-01", "2024-09-01"),
    ("FI", "25.5", "2024-09-01", None),
    ("FR", "20", "2021-07-01", None),
    ("DE", "19", "2021-07-01", None),
    ("GR", "24", "2021-07-01", None),
    ("HU", "27", "2021-07-01", None),
    ("IE", "23", "2021-07-01", None),
    ("IT", "22", "2021-07-01", None),
    ("LV", "21", "2021-07-01", None),
    ("LT", "21", "2021-07-01", None),
    ("LU", "17", "2021-07-01", "2023-01-01"),
    ("LU", "16", "2023-01-01", "2024-01-01"),
    ("LU", "17", "2024-01-01", None),
    ("MT", "18", "2021-07-01", None),
    ("NL", "21", "2021-07-01", None),
    ("PL", "23", "2021-07-01", None),
    ("PT", "23", "2021-07-01", None),
    ("RO", "19", "2021-07-01", "2025-08-01"),
    ("RO", "21", "2025-08-01", None),
    ("SK", "20", "2021-07-01", "2025-01-01"),
    ("SK", "23", "2025-01-01", None),
    ("SI", "22", "2021-07-01", None),
    ("ES", "21", "2021-07-01", None),
    ("SE", "25", "2021-07-01", None),
]

# --- UK, US, JP, KR, SG -------------------------------------------------------------------------
UK_DUTY = {
    "currency": "GBP",
    "duty_rate": "4",
    "vat_rate": "20",
    "duty_by_chapter": {"33": "0", "49": "0", "61": "12", "62": "12", "64": "8", "71": "2", "95": "0", "97": "0"},
}
US_BY_ORIGIN = {
    "JP": "15",
    "KR": "15",
    "EU": "15",
    "CN": "20",
    "HK": "20",
    "TW": "20",
    "TH": "19",
    "GB": "10",
    "SG": "10",
}
JP_SIMPLIFIED = {
    "currency": "JPY",
    "duty_rate": "3",
    "vat_rate": "10",
    "duty_by_chapter": {
        "33": "0",
        "49": "0",
        "61": "10",
        "62": "10",
        "84": "0",
        "85": "0",
        "90": "0",
        "95": "0",
        "97": "0",
    },
}
KR_DUTY = {
    "currency": "USD",
    "duty_rate": "8",
    "vat_rate": "10",
    "duty_by_chapter": {"49": "0", "61": "13", "62": "13", "97": "0"},
}


def _rule(id, destination, regime, kind, parameters, valid_from, valid_to=None, prepaid=False, source=""):
    return {
        "id": id,
        "destination": destination,
        "regime": regime,
        "kind": kind,
        "parameters": parameters,
        "prepaid_allowed": prepaid,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source": source,
    }


RULES = [
    # China
    _rule(
        "cn-cbec-2019-01", "CN", "cn_cbec", "cn_cbec", {**CN_CBEC, "vat_rate": "16"}, "2019-01-01", "2019-04-01",
        prepaid=True, source="财关税〔2018〕49号 (limits 5,000 / 26,000 CNY from 2019-01-01); import VAT 16 % until 2019-03-31.",
    ),
    _rule(
        "cn-cbec-2019", "CN", "cn_cbec", "cn_cbec", {**CN_CBEC, "vat_rate": "13"}, "2019-04-01",
        prepaid=True, source="财关税〔2018〕49号; import VAT 13 % from 2019-04-01 → 9.1 % combined. CUSTOMS.md." + ESTIMATE,
    ),
    _rule(
        "cn-postal-2019", "CN", "cn_postal", "cn_postal", CN_POSTAL, "2019-04-09",
        source="税委会〔2019〕17号 / GACC announcement 2019 No. 63: 13 / 20 / 50 % from 2019-04-09; "
        "≤ 50 CNY exempt; 1,000 CNY per parcel (800 from HK/MO/TW). CUSTOMS.md.",
    ),
    # EU
    _rule(
        "eu-ioss-2021", "EU", "eu_ioss", "low_value",
        {"currency": "EUR", "threshold": "150", "deemed_supplier": True}, "2021-07-01",
        prepaid=True, source="Council Directive (EU) 2017/2455 — IOSS for consignments ≤ €150 from 2021-07-01; "
        "VAT of the member state, no exemption at any value. CUSTOMS.md.",
    ),
    _rule(
        "eu-duty-hs6-2026", "EU", "eu_ioss", "flat_duty_per_hs6", {"currency": "EUR", "amount": "3"}, "2026-07-01",
        prepaid=True, source="EU Council decision of 2026-02-11: €3 customs duty per distinct tariff subheading "
        "(6-digit HS) in a consignment ≤ €150, from 2026-07-01. CUSTOMS.md.",
    ),
    _rule(
        "eu-standard-2021", "EU", "eu_standard", "standard_import", EU_DUTY, "2021-07-01",
        source="Above €150: ordinary duty by HS code (Common Customs Tariff) + import VAT, on delivery. CUSTOMS.md." + ESTIMATE,
    ),
    *[
        _rule(
            f"eu-vat-{country.lower()}-{valid_from[:4]}", country, "eu_vat", "vat_rate", {"rate": rate},
            valid_from, valid_to, source="Standard VAT rate of the member state (European Commission VAT rates "
            "table / national law). Re-check before relying on it.",
        )
        for country, rate, valid_from, valid_to in EU_VAT
    ],
    # United Kingdom
    _rule(
        "uk-low-value-2021", "GB", "uk_low_value", "low_value",
        {"currency": "GBP", "threshold": "135", "vat_rate": "20", "deemed_supplier": True}, "2021-01-01",
        prepaid=True, source="VATA 1994 s.5A: 20 % VAT at the point of sale on consignments ≤ £135 from 2021-01-01. CUSTOMS.md.",
    ),
    _rule(
        "uk-standard-2021", "GB", "uk_standard", "standard_import", UK_DUTY, "2021-01-01",
        source="Above £135: UK Global Tariff duty by HS code + import VAT 20 %, on delivery. CUSTOMS.md." + ESTIMATE,
    ),
    # United States
    _rule(
        "us-de-minimis-2016", "US", "us_de_minimis", "low_value",
        {"currency": "USD", "threshold": "800", "vat_rate": "0"}, "2016-03-10", "2025-05-02",
        source="19 U.S.C. 1321 as amended by the Trade Facilitation and Trade Enforcement Act 2015: $800 de minimis.",
    ),
    _rule(
        "us-de-minimis-2025-05", "US", "us_de_minimis", "low_value",
        {"currency": "USD", "threshold": "800", "vat_rate": "0", "excluded_origins": ["CN", "HK"]},
        "2025-05-02", "2025-08-29",
        source="Executive Order 14256: no de minimis for goods from CN and HK from 2025-05-02.",
    ),
    _rule(
        "us-import-2016", "US", "us_import", "standard_import",
        {"currency": "USD", "duty_rate": "5", "vat_rate": "0", "gift_exempt_up_to": "100",
         "customs_value_includes_shipping": False},
        "2016-03-10", "2025-08-29",
        source="Before 2025-08-29, above de minimis: ordinary duty (rough 5 % estimate), gifts ≤ $100 free.",
    ),
    _rule(
        "us-postal-2025", "US", "us_postal", "standard_import",
        {"currency": "USD", "duty_rate": "10", "duty_by_origin": US_BY_ORIGIN, "vat_rate": "0",
         "gift_exempt_up_to": "100", "customs_value_includes_shipping": False},
        "2025-08-29", prepaid=True,
        source="Executive Order 14324 of 2025-07-30: de minimis suspended from 2025-08-29; postal parcels pay ad "
        "valorem duty at the IEEPA rate of the country of origin (rates here are estimates as researched); "
        "gifts ≤ $100 remain free; on delivery unless DDP. CUSTOMS.md.",
    ),
    _rule(
        "us-postal-specific-2025", "US", "us_postal", "postal_specific_duty",
        {"currency": "USD", "tiers": [
            {"rate_below": "16", "amount": "80"},
            {"rate_up_to": "25", "amount": "160"},
            {"amount": "200"},
        ]},
        "2025-08-29", "2026-03-01", prepaid=True,
        source="Executive Order 14324: for 6 months, postal shipments may pay a specific duty per postal item of "
        "$80 / $160 / $200 for IEEPA rates < 16 % / 16–25 % / > 25 %. CUSTOMS.md.",
    ),
    # Japan
    _rule(
        "jp-small-2019", "JP", "jp_small", "low_value",
        {"currency": "JPY", "threshold": "10000", "threshold_includes_shipping": True, "vat_rate": "0"},
        "2019-10-01", "2028-04-01",
        source="Japan Customs FAQ 1006 / 1001: total customs value (CIF) ≤ ¥10,000 per parcel — no duty, no "
        "consumption tax. Data set starts 2019-10-01 (10 % consumption tax). CUSTOMS.md.",
    ),
    _rule(
        "jp-small-2028", "JP", "jp_small_2028", "low_value",
        {"currency": "JPY", "threshold": "10000", "threshold_includes_shipping": True, "vat_rate": "10",
         "deemed_supplier": True},
        "2028-04-01", prepaid=True,
        source="FY2026 tax reform outline: cross-border mail-order goods ≤ ¥10,000 subject to consumption tax "
        "10 % from 2028-04-01, still duty free. CUSTOMS.md.",
    ),
    _rule(
        "jp-simplified-2019", "JP", "jp_simplified", "standard_import", JP_SIMPLIFIED, "2019-10-01",
        source="Above ¥10,000: simplified tariff (少額輸入貨物の簡易税率, up to ¥200,000) + consumption tax 10 % "
        "on CIF + duty, on delivery. CUSTOMS.md." + ESTIMATE,
    ),
    # Korea
    _rule(
        "kr-list-2016", "KR", "kr_list", "low_value",
        {"currency": "USD", "threshold": "150", "threshold_by_origin": {"US": "200"}, "vat_rate": "0",
         "capped_kinds": ["food", "supplements", "cosmetics", "luxury_cosmetics", "medicine"],
         "capped_threshold": "150"},
        "2016-01-01",
        source="Korea Customs list clearance (목록통관): duty and VAT free up to US$150 (US$200 from the US; food, "
        "supplements, cosmetics and medicine capped at US$150). Data set starts 2016-01-01. CUSTOMS.md.",
    ),
    _rule(
        "kr-import-2016", "KR", "kr_import", "standard_import", KR_DUTY, "2016-01-01",
        source="Above the list-clearance limit the whole value pays duty by HS code + 10 % VAT. CUSTOMS.md." + ESTIMATE,
    ),
    # Singapore
    _rule(
        "sg-lvg-2023", "SG", "sg_lvg", "low_value",
        {"currency": "SGD", "threshold": "400", "vat_rate": "8", "deemed_supplier": True,
         "import_relief_when_not_collected": True},
        "2023-01-01", "2024-01-01", prepaid=True,
        source="IRAS overseas vendor regime: GST on low-value goods ≤ S$400 by air or post at sale; 8 % in 2023.",
    ),
    _rule(
        "sg-lvg-2024", "SG", "sg_lvg", "low_value",
        {"currency": "SGD", "threshold": "400", "vat_rate": "9", "deemed_supplier": True,
         "import_relief_when_not_collected": True},
        "2024-01-01", prepaid=True,
        source="IRAS overseas vendor regime: GST 9 % at sale on low-value goods ≤ S$400 (from 2024-01-01); goods "
        "not taxed at sale keep the import relief. CUSTOMS.md.",
    ),
    _rule(
        "sg-import-2023", "SG", "sg_import", "standard_import",
        {"currency": "SGD", "duty_rate": "0", "vat_rate": "8"}, "2023-01-01", "2024-01-01",
        source="Above S$400: import GST 8 % at the border; no customs duty on most goods.",
    ),
    _rule(
        "sg-import-2024", "SG", "sg_import", "standard_import",
        {"currency": "SGD", "duty_rate": "0", "vat_rate": "9"}, "2024-01-01",
        source="Above S$400: import GST 9 % at the border; no customs duty on most goods.",
    ),
]  # fmt: skip


def _day(value):
    return date.fromisoformat(value) if value else None


def seed(apps, schema_editor):
    CustomsRule = apps.get_model("customs", "CustomsRule")
    existing = set(CustomsRule.objects.values_list("id", flat=True))
    CustomsRule.objects.bulk_create(
        [
            CustomsRule(**{**row, "valid_from": _day(row["valid_from"]), "valid_to": _day(row["valid_to"])})
            for row in RULES
            if row["id"] not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("customs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
