from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shiji.core.models import AuditEvent
from shiji.fx.models import FxRate
from shiji.fx.rate_files import MAX_FILE_BYTES
from shiji.fx.selectors import fx_customer_rate, fx_rate
from shiji.fx.services import fx_rate_set

pytestmark = pytest.mark.django_db

ECB_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" \
xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
"""
ECB_TAIL = """\t</Cube>
</gesmes:Envelope>
"""


def ecb_day(day, rates):
    cubes = "".join(f"\t\t\t<Cube currency='{currency}' rate='{rate}'/>\n" for currency, rate in rates.items())
    return f"\t\t<Cube time='{day}'>\n{cubes}\t\t</Cube>\n"


def ecb_xml(*days):
    return ECB_HEAD + "".join(ecb_day(day, rates) for day, rates in days) + ECB_TAIL


# 2024-05-02 as published, abridged: BGN, CZK and BRL are not traded on the platform.
DAILY = (
    "2024-05-02",
    {
        "USD": "1.0708",
        "JPY": "165.93",
        "BGN": "1.9558",
        "CZK": "25.048",
        "GBP": "0.85525",
        "KRW": "1470.42",
        "BRL": "5.5205",
        "CNY": "7.7528",
        "HKD": "8.3700",
        "SGD": "1.4556",
        "THB": "39.490",
    },
)
HISTORY = [
    ("2024-05-02", DAILY[1]),
    ("2024-04-30", {"USD": "1.0665", "JPY": "168.32", "BGN": "1.9558", "CNY": "7.7269"}),
    ("2024-04-29", {"USD": "1.0711", "JPY": "167.74", "BGN": "1.9558", "CNY": "7.7595"}),
]
TRADED_IN_DAILY = 8  # USD JPY GBP KRW CNY HKD SGD THB


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path, *args):
    out = StringIO()
    call_command("fximport", str(path), *args, stdout=out)
    return out.getvalue()


def counts():
    return FxRate.objects.count(), AuditEvent.objects.filter(action="fx.rate_set").count()


# --- CSV ----------------------------------------------------------------------------------------
def test_csv_happy_path_goes_through_the_audited_service(tmp_path):
    path = write(tmp_path, "rates.csv", "base,quote,rate\nUSD,JPY,150.25\nusd, cny ,7.2\n")
    before = timezone.now()
    output = run(path)
    assert "Imported 2 rate(s)" in output and "skipped 0" in output
    row = FxRate.objects.get(base="USD", quote="JPY")
    assert (row.rate, row.source, row.created_by) == ("150.25", "file:rates.csv", None)
    assert before <= row.as_of <= timezone.now()
    assert fx_rate(base="USD", quote="CNY").rate == Decimal("7.2")
    audit = AuditEvent.objects.filter(action="fx.rate_set")
    assert audit.count() == 2 and all(event.actor_id is None for event in audit)


def test_csv_as_of_is_honoured_and_the_newest_wins(tmp_path):
    path = write(
        tmp_path,
        "history.csv",
        "\ufeffbase,quote,rate,as_of,source\n"
        "USD,JPY,150,2024-05-01,\n"  # a date: 00:00 UTC
        "USD,JPY,151,2024-05-02T09:00:00+09:00,bank\n"  # 00:00 UTC on 2 May: the newest
        "USD,JPY,149,2024-04-30 12:00:00,\n"  # naive: UTC
        "\n",
    )
    output = run(path, "--source", "ops-sheet")
    assert "Imported 3 rate(s)" in output
    rate = fx_rate(base="USD", quote="JPY")
    assert (rate.rate, rate.source, rate.as_of) == (Decimal(151), "bank", datetime(2024, 5, 2, tzinfo=UTC))
    assert FxRate.objects.get(rate="150").as_of == datetime(2024, 5, 1, tzinfo=UTC)
    assert FxRate.objects.get(rate="149").as_of == datetime(2024, 4, 30, 12, tzinfo=UTC)
    assert FxRate.objects.get(rate="150").source == "ops-sheet"
    # an older as_of never replaces the rate in force
    fx_rate_set(actor=None, base="USD", quote="JPY", rate="155", source="desk")
    run(write(tmp_path, "old.csv", "base,quote,rate,as_of\nUSD,JPY,140,2024-01-02\n"))
    assert fx_rate(base="USD", quote="JPY").rate == Decimal(155)


def test_importing_the_same_csv_twice_records_nothing_new(tmp_path):
    path = write(tmp_path, "rates.csv", "base,quote,rate,as_of\nUSD,JPY,150,2024-05-01\nUSD,JPY,150,2024-05-01\n")
    assert "Imported 1 rate(s)" in run(path)
    again = run(path)
    assert "Imported 0 rate(s)" in again and "skipped 2: 2 already recorded" in again
    assert FxRate.objects.count() == 1
    # a later row that contradicts one already recorded is still caught
    conflict = write(
        tmp_path, "conflict.csv", "base,quote,rate,as_of\nUSD,JPY,150,2024-05-01\nUSD,JPY,152,2024-05-01\n"
    )
    with pytest.raises(CommandError, match=r"line 3: .* has another rate on line 2"):
        run(conflict)
    assert FxRate.objects.count() == 1


# Fixed (not now + 1 h): test ids must be the same in every pytest-xdist worker.
FUTURE = "2999-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("base,quote,rate\nUSD,JPY,150\nUSD,CNY,abc\n", ["line 3", "rate"]),
        ("base,quote,rate\nUSD,JPY,150\nUSD,CNY,-7\n", ["line 3", "rate"]),
        ("base,quote,rate\nUSD,JPY,150\nUSD,CNY,7.1234567890123\n", ["line 3", "rate"]),
        ("base,quote,rate\nUSD,JPY,150\nUSD,XAU,2000\n", ["line 3", "XAU"]),
        ("base,quote,rate\nUSD,JPY,150\nUSD,BRL,5.1\n", ["line 3", "BRL"]),
        ("base,quote,rate\nUSD,JPY,150\nUSD,USD,1\n", ["line 3", "quote"]),
        ("base,quote\nUSD,JPY\n", ["line 1", "missing column", "rate"]),
        ("base,quote,rate,asof\nUSD,JPY,150,2024-05-01\n", ["line 1", "unknown column", "asof"]),
        ("base,quote,rate\nUSD,JPY,150\n\nUSD,CNY\n", ["line 4", "2 field(s)"]),
        ("base,quote,rate\nUSD,JPY,150\nUSD,,7.2\n", ["line 3", "quote"]),
        (f"base,quote,rate,as_of\nUSD,JPY,150,2024-05-01\nUSD,CNY,7.2,{FUTURE}\n", ["line 3", "future"]),
        ("base,quote,rate,as_of\nUSD,JPY,150,2024-05-01\nUSD,CNY,7.2,May 2nd\n", ["line 3", "ISO 8601"]),
        ("base,quote,rate,as_of\nUSD,JPY,150,2024-05-01\nUSD,JPY,151,2024-05-01\n", ["line 3", "line 2"]),
        ("base,quote,rate,source\nUSD,JPY,150,ok\nUSD,CNY,7.2," + "s" * 65 + "\n", ["line 3", "source"]),
        ("base,quote,rate\n", ["no rates"]),
        ("", ["empty"]),
    ],
)
def test_a_bad_csv_row_names_the_line_and_writes_nothing(tmp_path, text, wanted):
    fx_rate_set(actor=None, base="USD", quote="KRW", rate="1350", source="before")
    before = counts()
    with pytest.raises(CommandError) as exc:
        run(write(tmp_path, "bad.csv", text))
    message = str(exc.value)
    assert all(part in message for part in wanted), message
    assert "nothing was imported" in message
    assert counts() == before


def test_a_file_that_is_not_utf8_or_too_big_is_refused(tmp_path):
    with pytest.raises(CommandError, match="UTF-8"):
        run(write(tmp_path, "latin.csv", "base,quote,rate\nUSD,JPY,150 ¥\n", encoding="latin-1"))
    big = tmp_path / "big.csv"
    big.write_bytes(b"base,quote,rate\n" + b"USD,JPY,150\n" * (MAX_FILE_BYTES // 12 + 1))
    with pytest.raises(CommandError, match="5 MB"):
        run(big)
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv")
    assert FxRate.objects.count() == 0


# --- ECB ----------------------------------------------------------------------------------------
def test_ecb_daily_file_imports_traded_currencies_and_counts_the_rest(tmp_path):
    output = run(write(tmp_path, "eurofxref-daily.xml", ecb_xml(DAILY)))
    assert f"Imported {TRADED_IN_DAILY} rate(s)" in output
    assert "skipped 3" in output and "BGN, BRL, CZK" in output
    rate = fx_rate(base="EUR", quote="USD")
    assert (rate.rate, rate.source) == (Decimal("1.0708"), "ECB")
    assert rate.as_of == datetime(2024, 5, 2, 14, tzinfo=UTC)  # 16:00 CEST (summer time)
    assert fx_rate(base="KRW", quote="EUR").rate == Decimal(1) / Decimal("1470.42")
    assert not FxRate.objects.filter(quote__in=["BGN", "BRL", "CZK"]).exists()
    # the same file again (a weekend, a retried cron job) records nothing new
    again = run(write(tmp_path, "eurofxref-daily.xml", ecb_xml(DAILY)))
    assert "Imported 0 rate(s)" in again and f"{TRADED_IN_DAILY} already recorded" in again
    assert FxRate.objects.count() == TRADED_IN_DAILY


def test_ecb_history_file_imports_every_day_and_the_newest_is_in_force(tmp_path):
    output = run(write(tmp_path, "eurofxref-hist-90d.xml", ecb_xml(*HISTORY)), "--source", "ECB-90d")
    assert f"Imported {TRADED_IN_DAILY + 3 + 3} rate(s)" in output and "skipped 5" in output
    assert fx_rate(base="EUR", quote="JPY").rate == Decimal("165.93")
    days = FxRate.objects.filter(base="EUR", quote="JPY").order_by("as_of").values_list("as_of", "rate", "source")
    assert list(days) == [
        (datetime(2024, 4, 29, 14, tzinfo=UTC), "167.74", "ECB-90d"),
        (datetime(2024, 4, 30, 14, tzinfo=UTC), "168.32", "ECB-90d"),
        (datetime(2024, 5, 2, 14, tzinfo=UTC), "165.93", "ECB-90d"),
    ]


def test_xml_is_recognised_without_the_extension_and_format_can_be_forced(tmp_path):
    path = write(tmp_path, "download", ecb_xml(DAILY))
    assert f"Imported {TRADED_IN_DAILY} rate(s)" in run(path)
    with pytest.raises(CommandError, match="line 1: unknown column"):
        run(write(tmp_path, "rates.xml", ecb_xml(DAILY)), "--format", "csv")
    assert "Imported 1 rate(s)" in run(write(tmp_path, "r.xml", "base,quote,rate\nUSD,JPY,150\n"), "--format", "csv")
    with pytest.raises(CommandError, match="XML"):
        run(write(tmp_path, "rates.csv", "base,quote,rate\nUSD,JPY,150\n"), "--format", "ecb")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01">
<Cube><Cube time="2024-05-02"><Cube currency="USD" rate="1.07"/><x>&lol3;</x></Cube></Cube>
</gesmes:Envelope>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_ecb_files_with_a_doctype_are_refused(tmp_path, encoding):
    text = BILLION_LAUGHS.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    with pytest.raises(CommandError, match="DOCTYPE"):
        run(write(tmp_path, "evil.xml", text, encoding=encoding), "--format", "ecb")
    external = ECB_HEAD.replace("<gesmes:Envelope", '<!DOCTYPE x SYSTEM "file:///etc/passwd">\n<gesmes:Envelope')
    with pytest.raises(CommandError, match="DOCTYPE"):
        run(write(tmp_path, "external.xml", external + ecb_day(*DAILY) + ECB_TAIL))
    assert FxRate.objects.count() == 0


@pytest.mark.parametrize(
    ("xml", "wanted"),
    [
        (ecb_xml(("2024-05-02", {"USD": "1.07", "JPY": "-165"})), "JPY on 2024-05-02"),
        (ecb_xml(("2024-05-02", {"USD": "1.07", "CNY": ""})), "CNY on 2024-05-02"),
        (ecb_xml(("2024-05-02", {"USD": "1.07"}), ("2024-13-01", {"USD": "1.07"})), "2024-13-01"),
        (ecb_xml(("2999-01-02", {"USD": "1.07"})), "future"),
        (ecb_xml(("2024-05-02", {"USD": "1.07"})).replace("</gesmes:Envelope>", ""), "well-formed"),
        ("<rates><rate/></rates>", "gesmes:Envelope"),
        (ECB_HEAD + ECB_TAIL, "Cube time"),
    ],
)
def test_a_bad_ecb_file_names_the_currency_or_date_and_writes_nothing(tmp_path, xml, wanted):
    with pytest.raises(CommandError) as exc:
        run(write(tmp_path, "eurofxref-daily.xml", xml))
    assert wanted in str(exc.value)
    assert counts() == (0, 0)


def test_ecb_needs_eur_to_be_traded(tmp_path, settings):
    settings.SHIJI_CURRENCIES = ["CNY", "JPY", "USD"]
    with pytest.raises(CommandError, match="EUR"):
        run(write(tmp_path, "eurofxref-daily.xml", ecb_xml(DAILY)))


def test_ecb_rates_cross_through_the_eur_pivot(tmp_path, settings):
    settings.SHIJI_FX_PIVOT = "EUR"
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    run(write(tmp_path, "eurofxref-daily.xml", ecb_xml(DAILY)))
    eur_cny = fx_rate(base="EUR", quote="CNY")
    assert (eur_cny.rate, eur_cny.source) == (Decimal("7.7528"), "ECB")
    cross = fx_rate(base="JPY", quote="CNY")
    assert cross.source == "cross:EUR"
    assert cross.rate == Decimal(1) / Decimal("165.93") * Decimal("7.7528")
    assert cross.as_of == datetime(2024, 5, 2, 14, tzinfo=UTC)
    customer = fx_customer_rate("JPY", "CNY")
    assert customer.mid == cross and customer.rate == cross.rate * Decimal("1.01")


def test_ecb_winter_rates_are_stamped_16_00_cet(tmp_path):
    """In winter the ECB's 16:00 is 15:00 UTC (in summer 14:00 UTC, as above)."""
    run(write(tmp_path, "winter.xml", ecb_xml(("2024-01-15", {"USD": "1.0950"}))))
    assert fx_rate(base="EUR", quote="USD").as_of == datetime(2024, 1, 15, 15, tzinfo=UTC)
