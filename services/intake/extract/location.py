"""Location data removed from pictures, the image data left byte for byte as it was.

Where a picture keeps its location:
- EXIF's GPS IFD (JPEG APP1 "Exif", PNG `eXIf` or ImageMagick's "Raw profile type exif"
  text, WebP `EXIF`);
- XMP packets with `exif:GPSLatitude`... (JPEG APP1, extended XMP included, PNG `iTXt`, WebP
  `XMP `, GIF's "XMP DataXMP" application extension).

How it is removed, walking the file's segments or chunks and copying everything else as is:
- EXIF is patched in place: the GPSInfo entry leaves IFD0 (the entries after it move up) and
  the GPS IFD and its values are overwritten with zeros. Offsets, MakerNotes, tags no library
  knows and the embedded thumbnail stay valid, and the image data is not re-encoded (a
  rewrite through piexif would lose tags it does not know). piexif then reads the result back
  to check that no GPS IFD is left. An EXIF block too damaged to patch is dropped whole.
- An XMP packet that mentions GPS coordinates is dropped whole: XMP is free-form XML, and
  editing it with patterns could leave a coordinate behind. The camera and time fields come
  from EXIF, which stays.
- Chunk checksums (PNG) and sizes (WebP's RIFF, its VP8X flags) are written anew.
IPTC/XMP city or country names are text a user can see and are not touched.
"""

from __future__ import annotations

import re
import struct
import zlib

EXIF_PREFIX = b"Exif\x00\x00"
XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_JPEG = b"http://ns.adobe.com/xmp/extension/\x00"
GPS_POINTER = 0x8825
MAX_TEXT_CHUNK = 16 * 1024 * 1024  # a compressed PNG text chunk is inflated up to this
_GPS_XMP = re.compile(rb"GPS(?:Latitude|Longitude|Altitude|DestLatitude|DestLongitude)")
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}


