"""Writes the seed corpora under fuzz/corpus/: a few small valid inputs per target.

Run from the repository root with Pillow installed (`pip install pillow`); the output is
committed, so CI never runs this. Deterministic: the same files every time.
"""

import io
from pathlib import Path

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

CORPUS = Path("fuzz/corpus")
BOUNDARY = b"smartcityfuzzboundary"  # fuzz_targets/complaint_form.rs


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def gradient(mode, width, height):
    image = Image.new("RGBA", (width, height))
    image.putdata(
        [(x * 255 // width, y * 255 // height, (x + y) % 256, 255 if x % 3 else 0)
         for y in range(height) for x in range(width)]
    )
    return image.convert(mode)


def encoded(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def exif_with_orientation_and_gps():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the stored image is on its side
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", tuple(IFDRational(*r) for r in [(16, 1), (3, 1), (4512, 100)])  # Đà Nẵng
    gps[3], gps[4] = "E", tuple(IFDRational(*r) for r in [(108, 1), (13, 1), (1234, 100)])
    return exif


def photos():
    rgb = gradient("RGB", 24, 16)
    write("photo", "exif_rotated_gps.jpg",
          encoded(rgb, "JPEG", quality=70, exif=exif_with_orientation_and_gps()))
    write("photo", "progressive_gray.jpg",
          encoded(gradient("L", 16, 16), "JPEG", quality=60, progressive=True))
    write("photo", "subsampled_420.jpg", encoded(rgb, "JPEG", quality=50, subsampling=2))
    write("photo", "rgba.png", encoded(gradient("RGBA", 12, 8), "PNG"))
    write("photo", "palette.png", encoded(gradient("P", 12, 8), "PNG"))
    write("photo", "gray16.png", encoded(gradient("I;16", 8, 8), "PNG"))
    # Wider than the display size: resized twice. Flat, so it stays tiny.
    write("photo", "wide_flat.png", encoded(Image.new("RGB", (2400, 10), (30, 120, 60)), "PNG"))
    write("photo", "lossy.webp", encoded(rgb, "WEBP", quality=50))
    write("photo", "lossless_alpha.webp", encoded(gradient("RGBA", 12, 8), "WEBP", lossless=True))


def open311():
    queries = {
        "ids": "service_request_id=9b1f0c7e-1d2a-4c3b-8e5f-0a1b2c3d4e5f,abc&status=open",
        "window": "start_date=2026-09-01T00:00:00%2B07:00&end_date=2026-10-01T00:00:00Z"
                  "&service_code=garbage,noise&service_code=trees&status=closed",
        "defaults": "jurisdiction_id=danang.gov.vn&api_key=k",
    }
    for name, query in queries.items():
        write("open311_query", name, query)
    forms = {
        "position": "api_key=key-123&service_code=garbage&description=R%C3%A1c+%C4%91%E1%BB%95"
                    "&lat=16.0678&long=108.2208&attribute%5Bwaste_types%5D%5B%5D=household"
                    "&attribute%5Bwaste_types%5D%5B%5D=bulky",
        "address": "api_key=key-123&service_code=drainage_flooding&description=Ng%E1%BA%ADp"
                   "&address_string=12+Tr%E1%BA%A7n+Ph%C3%BA%2C+ph%C6%B0%E1%BB%9Dng+H%E1%BA%A3i"
                   "+Ch%C3%A2u&attribute[depth]=knee&attribute[since]=2026-11-20T08:30:00%2B07:00",
        "food": "service_code=food_safety&description=x&attribute[place_type]=market"
                "&attribute[people_affected]=3.5&attribute[details]=a%0Ab"
                "&media_url=https://example.vn/a.jpg&email=a@b.vn",
    }
    for name, form in forms.items():
        write("open311_form", name, form)


def search():
    # The first byte chooses page and filter (fuzz_targets/search.rs).
    typed = {
        "diacritics": (0x08, "đăng ký khai sinh"),
        "folded_typo": (0x11, "dang ky ket hon cho con"),
        "prefix": (0x40, "giấy xác nhận tình trạng hôn nh"),
        "colloquial": (0x69, "làm sổ đỏ"),
        "stop_words_only": (0x00, "thủ tục làm"),
        "mixed_case": (0xA3, "CẤP BẢN SAO Trích Lục"),
    }
    for name, (choice, text) in typed.items():
        write("search", name, bytes([choice]) + text.encode())


def part(name, body, filename=None, content_type=None):
    disposition = b'Content-Disposition: form-data; name="' + name.encode() + b'"'
    if filename:
        disposition += b'; filename="' + filename.encode() + b'"'
    head = b"--" + BOUNDARY + b"\r\n" + disposition + b"\r\n"
    if content_type:
        head += b"Content-Type: " + content_type.encode() + b"\r\n"
    return head + b"\r\n" + body + b"\r\n"


def complaint_forms():
    photo = encoded(gradient("RGB", 8, 8), "JPEG", quality=40)
    end = b"--" + BOUNDARY + b"--\r\n"
    filing = (part("category", b"road_damage")
              + part("description", "Ổ gà lớn trước nhà số 12".encode())
              + part("lat", b"16.0678") + part("lon", b"108.2208")
              + part("attribute[damage_type]", b"pothole")
              + part("photos[]", photo, "a.jpg", "image/jpeg") + end)
    # The first byte is the chunk size the body arrives in (0: whole).
    write("complaint_form", "filing_whole", b"\x00" + filing)
    write("complaint_form", "filing_chunked", b"\x07" + filing)
    event = part("kind", b"comment") + part("note", "Đã xử lý".encode()) + end
    write("complaint_form", "event", b"\x40" + event)


photos()
open311()
search()
complaint_forms()
