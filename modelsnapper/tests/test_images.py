import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from modelsnapper.images import ACCEPT, ImageUploadField, format_bytes, validate_image_upload

EXIF_MAKE = 0x010F
EXIF_ORIENTATION = 0x0112


def image_bytes(fmt: str, *, size=(40, 30), mode="RGB", color=(200, 30, 30), **save_options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save_options)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def pixel_bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few dozen bytes whose header claims a gigantic RGB image (valid CRCs)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "mode", "color", "ext", "content_type"),
    [
        ("JPEG", "RGB", (200, 30, 30), "jpg", "image/jpeg"),
        ("PNG", "RGBA", (10, 200, 30, 128), "png", "image/png"),
        ("GIF", "P", 3, "gif", "image/gif"),
        ("WEBP", "RGBA", (10, 20, 200, 200), "webp", "image/webp"),
    ],
)
def test_each_allowed_format_is_accepted_and_reencoded(fmt, mode, color, ext, content_type):
    original = image_bytes(fmt, mode=mode, color=color)

    result = validate_image_upload(upload(original, name="whatever.bin"))

    assert result.name.endswith(f".{ext}")
    assert len(result.name) == 32 + 1 + len(ext)  # <uuid hex>.<ext>, nothing from the upload
    assert result.content_type == content_type
    cleaned = Image.open(io.BytesIO(result.read()))
    assert cleaned.format == fmt
    assert cleaned.size == (40, 30)


def test_png_and_webp_keep_their_transparency():
    for fmt in ("PNG", "WEBP"):
        result = validate_image_upload(upload(image_bytes(fmt, mode="RGBA", color=(1, 2, 3, 0))))
        cleaned = Image.open(io.BytesIO(result.read()))
        assert cleaned.mode == "RGBA"
        assert cleaned.getpixel((0, 0))[3] == 0


def test_exif_is_removed_from_a_jpeg():
    exif = Image.Exif()
    exif[EXIF_MAKE] = "SpyCam 3000"
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif()[EXIF_MAKE] == "SpyCam 3000"

    result = validate_image_upload(upload(original))

    cleaned = Image.open(io.BytesIO(result.read()))
    assert "exif" not in cleaned.info
    assert dict(cleaned.getexif()) == {}


def test_exif_orientation_is_applied_before_it_is_stripped():
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # "rotate 90° clockwise to display"
    original = image_bytes("JPEG", size=(40, 30), exif=exif.tobytes())

    result = validate_image_upload(upload(original))

    cleaned = Image.open(io.BytesIO(result.read()))
    assert cleaned.size == (30, 40)
    assert EXIF_ORIENTATION not in cleaned.getexif()


def test_a_text_file_named_png_is_rejected():
    with pytest.raises(ValidationError) as caught:
        validate_image_upload(upload(b"definitely not a picture\n" * 10, name="cat.png"))

    assert caught.value.messages == ["Upload a JPG, PNG, GIF or WEBP image."]


def test_an_image_of_another_format_is_rejected_even_if_valid():
    with pytest.raises(ValidationError) as caught:
        validate_image_upload(upload(image_bytes("BMP"), name="cat.jpg"))

    assert caught.value.messages == ["Upload a JPG, PNG, GIF or WEBP image."]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_rejected(fmt):
    whole = image_bytes(fmt, size=(300, 200), mode="RGB", color=(12, 34, 56))
    cut = whole[: len(whole) // 2]

    with pytest.raises(ValidationError) as caught:
        validate_image_upload(upload(cut))

    assert caught.value.messages == ["This file is not a valid image."]


def test_a_pixel_bomb_is_rejected_from_its_header():
    bomb = pixel_bomb_png()
    assert len(bomb) < 200

    with pytest.raises(ValidationError) as caught:
        validate_image_upload(upload(bomb, name="tiny.png"))

    assert caught.value.messages == ["This image is 100,000 × 100,000 pixels; the limit is 40 megapixels."]


def test_pillows_own_bomb_guard_counts_as_a_rejection_when_the_cap_is_raised():
    bomb = pixel_bomb_png(20_000, 20_000)  # 400 MP: over Pillow's ~179 MP hard limit

    with pytest.raises(ValidationError) as caught:
        validate_image_upload(upload(bomb), max_pixels=10**12)

    assert "too large" in caught.value.messages[0]


def test_the_byte_cap_is_enforced_before_reading():
    data = image_bytes("PNG", size=(64, 64))

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    with pytest.raises(ValidationError) as caught:
        validate_image_upload(Unreadable(data), max_bytes=100)

    assert caught.value.messages == [f"This image is {format_bytes(len(data))}; the limit is 100 bytes."]


def test_byte_sizes_read_like_a_person_wrote_them():
    assert format_bytes(int(63.2 * 1024 * 1024)) == "63.2 MB"
    assert format_bytes(50 * 1024 * 1024) == "50 MB"


def test_image_upload_field_cleans_to_the_reencoded_file():
    field = ImageUploadField(required=False)
    assert field.widget.attrs["accept"] == ACCEPT == "image/jpeg,image/png,image/gif,image/webp"

    cleaned = field.clean(upload(image_bytes("PNG"), name="x.png"))
    assert cleaned.content_type == "image/png"

    with pytest.raises(ValidationError):
        field.clean(upload(b"GIF89a nope", name="x.gif"))
    assert field.clean(None) is None


def test_an_animated_gif_keeps_only_its_first_frame():
    frames = [Image.new("RGB", (20, 20), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(out.getvalue())).n_frames == 3

    result = validate_image_upload(upload(out.getvalue(), name="anim.gif"))

    cleaned = Image.open(io.BytesIO(result.read()))
    assert cleaned.format == "GIF"
    assert getattr(cleaned, "n_frames", 1) == 1


def test_a_cmyk_jpeg_is_converted_to_rgb():
    result = validate_image_upload(upload(image_bytes("JPEG", mode="CMYK", color=(0, 255, 255, 0))))

    assert Image.open(io.BytesIO(result.read())).mode == "RGB"


def test_an_empty_file_is_not_an_image():
    with pytest.raises(ValidationError) as caught:
        validate_image_upload(io.BytesIO(b""))

    assert caught.value.messages == ["This file is not a valid image."]
