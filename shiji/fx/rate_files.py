"""Reading exchange-rate files for ``manage.py fximport``: CSV, and the ECB's euro reference rates.

Parsing only. Each rate becomes a ``RateRow`` labelled with where it came from ("line 3",
"USD on 2024-05-02"); ``shiji.fx.services.fx_rates_import`` validates and records the rows.
Problems are ``RateFileError`` with a message for the operator (plain English, CLI output).

CSV: a header row naming ``base,quote,rate`` and optionally ``as_of`` (ISO 8601 date or
date-time; a date means 00:00 UTC, a naive time is UTC) and ``source``; UTF-8.

ECB: ``eurofxref-daily.xml`` or ``eurofxref-hist-90d.xml`` (gesmes:Envelope / Cube /
Cube time="YYYY-MM-DD" / Cube currency="USD" rate="1.0543"), meaning 1 EUR = rate USD, published
at 16:00 Frankfurt time that day (15:00 UTC in winter, 14:00 UTC in summer). Currencies the
platform does not trade are skipped and counted.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET  # nosec B405  # DOCTYPE and ENTITY are refused before parsing
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from xml.parsers import expat
from zoneinfo import ZoneInfo

MAX_FILE_BYTES = 5 * 1024 * 1024
CSV_REQUIRED = ("base", "quote", "rate")
CSV_OPTIONAL = ("as_of", "source")
ECB_BASE = "EUR"
ECB_PUBLISHED_AT = time(16, 0)  # Frankfurt local time (CET in winter, CEST in summer)
ECB_ZONE = ZoneInfo("Europe/Berlin")
FORMATS = ("csv", "ecb")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class RateFileError(Exception):
    """The file cannot be imported; the message names the line, or the currency and date."""


@dataclass(frozen=True)
class RateRow:
    where: str  # "line 3" (CSV) or "USD on 2024-05-02" (ECB), for error messages
    base: str
    quote: str
    rate: str
    as_of: datetime | None  # aware UTC; None = now
    source: str


@dataclass
class RateFile:
    rows: list[RateRow] = field(default_factory=list)
    unsupported: Counter[str] = field(default_factory=Counter)  # currency → rates skipped

    @property
    def skipped(self) -> int:
        return sum(self.unsupported.values())


def read_rate_file(path: Path) -> bytes:
    """The file's bytes; refuses anything that is not a regular file or is over 5 MB."""
    if not path.is_file():
        raise RateFileError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise RateFileError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; refused")
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # grew while we looked
        raise RateFileError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; refused")
    return data


def guess_format(path: Path, data: bytes) -> str:
    """``ecb`` for XML (by extension or a leading ``<``), else ``csv``."""
    if path.suffix.lower() == ".xml":
        return "ecb"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "ecb" if head.startswith(b"<") else "csv"


