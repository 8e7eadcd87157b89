"""core.images.process_image: every refused kind of file, and what comes out of the good ones.

Each test makes its image with Pillow. The limits are those of the settings (5 MiB,
25 million pixels) unless a test says otherwise.
"""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from core.images import process_image
from tests.factories import black_and_white_png, image_bytes

AVATAR = {"sizes": {"avatar": (400, 400), "thumb": (96, 96)}, "fit": "cover", "keep_alpha": False}
LOGO = {"sizes": {"logo": (400, 200)}, "fit": "contain", "keep_alpha": True}
LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 25_000_000}

NOT_AN_IMAGE = (
    "Ce fichier n'est pas une image PNG, JPEG ou WebP. Le contenu du fichier est vérifié, "
    "pas son nom : un PDF, un SVG ou un GIF renommé est refusé."
)
TOO_MANY_PIXELS = (
    "Cette image est trop grande : 25 millions de pixels au plus (par exemple 5000 × 5000). "
    "Réduisez-la avant de l'envoyer."
)
BROKEN = (
    "Cette image est incomplète ou abîmée et ne peut pas être lue. "
    "Enregistrez-la à nouveau depuis votre logiciel, puis renvoyez-la."
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">'
    b'<rect width="400" height="400" fill="red"/></svg>'
)


