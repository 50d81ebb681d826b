"""Shipping labels drawn with Pillow: a 4 × 6 inch PNG at 203 dpi (the thermal printers' size)
with both addresses, the tracking number under a barcode-like pattern, and the customs summary.

The pattern is derived from the tracking number's bits so each label looks distinct; it is not
a scannable symbology (the sandbox carrier's labels never travel). CJK addresses need a CJK font
on the machine (Noto CJK, WenQuanYi, Droid Sans Fallback…); without one those characters print
as boxes, while Latin text always renders.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 812, 1218  # 4 × 6 in at 203 dpi
MARGIN = 28
CONTENT_TYPE = "image/png"

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=16)
def _font(size: int) -> Font:
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            try:
                return ImageFont.truetype(candidate, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name).upper() if country is not None else code


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Break ``text`` to fit ``width`` pixels: at spaces for Latin text, anywhere for CJK."""
    lines: list[str] = []
    current = ""
    for char in text:
        candidate = current + char
        if current and draw.textlength(candidate, font=font) > width:
            cut = current.rfind(" ")
            if cut > 0 and char != " ":
                lines.append(current[:cut])
                current = current[cut + 1 :] + char
            else:
                lines.append(current.rstrip())
                current = char.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.strip())
    return lines


class _Canvas:
    def __init__(self) -> None:
        self.image = Image.new("L", (WIDTH, HEIGHT), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN

    def text(self, text: str, size: int, *, indent: int = 0, gap: int = 6) -> None:
        font = _font(size)
        for line in _wrap(self.draw, text, font, WIDTH - 2 * MARGIN - indent) or [""]:
            self.draw.text((MARGIN + indent, self.y), line, font=font, fill=0)
            self.y += size + gap

    def rule(self, thickness: int = 4) -> None:
        self.y += 8
        self.draw.rectangle((MARGIN, self.y, WIDTH - MARGIN, self.y + thickness), fill=0)
        self.y += thickness + 12

    def bars(self, payload: str, height: int) -> None:
        """A barcode-like pattern: guard bars, then one wide or narrow bar per bit of each character."""
        widths: list[tuple[int, bool]] = [(2, True), (2, False), (2, True), (4, False)]
        for char in payload:
            for bit in range(7, -1, -1):
                widths.append((5 if (ord(char) >> bit) & 1 else 2, True))
                widths.append((2, False))
        widths += [(2, True), (2, False), (2, True)]
        total = sum(w for w, _ in widths)
        scale = max(1.0, (WIDTH - 2 * MARGIN) / total)
        x = MARGIN + ((WIDTH - 2 * MARGIN) - total * scale) / 2
        for width, black in widths:
            if black:
                self.draw.rectangle((round(x), self.y, round(x + width * scale) - 1, self.y + height), fill=0)
            x += width * scale
        self.y += height + 10

    def centered(self, text: str, size: int) -> None:
        font = _font(size)
        width = self.draw.textlength(text, font=font)
        self.draw.text(((WIDTH - width) / 2, self.y), text, font=font, fill=0)
        self.y += size + 10

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


def _address_lines(address: Mapping[str, Any]) -> list[str]:
    city_line = " ".join(str(address.get(k) or "") for k in ("postal_code", "city", "region")).strip()
    lines = [str(address.get("name") or ""), str(address.get("line1") or ""), str(address.get("line2") or "")]
    lines += [city_line, str(address.get("phone") or "")]
    return [line for line in lines if line.strip()]


def render_label(
    *,
    tracking_number: str,
    carrier_name: str,
    service_name: str,
    ship_from: Mapping[str, Any],
    ship_to: Mapping[str, Any],
    declaration: Mapping[str, Any],
    chargeable_weight_g: int,
    created_at: datetime,
    sandbox: bool = True,
) -> bytes:
    """The label as PNG bytes."""
    canvas = _Canvas()
    canvas.text(carrier_name, 40, gap=4)
    canvas.text(service_name, 26)
    if sandbox:
        canvas.text("SANDBOX - NOT FOR REAL SHIPMENT", 20)
    canvas.rule()
    canvas.text("FROM", 18, gap=2)
    for line in _address_lines(ship_from):
        canvas.text(line, 22, indent=12, gap=3)
    canvas.text(_country_name(str(ship_from.get("country", ""))), 22, indent=12)
    canvas.rule(2)
    canvas.text("TO", 18, gap=2)
    for line in _address_lines(ship_to):
        canvas.text(line, 32, indent=12, gap=4)
    destination = str(ship_to.get("country", ""))
    canvas.text(f"{destination}  {_country_name(destination)}", 48, indent=12)
    canvas.rule()
    canvas.bars(tracking_number, 150)
    canvas.centered(tracking_number, 46)
    canvas.rule()
    value = declaration.get("total_value") or {}
    canvas.text("CUSTOMS DECLARATION" + (" - GIFT" if declaration.get("gift") else " - SALE OF GOODS"), 20)
    canvas.text(f"Contents: {declaration.get('contents', '')}", 20, indent=12, gap=3)
    canvas.text(
        f"HS {declaration.get('hs_code', '')}   Qty {declaration.get('quantity', '')}   "
        f"Value {value.get('amount', '')} {value.get('currency', '')}   "
        f"Origin {declaration.get('origin_country', '')}",
        20,
        indent=12,
        gap=3,
    )
    canvas.text(
        f"Weight {chargeable_weight_g / 1000:.1f} kg   Date {created_at:%Y-%m-%d}",
        20,
        indent=12,
    )
    return canvas.png()
