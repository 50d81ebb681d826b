"""The one image pipeline for every upload (identity documents now; listing photos, dispute
evidence and avatars later): type and size checks, decompression-bomb refusal, re-encoding
without metadata (EXIF, GPS, comments), and resized variants.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shiji.core.errors import InvalidInput

OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
ALLOWED_FORMATS = (*OPEN_FORMATS, "MPO")  # MPO: multi-picture JPEG from phone cameras
OUTPUT_FORMAT = "JPEG"
OUTPUT_CONTENT_TYPE = "image/jpeg"


class ImageRejected(InvalidInput):
    code = "invalid"


@dataclass(frozen=True)
class CleanImage:
    """Re-encoded JPEG bytes, free of metadata."""

    content: bytes
    width: int
    height: int
    content_type: str = OUTPUT_CONTENT_TYPE
    extension: str = "jpg"


def _reject(message: str, field: str) -> ImageRejected:
    return ImageRejected(message, fields={field: [message]})


def image_clean(
    source: IO[bytes] | bytes,
    *,
    field: str = "image",
    max_side: int = 3000,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> CleanImage:
    """Validate an uploaded image and return it re-encoded, at most ``max_side`` pixels wide/high.

    Refuses anything that is not a JPEG, PNG or WebP (SVG, PDF, HTML pretending to be an image),
    files over ``max_bytes``, and images over ``max_pixels`` before decoding their pixels.
    """
    max_bytes = max_bytes or settings.SHIJI_IMAGE_MAX_BYTES
    max_pixels = max_pixels or settings.SHIJI_IMAGE_MAX_PIXELS
    data = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _reject(_("The image is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}, field)
    if not data:
        raise _reject(_("The file is empty."), field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(OPEN_FORMATS))
            if image.format not in ALLOWED_FORMATS:
                raise _reject(_("Only JPEG, PNG or WebP images are accepted."), field)
            if image.width * image.height > max_pixels:
                raise _reject(_("The image has too many pixels."), field)
            image.seek(0)
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject(_("The image has too many pixels."), field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _reject(_("Only JPEG, PNG or WebP images are accepted."), field) from exc
    return _encode(image, max_side=max_side)


def image_variant(clean: CleanImage, *, max_side: int) -> CleanImage:
    """A smaller copy (thumbnail, display size) of an already clean image."""
    image = Image.open(io.BytesIO(clean.content))
    image.load()
    return _encode(image, max_side=max_side)


def _encode(image: Image.Image, *, max_side: int) -> CleanImage:
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Rebuild from raw pixels so no metadata chunk (EXIF, GPS, XMP, ICC, comments) survives.
    pixels = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    pixels.save(out, OUTPUT_FORMAT, quality=85, optimize=True, progressive=True)
    return CleanImage(content=out.getvalue(), width=pixels.width, height=pixels.height)
