"""Image bytes for tests: real encoders, real metadata, real bombs."""

from __future__ import annotations

import io

from PIL import Image


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel"  # Model
    gps = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (320, 240), mode: str = "RGBA") -> bytes:
    image = Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(size: tuple[int, int] = (200, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 160, 60)).save(out, "WEBP")
    return out.getvalue()


def png_bomb(side: int = 20000) -> bytes:
    """A tiny file that decodes to side×side pixels (400 MP by default)."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML_AS_JPEG = b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"
