"""The built-in carrier services (PRODUCT.md §6, issue 5): postal small packet, EMS, an express
courier with DDP, SF International-style and Yamato-style services, from JP (prices in JPY) and
from CN (prices in CNY). All are operated by the built-in sandbox carrier adapter.

Data, editable in the admin afterwards. Re-running is harmless: carriers and services are
found by code, and a service that already exists keeps the zones and prices the operator gave it.
Prices are plausible, not any carrier's published tariff.
"""

from django.db import migrations

from shiji.core.ids import new_id

EU = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]  # fmt: skip
EUROPE = [*EU, "GB"]

CARRIERS = [
    ("sandbox-post", "Sandbox Post"),
    ("sandbox-express", "Sandbox Express"),
    ("sandbox-sf", "Sandbox SF"),
    ("sandbox-yamato", "Sandbox Yamato"),
]

SMALL_PACKET = ("国际小包（可追踪）", "国際小形包装物（追跡付き）", "Postal small packet (tracked)")
EMS = ("国际特快专递 EMS", "EMS（国際スピード郵便）", "EMS")
EXPRESS = ("国际快递（包税 DDP）", "国際エクスプレス（関税込み・DDP）", "Express courier (duties paid, DDP)")
SF = ("国际标快（顺丰式）", "国際スタンダード便（SF式）", "SF International-style Standard")
YAMATO = ("国际宅急便（大和式）", "国際宅急便（ヤマト式）", "Yamato-style International Parcel")

# A zone: (origin, code, countries, first price, price per further unit, unit in g, days min, max)
# where the price of w grams is first + further × (ceil(w / unit) − 1), in minor units.
# days None: the service's own transit days.
SERVICES = [
    # ---- from Japan, in yen -------------------------------------------------------------
    {
        "code": "jp-post-small-packet", "carrier": "sandbox-post", "names": SMALL_PACKET, "currency": "JPY",
        "divisor": 6000, "step": 100, "max_g": 2000, "max_len": 60, "size_rule": "sum", "max_size": 90,
        "days": (7, 14), "tracked": True, "ddp": False,
        "zones": [
            ("JP", "asia", ["CN", "HK", "TW", "KR", "SG"], 700, 120, 100, None, None),
            ("JP", "europe", EUROPE, 1000, 200, 100, 8, 18),
            ("JP", "us", ["US"], 1300, 250, 100, 8, 20),
        ],
    },
    {
        "code": "jp-ems", "carrier": "sandbox-post", "names": EMS, "currency": "JPY",
        "divisor": 6000, "step": 500, "max_g": 30000, "max_len": 150, "size_rule": "girth", "max_size": 300,
        "days": (2, 6), "tracked": True, "ddp": False,
        "zones": [
            ("JP", "zone-1", ["CN", "KR", "TW"], 1450, 350, 500, 2, 4),
            ("JP", "zone-2", ["HK", "SG"], 1900, 400, 500, 2, 4),
            ("JP", "zone-3", EUROPE, 3150, 650, 500, 3, 7),
            ("JP", "zone-4", ["US"], 3900, 800, 500, 3, 8),
        ],
    },
    {
        "code": "jp-express-ddp", "carrier": "sandbox-express", "names": EXPRESS, "currency": "JPY",
        "divisor": 5000, "step": 500, "max_g": 70000, "max_len": 120, "size_rule": "girth", "max_size": 300,
        "days": (1, 4), "tracked": True, "ddp": True,
        "zones": [
            ("JP", "asia", ["CN", "HK", "TW", "KR", "SG"], 4200, 700, 500, 1, 3),
            ("JP", "europe", EUROPE, 6500, 1100, 500, 2, 4),
            ("JP", "us", ["US"], 6900, 1200, 500, 2, 4),
        ],
    },
    {
        "code": "jp-sf-international", "carrier": "sandbox-sf", "names": SF, "currency": "JPY",
        "divisor": 6000, "step": 500, "max_g": 30000, "max_len": 120, "size_rule": "sum", "max_size": 250,
        "days": (2, 5), "tracked": True, "ddp": False,
        "zones": [
            ("JP", "greater-china", ["CN", "HK", "TW"], 2400, 500, 500, 2, 4),
            ("JP", "asia", ["KR", "SG"], 2900, 600, 500, 3, 6),
        ],
    },
    {
        "code": "jp-yamato-international", "carrier": "sandbox-yamato", "names": YAMATO, "currency": "JPY",
        "divisor": 6000, "step": 500, "max_g": 25000, "max_len": 100, "size_rule": "sum", "max_size": 160,
        "days": (2, 5), "tracked": True, "ddp": False,
        "zones": [
            ("JP", "asia", ["CN", "HK", "TW", "KR"], 2000, 450, 500, None, None),
            ("JP", "sg", ["SG"], 2600, 550, 500, 3, 6),
            ("JP", "us", ["US"], 3800, 900, 500, 4, 7),
        ],
    },
    # ---- from China, in yuan (minor units: fen) -------------------------------------------
    {
        "code": "cn-post-small-packet", "carrier": "sandbox-post", "names": SMALL_PACKET, "currency": "CNY",
        "divisor": 6000, "step": 100, "max_g": 2000, "max_len": 60, "size_rule": "sum", "max_size": 90,
        "days": (7, 15), "tracked": True, "ddp": False,
        "zones": [
            ("CN", "east-asia", ["JP", "KR"], 2500, 600, 100, None, None),
            ("CN", "greater-china", ["HK", "TW"], 2000, 450, 100, 5, 10),
            ("CN", "sg", ["SG"], 2800, 650, 100, None, None),
            ("CN", "us", ["US"], 3500, 1100, 100, 10, 20),
        ],
    },
    {
        "code": "cn-ems", "carrier": "sandbox-post", "names": EMS, "currency": "CNY",
        "divisor": 6000, "step": 500, "max_g": 30000, "max_len": 150, "size_rule": "girth", "max_size": 300,
        "days": (3, 7), "tracked": True, "ddp": False,
        "zones": [
            ("CN", "east-asia", ["JP", "KR"], 11500, 3000, 500, None, None),
            ("CN", "greater-china", ["HK", "TW"], 9000, 2500, 500, 2, 5),
            ("CN", "sg", ["SG"], 13000, 3500, 500, None, None),
            ("CN", "us", ["US"], 24000, 7500, 500, 4, 9),
        ],
    },
    {
        "code": "cn-express-ddp", "carrier": "sandbox-express", "names": EXPRESS, "currency": "CNY",
        "divisor": 5000, "step": 500, "max_g": 70000, "max_len": 120, "size_rule": "girth", "max_size": 300,
        "days": (2, 4), "tracked": True, "ddp": True,
        "zones": [
            ("CN", "asia", ["JP", "KR", "HK", "TW"], 18000, 4000, 500, None, None),
            ("CN", "sg", ["SG"], 20000, 4500, 500, None, None),
            ("CN", "us", ["US"], 32000, 8500, 500, 3, 5),
        ],
    },
    {
        "code": "cn-sf-international", "carrier": "sandbox-sf", "names": SF, "currency": "CNY",
        "divisor": 6000, "step": 500, "max_g": 30000, "max_len": 120, "size_rule": "sum", "max_size": 250,
        "days": (2, 5), "tracked": True, "ddp": False,
        "zones": [
            ("CN", "greater-china", ["HK", "TW"], 6000, 1800, 500, 1, 3),
            ("CN", "asia", ["JP", "KR", "SG"], 12000, 3000, 500, None, None),
            ("CN", "us", ["US"], 22000, 6000, 500, 4, 7),
        ],
    },
]  # fmt: skip


