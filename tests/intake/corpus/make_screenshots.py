"""Render the screenshot corpus with Debian's Chromium: every scene of screenshot_scenes.py at
1x and 2x device scale, light and dark, as PNG files in screenshots/{train,heldout}/, with
labels.json (the words that must be read, taken from the rendered text itself).

    python -m tests.intake.corpus.make_screenshots

No browser is downloaded: Playwright drives /usr/bin/chromium (TRACKER_CHROMIUM overrides).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from tests.e2e.conftest import CHROMIUM
from tests.e2e.conftest import CHROMIUM_ARGS as E2E_ARGS
from tests.intake.corpus.screenshot_scenes import HELDOUT, STYLE_HELDOUT, STYLE_TRAIN, TRAIN, Scene

HERE = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [*E2E_ARGS, "--font-render-hinting=none"]
VARIANTS = [(1, "light"), (2, "light"), (1, "dark"), (2, "dark")]


def page_html(scene: Scene, style: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        f"{style} body {{ font-family:{scene.font}; font-size:{scene.px}px; }}"
        f"</style></head><body><div id='shot'>{scene.body}</div></body></html>"
    )


def render(browser: object, scene: Scene, style: str, out: Path) -> dict[str, dict[str, object]]:
    labels: dict[str, dict[str, object]] = {}
    for scale, theme in VARIANTS:
        page = browser.new_page(  # type: ignore[attr-defined]
            viewport={"width": scene.width, "height": 400},
            device_scale_factor=scale,
            color_scheme=theme,
        )
        page.set_content(page_html(scene, style))
        shot = page.locator("#shot")
        png = shot.screenshot(animations="disabled")
        text = shot.evaluate("e => e.innerText")
        page.close()
        name = f"{scene.name}-{scale}x-{theme}.png"
        # Re-encoded by Pillow with the best zlib level: the same pixels, fewer bytes.
        buffer = io.BytesIO()
        Image.open(io.BytesIO(png)).save(buffer, "PNG", optimize=True)
        (out / name).write_bytes(buffer.getvalue())
        labels[name] = {
            "scene": scene.name,
            "scale": scale,
            "theme": theme,
            "font": scene.font.split(",")[0].strip("'"),
            "px": scene.px,
            "text": text,
        }
    return labels


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for split, scenes, style in (
            ("train", TRAIN, STYLE_TRAIN),
            ("heldout", HELDOUT, STYLE_HELDOUT),
        ):
            out = HERE / split
            out.mkdir(parents=True, exist_ok=True)
            for old in out.glob("*.png"):
                old.unlink()
            labels: dict[str, dict[str, object]] = {}
            for scene in scenes:
                labels.update(render(browser, scene, style, out))
            (out / "labels.json").write_text(
                json.dumps(labels, indent=1, ensure_ascii=False) + "\n"
            )
            print(split, len(labels), "screenshots")
        browser.close()


if __name__ == "__main__":
    main()