def upload(data: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def opened(file) -> Image.Image:
    file.seek(0)
    image = Image.open(BytesIO(file.read()))
    image.load()
    return image


def refusal(data: bytes, name: str = "photo.png", **overrides) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        process_image(upload(data, name), **{**AVATAR, **LIMITS, **overrides})
    return caught.value


def truncated(image_format: str) -> bytes:
    noise = Image.effect_noise((300, 300), 60).convert("RGB")
    out = BytesIO()
    noise.save(out, image_format)
    data = out.getvalue()
    return data[: len(data) // 2]


def test_process_image_refuses_a_pdf_renamed_png():
    error = refusal(PDF, "photo.png")

    assert error.messages == [NOT_AN_IMAGE]
    assert error.code == "not_an_image"


def test_process_image_refuses_an_svg():
    error = refusal(SVG, "logo.svg")

    assert error.messages == [NOT_AN_IMAGE]


def test_process_image_refuses_a_gif_renamed_jpeg():
    error = refusal(image_bytes("GIF", (50, 50)), "photo.jpg")

    assert error.messages == [NOT_AN_IMAGE]


def test_process_image_refuses_a_decompression_bomb():
    # 12000 × 12000 black pixels in 1 bit: a 17 KB file for 144 million pixels.
    bomb = black_and_white_png(12000, 12000)
    assert len(bomb) < 50_000

    error = refusal(bomb)

    assert error.messages == [TOO_MANY_PIXELS]
    assert error.code == "too_many_pixels"


def test_process_image_turns_pillows_bomb_warning_into_the_message():
    # With a very high limit of our own, Pillow's guard (MAX_IMAGE_PIXELS, a warning
    # between 1x and 2x its limit) is what stops the bomb: it must not only warn.
    bomb = black_and_white_png(12000, 12000)

    error = refusal(bomb, max_pixels=10**9)

    assert error.messages == [
        "Cette image est trop grande : 89 millions de pixels au plus (par exemple 9459 × 9459). "
        "Réduisez-la avant de l'envoyer."
    ]


def test_process_image_refuses_a_20000_by_20000_image():
    error = refusal(black_and_white_png(20000, 20000))

    assert error.messages == [TOO_MANY_PIXELS]


def test_process_image_refuses_more_pixels_than_the_limit_from_the_header():
    # 6000 × 5000 = 30 million pixels: under Pillow's guard, over ours.
    error = refusal(black_and_white_png(6000, 5000))

    assert error.messages == [TOO_MANY_PIXELS]


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_process_image_refuses_a_truncated_file(image_format):
    error = refusal(truncated(image_format))

    assert error.messages == [BROKEN]
    assert error.code == "broken_image"


def test_process_image_refuses_a_file_over_the_byte_limit():
    data = image_bytes("PNG", (100, 100))
    assert len(data) > 200

    error = refusal(data, max_bytes=200)

    assert error.messages == [
        f"Ce fichier pèse {len(data)}\N{NO-BREAK SPACE}octets : "
        "le maximum est 200\N{NO-BREAK SPACE}octets."
    ]
    assert error.code == "too_many_bytes"


def test_process_image_makes_a_png_into_square_webp_avatars():
    files = process_image(upload(image_bytes("PNG", (800, 600))), **AVATAR, **LIMITS)

    assert set(files) == {"avatar", "thumb"}
    avatar, thumb = opened(files["avatar"]), opened(files["thumb"])
    assert (avatar.format, avatar.size, avatar.mode) == ("WEBP", (400, 400), "RGB")
    assert (thumb.format, thumb.size) == ("WEBP", (96, 96))
    assert files["avatar"].name.endswith("_400x400.webp")
    assert files["thumb"].name.endswith("_96x96.webp")


def _photo_with_gps() -> bytes:
    """A 300 × 200 JPEG that the camera says must be turned a quarter (orientation 6)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCorp"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 46.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (3.0, 5.0, 0.0),
    }
    data = image_bytes("JPEG", (300, 200), exif=exif)
    assert Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # arranged right
    return data


def test_process_image_drops_exif_and_gps_from_a_jpeg():
    files = process_image(upload(_photo_with_gps(), "photo.jpg"), **AVATAR, **LIMITS)

    for file in files.values():
        image = opened(file)
        assert dict(image.getexif()) == {}
        assert {"exif", "xmp", "icc_profile"}.isdisjoint(image.info)
    assert opened(files["avatar"]).size == (400, 400)


def test_process_image_turns_a_photo_upright_from_its_exif_orientation():
    files = process_image(
        upload(_photo_with_gps(), "photo.jpg"),
        sizes={"big": (1000, 1000)},
        fit="contain",
        keep_alpha=False,
        **LIMITS,
    )

    assert opened(files["big"]).size == (200, 300)  # was 300 × 200, turned a quarter


def test_process_image_keeps_the_transparency_of_a_webp_logo():
    # A wide logo: transparent background (alpha 0), made with Pillow in WebP.
    data = image_bytes("WEBP", (800, 400), mode="RGBA", color=(0, 0, 0, 0), lossless=True)

    files = process_image(upload(data, "logo.webp"), **LOGO, **LIMITS)

    logo = opened(files["logo"])
    assert (logo.format, logo.size, logo.mode) == ("WEBP", (400, 200), "RGBA")
    assert logo.getpixel((10, 10))[3] == 0


def test_process_image_keeps_the_transparency_of_a_palette_png_logo():
    image = Image.new("P", (300, 300), 0)
    image.putpalette([255, 255, 255, 200, 0, 0])
    out = BytesIO()
    image.save(out, "PNG", transparency=0)

    files = process_image(upload(out.getvalue(), "logo.png"), **LOGO, **LIMITS)

    logo = opened(files["logo"])
    assert (logo.size, logo.mode) == ((200, 200), "RGBA")
    assert logo.getpixel((5, 5))[3] == 0


def test_process_image_never_enlarges_a_small_logo():
    files = process_image(upload(image_bytes("PNG", (120, 30))), **LOGO, **LIMITS)

    logo = opened(files["logo"])
    assert (logo.size, logo.mode) == ((120, 30), "RGB")


def test_process_image_puts_a_transparent_avatar_on_white():
    data = image_bytes("PNG", (200, 200), mode="RGBA", color=(0, 0, 0, 0))

    files = process_image(upload(data), **AVATAR, **LIMITS)

    avatar = opened(files["avatar"])
    assert avatar.mode == "RGB"
    assert avatar.getpixel((200, 200)) == (255, 255, 255)