def strip_location(data: bytes) -> bytes | None:
    """The file without its location data, or None when it holds none (or is no JPEG,
    PNG, WebP or GIF)."""
    if data[:2] == b"\xff\xd8":
        return _jpeg(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(data)
    return None


def exif_without_gps(block: bytes) -> bytes | None:
    """An EXIF block (raw TIFF, or with the "Exif\\0\\0" prefix) without GPS; None when it
    has none; b"" when it must be dropped whole (too damaged to patch)."""
    prefix = EXIF_PREFIX if block.startswith(EXIF_PREFIX) else b""
    tiff = bytearray(block[len(prefix) :])
    try:
        patched = _patch_tiff(tiff)
    except (struct.error, ValueError, IndexError):
        return b""
    if not patched:
        return None
    return prefix + bytes(tiff) if _gps_free(prefix + bytes(tiff)) else b""


def _patch_tiff(tiff: bytearray) -> bool:
    """Remove the GPS IFD from a TIFF structure in place; False when there is none."""
    order = {b"II": "<", b"MM": ">"}.get(bytes(tiff[:2]))
    if order is None:
        raise ValueError("not TIFF")
    ifd0 = struct.unpack_from(order + "I", tiff, 4)[0]
    count = struct.unpack_from(order + "H", tiff, ifd0)[0]
    for n in range(count):
        entry = ifd0 + 2 + 12 * n
        tag, _, _, value = struct.unpack_from(order + "HHII", tiff, entry)
        if tag != GPS_POINTER:
            continue
        _zero_ifd(tiff, order, value)
        end = ifd0 + 2 + 12 * count + 4  # the entries, then the next IFD's offset
        tiff[entry:end] = tiff[entry + 12 : end] + bytes(12)
        struct.pack_into(order + "H", tiff, ifd0, count - 1)
        return True
    return False


def _zero_ifd(tiff: bytearray, order: str, offset: int) -> None:
    if not 8 <= offset < len(tiff) - 2:
        return  # a pointer to nowhere: removing the entry is enough
    count = struct.unpack_from(order + "H", tiff, offset)[0]
    end = min(len(tiff), offset + 2 + 12 * count + 4)
    for n in range(count):
        entry = offset + 2 + 12 * n
        if entry + 12 > len(tiff):
            break
        _, kind, items, value = struct.unpack_from(order + "HHII", tiff, entry)
        size = _TYPE_SIZES.get(kind, 1) * items
        if size > 4 and value + size <= len(tiff):
            tiff[value : value + size] = bytes(size)
    tiff[offset:end] = bytes(end - offset)


def _gps_free(block: bytes) -> bool:
    """piexif's reading of the patched block: no GPS IFD left."""
    import piexif

    try:
        exif = piexif.load(block)
    except Exception:  # any parse error of hostile data: treat as unsafe
        return False
    return not exif.get("GPS") and piexif.ImageIFD.GPSTag not in exif.get("0th", {})


def _jpeg(data: bytes) -> bytes | None:
    segments, rest = _jpeg_segments(data)
    xmp_gps = any(
        _GPS_XMP.search(s) for m, s in segments if m == 0xE1 and s.startswith(XMP_JPEG)
    ) or bool(
        _GPS_XMP.search(
            b"".join(s for m, s in segments if m == 0xE1 and s.startswith(XMP_EXTENSION_JPEG))
        )
    )
    out, changed = [b"\xff\xd8"], False
    for marker, payload in segments:
        if marker == 0xE1 and payload.startswith(EXIF_PREFIX):
            cleaned = exif_without_gps(payload)
            if cleaned is not None:
                changed = True
                if cleaned and len(cleaned) <= 65533:
                    out.append(b"\xff\xe1" + struct.pack(">H", len(cleaned) + 2) + cleaned)
                continue
        elif marker == 0xE1 and xmp_gps and payload.startswith((XMP_JPEG, XMP_EXTENSION_JPEG)):
            changed = True
            continue
        out.append(bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload)
    return b"".join([*out, rest]) if changed else None


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The marker segments before the image data, and the bytes from there on (the scan and
    anything unusual, copied verbatim)."""
    segments, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF or marker in (0xD8, 0x01, 0xDA, 0xD9) or 0xD0 <= marker <= 0xD7:
            break  # start of scan, or a marker without a length: the rest is copied
        length = struct.unpack_from(">H", data, i + 2)[0]
        if length < 2 or i + 2 + length > len(data):
            break
        segments.append((marker, data[i + 4 : i + 2 + length]))
        i += 2 + length
    return segments, data[i:]


def _png(data: bytes) -> bytes | None:
    out, i, changed = [data[:8]], 8, False
    while i + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, i)
        end = i + 12 + length
        if end > len(data):
            break
        body = data[i + 8 : i + 8 + length]
        if kind == b"eXIf":
            cleaned = exif_without_gps(body)
            if cleaned is not None:
                changed = True
                if cleaned:
                    out.append(_png_chunk(kind, cleaned))
                i = end
                continue
        elif kind in (b"iTXt", b"tEXt", b"zTXt") and _png_text_has_gps(kind, body):
            changed, i = True, end
            continue
        out.append(data[i:end])
        i = end
        if kind == b"IEND":
            break
    return b"".join([*out, data[i:]]) if changed else None


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_text_has_gps(kind: bytes, body: bytes) -> bool:
    """XMP in iTXt, or EXIF as ImageMagick's hex "Raw profile type exif/APP1" text."""
    keyword, _, rest = body.partition(b"\x00")
    if keyword != b"XML:com.adobe.xmp" and not keyword.startswith(b"Raw profile type"):
        return False
    if kind == b"zTXt":
        text = _inflate(rest[1:])
    elif kind == b"iTXt":
        compressed = rest[:1] == b"\x01"
        text = rest[2:].split(b"\x00", 2)[-1]  # after language tag and translated keyword
        text = _inflate(text) if compressed else text
    else:
        text = rest
    if keyword == b"XML:com.adobe.xmp":
        return bool(_GPS_XMP.search(text))
    hexdigits = re.sub(rb"[^0-9a-fA-F]", b"", text.split(b"\n", 3)[-1])
    try:
        block = bytes.fromhex(hexdigits[: len(hexdigits) // 2 * 2].decode())
    except ValueError:
        return True  # unreadable: drop it, it may hold the position
    start = block.find(EXIF_PREFIX)
    return start >= 0 and exif_without_gps(block[start:]) is not None


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, MAX_TEXT_CHUNK)
    except zlib.error:
        return b""


def _webp(data: bytes) -> bytes | None:
    chunks, i = [], 12
    while i + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, i)
        body = data[i + 8 : i + 8 + length]
        chunks.append([kind, body])
        i += 8 + length + (length & 1)
    changed, dropped = False, 0
    for chunk in chunks:
        kind, body = chunk
        if kind == b"EXIF":
            cleaned = exif_without_gps(body)
            if cleaned is not None:
                changed, chunk[1] = True, cleaned
                dropped |= 0x08 if not cleaned else 0
        elif kind == b"XMP " and _GPS_XMP.search(body):
            changed, chunk[1], dropped = True, b"", dropped | 0x04
    if not changed:
        return None
    parts = []
    for kind, body in chunks:
        if kind in (b"EXIF", b"XMP ") and not body:
            continue
        if kind == b"VP8X" and body:
            body = bytes([body[0] & ~dropped & 0xFF]) + body[1:]
        parts.append(kind + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1))
    payload = b"WEBP" + b"".join(parts)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def _gif(data: bytes) -> bytes | None:
    """Drop "XMP DataXMP" application extensions that mention GPS."""
    if len(data) < 13:
        return None
    i = 13 + (3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    out, changed = [data[:i]], False
    while i < len(data):
        start, block = i, data[i]
        if block == 0x3B:  # trailer
            break
        if block == 0x21 and i + 1 < len(data):
            i = _skip_sub_blocks(data, i + 2)
            xmp = data[start + 1] == 0xFF and data[start + 3 : start + 14] == b"XMP DataXMP"
            if xmp and _GPS_XMP.search(data[start:i]):
                changed = True
                continue
        elif block == 0x2C and i + 10 <= len(data):
            flags = data[i + 9]
            i += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0) + 1
            i = _skip_sub_blocks(data, i)
        else:
            break  # not a GIF block: keep the rest as it is
        out.append(data[start:i])
    out.append(data[i:])
    return b"".join(out) if changed else None


def _skip_sub_blocks(data: bytes, i: int) -> int:
    while i < len(data) and data[i]:
        i += data[i] + 1
    return min(i + 1, len(data))