# --- CSV -------------------------------------------------------------------------------------
def _csv_header(fields: list[str], line: int) -> list[str]:
    names = [name.strip().lower() for name in fields]
    expected = f"the header must name {', '.join(CSV_REQUIRED)} (optionally {', '.join(CSV_OPTIONAL)})"
    unknown = [name for name in names if name not in CSV_REQUIRED + CSV_OPTIONAL]
    if unknown:
        raise RateFileError(f"line {line}: unknown column(s) {', '.join(map(repr, unknown))}; {expected}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RateFileError(f"line {line}: column(s) {', '.join(repeated)} named twice")
    missing = [name for name in CSV_REQUIRED if name not in names]
    if missing:
        raise RateFileError(f"line {line}: missing column(s) {', '.join(missing)}; {expected}")
    return names


def _csv_as_of(raw: str, where: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise RateFileError(f"{where}: as_of {raw!r} is not an ISO 8601 date or date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_csv(data: bytes, *, source: str) -> RateFile:
    """Rows of a ``base,quote,rate[,as_of][,source]`` CSV; ``source`` is the default source."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RateFileError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    result = RateFile()
    try:
        for fields in reader:
            line = reader.line_num
            if not any(value.strip() for value in fields):
                continue  # blank line
            if header is None:
                header = _csv_header(fields, line)
                continue
            where = f"line {line}"
            if len(fields) != len(header):
                raise RateFileError(
                    f"{where}: {len(fields)} field(s) where the header has {len(header)} ({','.join(header)})"
                )
            values = {name: value.strip() for name, value in zip(header, fields, strict=True)}
            empty = [name for name in CSV_REQUIRED if not values[name]]
            if empty:
                raise RateFileError(f"{where}: no value for {', '.join(empty)}")
            result.rows.append(
                RateRow(
                    where=where,
                    base=values["base"].upper(),
                    quote=values["quote"].upper(),
                    rate=values["rate"],
                    as_of=_csv_as_of(values.get("as_of", ""), where),
                    source=values.get("source") or source,
                )
            )
    except csv.Error as exc:
        raise RateFileError(f"line {reader.line_num}: not valid CSV ({exc})") from None
    if header is None:
        raise RateFileError("the file is empty; expected a header row base,quote,rate")
    if not result.rows:
        raise RateFileError("no rates after the header row")
    return result


# --- ECB XML ---------------------------------------------------------------------------------
def _refuse(*args: Any) -> None:
    raise RateFileError("the XML has a DOCTYPE or ENTITY declaration; refused (ECB files have none)")


def _refuse_declarations(data: bytes) -> None:
    """No DTD at all, so no entity can be declared or expanded when ElementTree parses the file.

    A byte scan first; then an expat pass that stops at the first declaration in any encoding
    (the same guard as defusedxml, which is not installed).
    """
    if _DECLARATION.search(data):
        _refuse()
    scanner = expat.ParserCreate()
    scanner.StartDoctypeDeclHandler = _refuse
    scanner.EntityDeclHandler = _refuse
    scanner.UnparsedEntityDeclHandler = _refuse
    scanner.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    try:
        scanner.Parse(data, True)
    except expat.ExpatError as exc:
        raise RateFileError(f"not well-formed XML ({exc})") from None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def parse_ecb(data: bytes, *, source: str, currencies: list[str]) -> RateFile:
    """Rows ``1 EUR = rate X`` for every day in the file; currencies not in ``currencies`` are skipped."""
    if ECB_BASE not in currencies:
        raise RateFileError(f"{ECB_BASE} is not one of SHIJI_CURRENCIES, so ECB rates (1 EUR = rate X) cannot be used")
    _refuse_declarations(data)
    try:
        root = ET.fromstring(data)  # noqa: S314 - declarations refused above  # nosec B314
    except ET.ParseError as exc:
        raise RateFileError(f"not well-formed XML ({exc})") from None
    if _local(root.tag) != "Envelope":
        raise RateFileError(f"not an ECB reference-rate file: the root is <{_local(root.tag)}>, not gesmes:Envelope")
    days = [element for element in root.iter() if _local(element.tag) == "Cube" and "time" in element.attrib]
    if not days:
        raise RateFileError('not an ECB reference-rate file: no <Cube time="YYYY-MM-DD"> element')
    result = RateFile()
    for day in days:
        raw_day = day.attrib["time"].strip()
        try:
            published = date.fromisoformat(raw_day)
        except ValueError:
            raise RateFileError(f"Cube time={raw_day!r}: not a date (YYYY-MM-DD)") from None
        as_of = datetime.combine(published, ECB_PUBLISHED_AT, tzinfo=ECB_ZONE).astimezone(UTC)
        for cube in day:
            if _local(cube.tag) != "Cube":
                continue
            currency = cube.attrib.get("currency", "").strip().upper()
            rate = cube.attrib.get("rate", "").strip()
            where = f"{currency or '(no currency)'} on {published.isoformat()}"
            if not currency or not rate:
                raise RateFileError(f"{where}: a rate Cube needs both currency and rate attributes")
            if currency not in currencies:
                result.unsupported[currency] += 1
                continue
            if currency == ECB_BASE:
                raise RateFileError(f"{where}: a rate of EUR against itself")
            result.rows.append(
                RateRow(where=where, base=ECB_BASE, quote=currency, rate=rate, as_of=as_of, source=source)
            )
    if not result.rows and not result.unsupported:
        raise RateFileError("no rates in the file")
    return result
