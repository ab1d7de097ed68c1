"""Getting a screenshot ready for Tesseract: dark text on a light page, lines tall enough.

Tesseract reads best dark text on white with capital letters some 20-30 pixels tall, and it
skips text whose polarity differs from the page's (a white label on a blue button, a light
terminal pasted in a light page). So, measured on the train screenshots (bench
quality-images):

1. greyscale, transparency flattened on white;
2. the whole picture inverted when its background is dark (dark mode);
3. upscaled when its lines of text are short (1x screenshots), never downscaled: the height
   of text lines is estimated from the rows that hold ink;
4. solid areas that differ from the background (buttons, badges, banners, code blocks) are
   each turned into dark-on-light with their own contrast stretched.
"""

from __future__ import annotations

import re
import statistics
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

TARGET_LINE_PX = 32  # a line of text (ascenders to descenders) after scaling
MAX_SCALE = 3.0
MAX_PREPARED_PIXELS = 24_000_000  # upscaling stops here (memory, Tesseract's time)
INK_THRESHOLD = 150  # darker than this (0-255) counts as ink once dark-on-light
REGION_CONTRAST = 40  # a solid area differs from the page by more than this
MAX_REGIONS = 40
_RUN = re.compile(rb"\xff{1,100000}")


def prepare(image: Image) -> tuple[Image, float]:
    """The greyscale, dark-on-light, scaled picture Tesseract is given, and the scale used."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    grey = _greyscale(image)
    if background(grey) < 128:
        grey = ImageOps.invert(grey)
    line = line_height(grey)
    scale = 1.0
    if line:
        scale = max(1.0, min(MAX_SCALE, TARGET_LINE_PX / line))
        room = (MAX_PREPARED_PIXELS / max(1, grey.width * grey.height)) ** 0.5
        scale = max(1.0, min(scale, room))
    if scale > 1.1:
        size = (round(grey.width * scale), round(grey.height * scale))
        grey = grey.resize(size, PILImage.Resampling.LANCZOS)
    _flatten_regions(grey, (line or TARGET_LINE_PX) * scale)
    return grey, scale


def _greyscale(image: Image) -> Image:
    from PIL import Image as PILImage
    from PIL import ImageOps

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        page = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        page.alpha_composite(rgba)
        image = page
    return ImageOps.grayscale(image.convert("RGB"))


def background(grey: Image) -> int:
    """The most common grey level: the page behind the text."""
    histogram = grey.histogram()
    return max(range(256), key=histogram.__getitem__)


def line_height(grey: Image) -> float | None:
    """Median height of the bands of rows that hold ink (dark-on-light picture); None
    when there is no text-like band. Rows are averaged to one pixel in C (a box resize)."""
    from PIL import Image as PILImage

    ink = grey.point(lambda v: 255 if v < INK_THRESHOLD else 0)
    rows = ink.resize((1, ink.height), PILImage.Resampling.BOX).tobytes()
    bands, run = [], 0
    for value in (*rows, 0):
        if value:
            run += 1
        elif run:
            bands.append(run)
            run = 0
    # Thin rules and borders are shorter, panels and pictures taller than a text line.
    bands = [b for b in bands if 5 <= b <= 150]
    return float(statistics.median(bands)) if bands else None


def _flatten_regions(grey: Image, line_px: float) -> None:
    """Make every solid area that differs from the background dark-on-light, in place; its
    edge (a border, anti-aliasing) is painted white so that no box is left around the text."""
    from PIL import Image as PILImage
    from PIL import ImageFilter, ImageOps

    page = background(grey)
    step = max(1, round(line_px / 8))  # a text stroke becomes about one pixel wide
    small = grey.reduce(step) if step > 1 else grey
    mask = small.point(lambda v: 255 if abs(v - page) > REGION_CONTRAST else 0)
    # Opening drops text strokes and rules; closing then fills the holes the text of a
    # button leaves in it.
    solid = mask.filter(ImageFilter.MinFilter(5)).filter(ImageFilter.MaxFilter(5))
    solid = solid.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.MinFilter(5))
    white = PILImage.new("L", (1, 1), 255)
    area = grey.width * grey.height
    for left, top, right, bottom in _components(solid)[:MAX_REGIONS]:
        height, width = (bottom - top) * step, (right - left) * step
        if height < 0.8 * line_px or width < line_px or width * height > 0.6 * area:
            continue
        # One pixel of the small mask around the area, so that its border is painted too.
        left, top = max(0, left - 1), max(0, top - 1)
        right, bottom = min(solid.width, right + 1), min(solid.height, bottom + 1)
        box = (
            left * step,
            top * step,
            min(grey.width, right * step),
            min(grey.height, bottom * step),
        )
        width, height = box[2] - box[0], box[3] - box[1]
        inside = solid.crop((left, top, right, bottom))
        inside = inside.resize((width, height), PILImage.Resampling.NEAREST)
        crop = grey.crop(box)
        histogram = crop.histogram(mask=inside)
        level = max(range(256), key=histogram.__getitem__)
        if abs(level - page) <= REGION_CONTRAST:
            continue  # mostly page: bold text that survived the opening, not a solid area
        lighter = sum(histogram[min(255, level + 48) :])
        darker = sum(histogram[: max(0, level - 48)])
        if lighter > darker:  # light text on a dark button
            crop, level = ImageOps.invert(crop), 255 - level
        # The area's own background becomes white, its text keeps its darkness.
        level = max(1, level)
        crop = crop.point(lambda v, level=level: min(255, v * 255 // level))
        crop = PILImage.composite(crop, white.resize(crop.size), inside)
        edge = inside.filter(ImageFilter.MaxFilter(2 * step + 1))
        grey.paste(crop, box, edge)


def _components(mask: Image) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the connected white areas of a 0/255 mask, largest first: runs of
    each row are joined to the runs they touch in the row above (union-find over runs)."""
    width = mask.width
    data = mask.tobytes()
    parent: list[int] = []
    boxes: list[list[int]] = []

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    previous: list[tuple[int, int, int]] = []
    for y in range(mask.height):
        current = []
        for match in _RUN.finditer(data, y * width, (y + 1) * width):
            start, end = match.start() - y * width, match.end() - y * width
            index = len(parent)
            parent.append(index)
            boxes.append([start, y, end, y + 1])
            for p_start, p_end, p_index in previous:
                if p_start < end and start < p_end:
                    a, b = root(p_index), root(index)
                    if a != b:
                        parent[b] = a
            current.append((start, end, index))
        previous = current
    merged: dict[int, list[int]] = {}
    for i, (left, top, right, bottom) in enumerate(boxes):
        box = merged.setdefault(root(i), [left, top, right, bottom])
        box[0], box[1] = min(box[0], left), min(box[1], top)
        box[2], box[3] = max(box[2], right), max(box[3], bottom)
    found = [tuple(b) for b in merged.values()]
    found.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
    return found  # type: ignore[return-value]
