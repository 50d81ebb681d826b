import io

import pytest
from PIL import Image

from shiji.core.images import ImageRejected, image_clean, image_variant
from shiji.core.tests import images


def test_jpeg_is_reencoded_without_exif_or_gps():
    source = images.jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get(0x8825)  # the fixture really has GPS
    clean = image_clean(source)
    result = Image.open(io.BytesIO(clean.content))
    assert result.format == "JPEG"
    assert len(result.getexif()) == 0
    assert b"PhoneMaker" not in clean.content
    assert "exif" not in result.info


def test_png_with_alpha_and_webp_are_accepted_and_become_jpeg():
    for data in (images.png(), images.webp()):
        clean = image_clean(data)
        assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_large_images_are_scaled_down_and_variants_are_smaller():
    clean = image_clean(images.png((4000, 1000), mode="RGB"), max_side=2000)
    assert (clean.width, clean.height) == (2000, 500)
    thumb = image_variant(clean, max_side=320)
    assert max(thumb.width, thumb.height) == 320


@pytest.mark.parametrize("data", [images.SVG, images.HTML_AS_JPEG, b"plain text", b"%PDF-1.4\n", b""])
def test_non_images_are_refused(data):
    with pytest.raises(ImageRejected) as exc:
        image_clean(data, field="document_image")
    assert exc.value.status == 422
    assert "document_image" in exc.value.fields


def test_decompression_bomb_is_refused_before_decoding():
    bomb = images.png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected):
        image_clean(bomb)


def test_pixel_cap_is_a_setting(settings):
    settings.SHIJI_IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ImageRejected):
        image_clean(images.png((101, 100), mode="RGB"))
    assert image_clean(images.png((100, 100), mode="RGB")).width == 100


def test_byte_cap_is_enforced(settings):
    settings.SHIJI_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ImageRejected):
        image_clean(images.jpeg_with_gps((800, 800)))
