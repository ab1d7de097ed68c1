"""Make the photo corpus: small Pillow-drawn pictures with the metadata phones and cameras
write (camera, time taken, GPS position, orientation) in photos/{train,heldout}/, and
labels.json with what must be read and whether the file carries a location.

    python -m tests.intake.corpus.make_photos

Every picture is drawn upright with a red square in its top-left corner, then stored the way
a camera holding it sideways would (the inverse of its EXIF orientation), so a thumbnail that
applies the orientation shows the square top-left again. The held-out part was written
before the extractor, with other cameras and other writers: Pillow's own little-endian EXIF,
XMP packets, GPS in PNG and WebP, the orientations that mirror.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import piexif
from PIL import Image, ImageDraw, ImageFilter
from PIL.PngImagePlugin import PngInfo
from PIL.TiffImagePlugin import IFDRational

HERE = Path(__file__).resolve().parent / "photos"
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
# What a display must do to a stored picture, per EXIF orientation (Pillow's names); the
# stored picture is made with the inverse.
INVERSE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class Photo:
    name: str
    fmt: str = "JPEG"  # JPEG | PNG | WEBP | GIF
    size: tuple[int, int] = (480, 360)  # upright, as displayed
    make: str | None = None
    model: str | None = None
    taken: str | None = None  # EXIF "YYYY:MM:DD HH:MM:SS"
    offset: str | None = None  # OffsetTimeOriginal
    gps: tuple[float, float] | None = None  # written to the EXIF GPS IFD
    xmp_gps: tuple[float, float] | None = None  # written to an XMP packet
    orientation: int = 1
    writer: str = "piexif"  # piexif (big-endian) | pillow (little-endian)
    thumbnail: bool = False  # a JPEG thumbnail in the EXIF 1st IFD
    progressive: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def _rational(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return ((degrees, 1), (minutes, 1), (seconds, 100))


def draw(size: tuple[int, int], seed: int) -> Image.Image:
    """A small landscape: sky gradient, hills, a sun, a little grain; a red square top-left."""
    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    top, bottom = (rng.randint(60, 140), rng.randint(120, 190), 235), (230, 235, 240)
    for y in range(h):
        t = y / h
        d.line(
            [(0, y), (w, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(3):
        cx, r = rng.randint(0, w), rng.randint(w // 4, w // 2)
        green = (rng.randint(40, 90), rng.randint(110, 170), rng.randint(40, 80))
        d.ellipse([cx - r, h * 0.6 - r // 3, cx + r, h * 0.6 + r], fill=green)
    sx, sy = rng.randint(w // 2, w - 60), rng.randint(20, h // 3)
    d.ellipse([sx, sy, sx + 40, sy + 40], fill=(250, 220, 90))
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    grain = Image.effect_noise(size, 12).convert("RGB")
    img = Image.blend(img, grain, 0.06)
    ImageDraw.Draw(img).rectangle([8, 8, 8 + w // 10, 8 + h // 10], fill=(220, 20, 30))
    return img


def exif_bytes(photo: Photo, thumb: bytes | None) -> bytes | None:
    if not (photo.make or photo.model or photo.taken or photo.gps or photo.orientation != 1):
        return None
    if photo.writer == "pillow":
        exif = Image.Exif()
        if photo.make:
            exif[0x010F] = photo.make
        if photo.model:
            exif[0x0110] = photo.model
        exif[0x0112] = photo.orientation
        exif[0x0131] = "Pillow corpus"
        sub = exif.get_ifd(0x8769)
        if photo.taken:
            sub[0x9003] = photo.taken
        if photo.offset:
            sub[0x9011] = photo.offset
        if photo.gps:
            gps = exif.get_ifd(0x8825)
            lat, lon = photo.gps
            gps[1] = "N" if lat >= 0 else "S"
            gps[2] = tuple(IFDRational(*r) for r in _rational(lat))
            gps[3] = "E" if lon >= 0 else "W"
            gps[4] = tuple(IFDRational(*r) for r in _rational(lon))
        data: bytes = exif.tobytes()
        return data[6:] if data.startswith(b"Exif\x00\x00") else data
    zeroth: dict[int, object] = {piexif.ImageIFD.Orientation: photo.orientation}
    if photo.make:
        zeroth[piexif.ImageIFD.Make] = photo.make.encode()
    if photo.model:
        zeroth[piexif.ImageIFD.Model] = photo.model.encode()
    zeroth[piexif.ImageIFD.Software] = b"corpus 1.0"
    sub_ifd: dict[int, object] = {
        piexif.ExifIFD.ExposureTime: (1, 250),
        piexif.ExifIFD.FNumber: (28, 10),
    }
    if photo.taken:
        sub_ifd[piexif.ExifIFD.DateTimeOriginal] = photo.taken.encode()
        sub_ifd[piexif.ExifIFD.DateTimeDigitized] = photo.taken.encode()
    if photo.offset:
        sub_ifd[piexif.ExifIFD.OffsetTimeOriginal] = photo.offset.encode()
    gps_ifd: dict[int, object] = {}
    if photo.gps:
        lat, lon = photo.gps
        gps_ifd = {
            piexif.GPSIFD.GPSVersionID: (2, 3, 0, 0),
            piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
            piexif.GPSIFD.GPSLatitude: _rational(lat),
            piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
            piexif.GPSIFD.GPSLongitude: _rational(lon),
            piexif.GPSIFD.GPSAltitude: (3520, 100),
            piexif.GPSIFD.GPSDateStamp: b"2026:06:14",
        }
    exif = {"0th": zeroth, "Exif": sub_ifd, "GPS": gps_ifd, "1st": {}, "thumbnail": thumb}
    if thumb:
        exif["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.Compression: 6}
    data = piexif.dump(exif)
    return data[6:] if data.startswith(b"Exif\x00\x00") else data


def xmp_packet(lat: float, lon: float) -> bytes:
    def coordinate(value: float, pos: str, neg: str) -> str:
        degrees = int(abs(value))
        return f"{degrees},{(abs(value) - degrees) * 60:.4f}{pos if value >= 0 else neg}"

    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Corpus Editor 2.1" '
        f'exif:GPSLatitude="{coordinate(lat, "N", "S")}" '
        f'exif:GPSLongitude="{coordinate(lon, "E", "W")}"/>\n'
        '</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
    ).encode()


def _insert_app1(jpeg: bytes, payload: bytes) -> bytes:
    """An APP1 segment right after SOI (and APP0 when there is one)."""
    at = 2
    if jpeg[2:4] == b"\xff\xe0":
        at = 4 + int.from_bytes(jpeg[4:6], "big")
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:at] + segment + jpeg[at:]


def make(photo: Photo, seed: int) -> bytes:
    upright = draw(photo.size, seed)
    method = INVERSE[photo.orientation]
    stored = upright.transpose(method) if method is not None else upright
    thumb = None
    if photo.thumbnail:
        small = stored.copy()
        small.thumbnail((160, 160))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=70)
        thumb = buffer.getvalue()
    exif = exif_bytes(photo, thumb)
    buffer = io.BytesIO()
    if photo.fmt == "JPEG":
        options: dict[str, object] = {"quality": 85, "progressive": photo.progressive}
        if exif:
            options["exif"] = b"Exif\x00\x00" + exif
        stored.save(buffer, "JPEG", **options)
        data = buffer.getvalue()
        if photo.xmp_gps:
            data = _insert_app1(data, XMP_APP1 + xmp_packet(*photo.xmp_gps))
        return data
    if photo.fmt == "PNG":
        info = PngInfo()
        if photo.xmp_gps:
            info.add_itxt("XML:com.adobe.xmp", xmp_packet(*photo.xmp_gps).decode())
        stored.save(buffer, "PNG", exif=exif or b"", pnginfo=info)
        return buffer.getvalue()
    if photo.fmt == "WEBP":
        options = {"quality": 80}
        if exif:
            options["exif"] = exif
        if photo.xmp_gps:
            options["xmp"] = xmp_packet(*photo.xmp_gps)
        stored.save(buffer, "WEBP", **options)
        return buffer.getvalue()
    stored.convert("P", palette=Image.Palette.ADAPTIVE).save(buffer, "GIF")
    return buffer.getvalue()


def label(photo: Photo) -> dict[str, object]:
    camera = None
    if photo.make or photo.model:
        make, model = photo.make or "", photo.model or ""
        same = make and model.lower().startswith(make.split()[0].lower())
        camera = model if same else f"{make} {model}".strip()
    taken = None
    if photo.taken:
        day, time = photo.taken.split(" ")
        taken = f"{day.replace(':', '-')}T{time}{photo.offset or ''}"
    return {
        "format": photo.fmt,
        "width": photo.size[0],
        "height": photo.size[1],
        "camera": camera,
        "taken_at": taken,
        "orientation": photo.orientation,
        "has_location": bool(photo.gps or photo.xmp_gps),
    }


TRAIN = [
    Photo(
        "canon_street.jpg",
        make="Canon",
        model="Canon EOS R6",
        taken="2026:06:14 09:12:44",
        gps=(48.8584, 2.2945),
    ),
    Photo(
        "iphone_portrait.jpg",
        size=(360, 480),
        make="Apple",
        model="iPhone 13 mini",
        taken="2026:07:02 18:40:03",
        offset="+02:00",
        gps=(52.52, 13.405),
        orientation=6,
    ),
    Photo("scan_no_exif.jpg", size=(420, 300)),
    Photo(
        "samsung_upside_down.jpg",
        make="samsung",
        model="SM-G991B",
        taken="2026:03:21 12:00:59",
        gps=(-33.8568, 151.2153),
        orientation=3,
        thumbnail=True,
    ),
    Photo(
        "fuji_no_gps.jpg",
        size=(300, 400),
        make="FUJIFILM",
        model="X-T4",
        taken="2025:12:24 16:05:10",
        orientation=8,
    ),
    Photo(
        "pixel_offset.jpg",
        make="Google",
        model="Pixel 7",
        taken="2026:01:05 07:31:22",
        offset="-05:00",
        gps=(40.7484, -73.9857),
    ),
    Photo(
        "nikon_progressive.jpg",
        make="NIKON CORPORATION",
        model="NIKON D750",
        taken="2024:08:30 11:11:11",
        gps=(35.6586, 139.7454),
        progressive=True,
    ),
    Photo(
        "whiteboard.png",
        size=(320, 240),
        make="Apple",
        model="iPhone 12",
        taken="2026:02:11 15:20:00",
        gps=(51.5007, -0.1246),
        fmt="PNG",
    ),
    Photo(
        "market.webp",
        make="Xiaomi",
        model="Redmi Note 12",
        taken="2026:05:09 10:00:00",
        gps=(41.3851, 2.1734),
        fmt="WEBP",
    ),
    Photo(
        "edited_xmp.jpg",
        make="Canon",
        model="Canon EOS 90D",
        taken="2025:10:10 10:10:10",
        xmp_gps=(45.4642, 9.19),
    ),
]

HELDOUT = [
    Photo(
        "drone_field.jpg",
        size=(640, 360),
        make="DJI",
        model="FC3170",
        taken="2026:09:18 06:58:31",
        gps=(46.2044, 6.1432),
        writer="pillow",
    ),
    Photo(
        "oneplus_mirror.jpg",
        size=(360, 480),
        make="OnePlus",
        model="LE2123",
        taken="2026:04:01 21:15:45",
        offset="+05:30",
        gps=(19.076, 72.8777),
        orientation=5,
    ),
    Photo(
        "olympus_transverse.jpg",
        size=(400, 300),
        make="OLYMPUS IMAGING CORP.",
        model="E-M10",
        taken="2023:11:02 13:45:00",
        gps=(64.1466, -21.9426),
        orientation=7,
        thumbnail=True,
    ),
    Photo(
        "sony_both_gps.jpg",
        make="SONY",
        model="DSC-RX100M7",
        taken="2026:08:08 08:08:08",
        gps=(-22.9519, -43.2105),
        xmp_gps=(-22.9519, -43.2105),
    ),
    Photo(
        "big_pixel.jpg",
        size=(2400, 1800),
        make="Google",
        model="Pixel 8 Pro",
        taken="2026:10:31 19:02:13",
        gps=(37.8199, -122.4783),
        orientation=6,
        writer="pillow",
    ),
    Photo("lightroom_export.png", size=(360, 240), xmp_gps=(59.3293, 18.0686), fmt="PNG"),
    Photo(
        "telegram_forward.webp",
        size=(320, 480),
        make="HUAWEI",
        model="P30",
        taken="2025:07:19 17:33:02",
        gps=(30.0444, 31.2357),
        xmp_gps=(30.0444, 31.2357),
        fmt="WEBP",
        writer="pillow",
    ),
    Photo(
        "flipped_selfie.jpg",
        size=(300, 300),
        make="Apple",
        model="iPhone 15",
        taken="2026:12:01 12:34:56",
        offset="+01:00",
        gps=(47.3769, 8.5417),
        orientation=2,
    ),
    Photo(
        "no_gps_mirror.jpg",
        size=(320, 240),
        make="Panasonic",
        model="DC-GH5",
        taken="2022:02:22 22:22:22",
        orientation=4,
    ),
    Photo("animation.gif", size=(200, 150), fmt="GIF"),
    Photo("screenshot_like.png", size=(240, 160), fmt="PNG"),
    Photo(
        "pillow_progressive.jpg",
        size=(500, 500),
        make="motorola",
        model="moto g(60)",
        taken="2024:02:29 00:00:01",
        gps=(-34.6037, -58.3816),
        progressive=True,
        writer="pillow",
        orientation=8,
    ),
]


def main() -> None:
    for split, photos in (("train", TRAIN), ("heldout", HELDOUT)):
        out = HERE / split
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            old.unlink()
        labels = {}
        for seed, photo in enumerate(photos):
            (out / photo.name).write_bytes(make(photo, seed + (100 if split == "heldout" else 0)))
            labels[photo.name] = label(photo)
        (out / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
        print(split, len(photos), "photos")


if __name__ == "__main__":
    main()