def bracket_weights(step, max_g):
    """Every step up to 10 kg, then every kg up to 20 kg, then every 5 kg up to the maximum."""
    weights, w = [], step
    while w <= max_g:
        weights.append(w)
        w += step if w < 10000 else (1000 if w < 20000 else 5000)
    if weights[-1] != max_g:
        weights.append(max_g)
    return weights


def price(weight, first, further, unit):
    return first + further * (-(-weight // unit) - 1)


def seed(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    CarrierService = apps.get_model("shipping", "CarrierService")
    ShippingZone = apps.get_model("shipping", "ShippingZone")
    ZoneCountry = apps.get_model("shipping", "ZoneCountry")
    RateBracket = apps.get_model("shipping", "RateBracket")
    carriers = {}
    for code, name in CARRIERS:
        carriers[code], _ = Carrier.objects.get_or_create(
            code=code, defaults={"id": new_id("car"), "name": name, "adapter": "sandbox"}
        )
    for position, spec in enumerate(SERVICES):
        zh, ja, en = spec["names"]
        service, created = CarrierService.objects.get_or_create(
            code=spec["code"],
            defaults={
                "id": new_id("csv"),
                "carrier": carriers[spec["carrier"]],
                "name_zh_hans": zh,
                "name_ja": ja,
                "name_en": en,
                "currency": spec["currency"],
                "volumetric_divisor": spec["divisor"],
                "rounding_step_g": spec["step"],
                "max_weight_g": spec["max_g"],
                "max_length_cm": spec["max_len"],
                "size_rule": spec["size_rule"],
                "max_size_cm": spec["max_size"],
                "transit_days_min": spec["days"][0],
                "transit_days_max": spec["days"][1],
                "tracked": spec["tracked"],
                "ddp": spec["ddp"],
                "position": position,
            },
        )
        if not created:
            continue  # once seeded, the operator's rate tables are theirs
        for origin, code, countries, first, further, unit, days_min, days_max in spec["zones"]:
            zone = ShippingZone.objects.create(
                id=new_id("zon"),
                service=service,
                origin_country=origin,
                code=code,
                name=code.replace("-", " ").title(),
                transit_days_min=days_min,
                transit_days_max=days_max,
            )
            ZoneCountry.objects.bulk_create([ZoneCountry(zone=zone, country=c) for c in countries])
            RateBracket.objects.bulk_create(
                [
                    RateBracket(zone=zone, max_weight_g=w, price_minor=price(w, first, further, unit))
                    for w in bracket_weights(spec["step"], spec["max_g"])
                ]
            )


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
