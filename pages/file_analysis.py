"""What the tracker read from an issue's files: a panel per file (thumbnail, fields that
staff can correct, the text, findings) and the crash signatures of the whole issue. Live: a
file shows "analysing…" until its analysis arrives, with no reload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nicegui import ui

import services
from services.intake import AnalysisView, SignatureStat

from . import markup
from .components import PageDialog, answer, human_size, person

if TYPE_CHECKING:
    from .viewer import Viewer

FIELD_LABELS = {
    "invoice_number": "Invoice number",
    "invoice_date": "Invoice date",
    "due_date": "Due date",
    "total": "Total",
    "tax": "Tax",
    "currency": "Currency",
    "vendor": "Vendor",
    "width": "Width (px)",
    "height": "Height (px)",
    "camera": "Camera",
    "taken_at": "Taken at",
    "location_removed": "Location removed",
    "pages": "Pages",
    "lines": "Lines",
    "entries": "Entries",
}
INVOICE_FIELDS = (
    "vendor",
    "invoice_number",
    "invoice_date",
    "due_date",
    "total",
    "tax",
    "currency",
)
KIND_LABELS = {"invoice": "Invoice", "pdf": "PDF", "image": "Image", "text": "Text", "zip": "ZIP"}
TEXT_PREVIEW = 20_000


class Files:
    """The issue's files, a card each. `pictures` is the page's one image viewer: made once,
    outside what live updates redraw, so a redraw can never take an open viewer with it. When
    a file's analysis arrives only that file's card is drawn again: a click on another one's
    thumbnail at that moment went to an element that was gone."""

    def __init__(
        self, viewer: Viewer, reload: Callable[[], Awaitable[None]], pictures: ImageViewer
    ) -> None:
        self.viewer, self.reload, self.pictures = viewer, reload, pictures
        self.cards: dict[int, ui.card] = {}

    def draw(
        self, attachments: list[services.AttachmentView], analyses: dict[int, AnalysisView]
    ) -> None:
        """All of them, in the element the caller has entered."""
        self.cards = {}
        for a in attachments:
            self.cards[a.id] = ui.card().classes("w-full p-3")
            self._fill(a, analyses.get(a.id), attachments)

    def redraw(
        self,
        a: services.AttachmentView,
        attachments: list[services.AttachmentView],
        analyses: dict[int, AnalysisView],
    ) -> None:
        """File `a`'s card, the others untouched (the same files, in the same order)."""
        self.cards[a.id].clear()
        self._fill(a, analyses.get(a.id), attachments)

    def _fill(
        self,
        a: services.AttachmentView,
        analysis: AnalysisView | None,
        attachments: list[services.AttachmentView],
    ) -> None:
        shown_inline = services.uploads.policy().image_types
        images = [f for f in attachments if f.content_type in shown_inline]
        with self.cards[a.id], ui.row().classes("w-full gap-4 no-wrap max-sm:flex-wrap"):
            _preview(a, analysis, images, self.pictures)
            with ui.column().classes("grow gap-1 min-w-0"):
                with ui.row().classes("items-baseline gap-3"):
                    ui.link(a.filename, f"/attachments/{a.id}").classes("font-medium break-all")
                    if a.content_type == "application/pdf":
                        ui.link(
                            "Open in the browser", f"/attachments/{a.id}?inline=1", new_tab=True
                        ).classes("text-sm")
                ui.label(f"{human_size(a.size)} · {a.content_type} · {person(a.uploader)}").classes(
                    "text-xs opacity-60"
                )
                if analysis is not None:
                    _analysis(self.viewer, a, analysis, self.reload)


def signatures(stats: list[SignatureStat], *, staff: bool) -> str:
    """The issue's crash signatures, each counted across the issues the viewer may see, as
    markup (one element): read-only, one card each."""
    if not stats:
        return ""
    cards = []
    for sig in stats:
        parts = [
            markup.div(sig.exception or "unknown exception", "font-mono font-medium break-all")
        ]
        if sig.top_frame:
            parts.append(
                markup.div(f"at {sig.top_frame}", "font-mono text-sm break-all opacity-80")
            )
        who = f"{sig.reporters} reporter{'s' if sig.reporters != 1 else ''}"
        seen = f"Seen in {sig.issues} issue{'s' if sig.issues != 1 else ''}"
        link = f"/?signature={quote(sig.fingerprint)}"
        parts.append(markup.link(f"{seen} from {who}" if staff else seen, link, "text-sm"))
        cards.append(f'<div class="{markup.CARD} w-full p-3 gap-1">{"".join(parts)}</div>')
    return markup.div("Crash signatures", "text-lg font-semibold") + "".join(cards)


def _preview(
    a: services.AttachmentView,
    analysis: AnalysisView | None,
    images: list[services.AttachmentView],
    pictures: ImageViewer,
) -> None:
    if analysis is not None and analysis.has_thumbnail:
        picture = ui.image(f"/attachments/{a.id}/thumbnail")
    elif a in images:
        picture = ui.image(f"/attachments/{a.id}?inline=1")
    else:
        ui.icon("description", size="xl").classes("opacity-60 shrink-0")
        return
    picture.classes("w-40 h-28 rounded shrink-0 cursor-pointer").props("fit=contain")
    picture.props["alt"] = f"Thumbnail of {a.filename}"  # a value: never parsed as props
    if a in images:
        picture.mark(f"thumbnail-{a.id}")
        picture.on("click", lambda: pictures.show(images, images.index(a)))
        picture.props["role"] = "button"
        picture.props["tabindex"] = "0"
        picture.on("keydown.enter", lambda: pictures.show(images, images.index(a)))


class ImageViewer:
    """The issue's images one at a time, large, with previous and next (buttons or the
    arrow keys)."""

    def __init__(self) -> None:
        self.images: list[services.AttachmentView] = []
        self.at = 0
        # Made at the first picture opened (most views open none), in the container it is
        # created in: the boxes of pictures are redrawn, and would take it along.
        self.home = ui.context.slot.parent
        self.made = False

    def _make(self) -> None:
        self.made = True
        with (
            self.home,
            ui.dialog().props("maximized") as self.dialog,
            ui.card().classes("w-full h-full items-center gap-2"),
        ):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                self.caption = ui.label().classes("grow font-medium break-all")
                self.count = ui.label().classes("text-sm opacity-70")
                ui.button(icon="close", on_click=self.dialog.close).props(
                    'flat round aria-label="Close the viewer"'
                )
            self.picture = ui.image().classes("grow w-full").props("fit=contain")
            self.picture.mark("viewer-image")
            with ui.row().classes("gap-4"):
                self.previous = ui.button("Previous", icon="chevron_left", on_click=self.back)
                self.next = ui.button("Next", icon="chevron_right", on_click=self.forward)
        self.dialog.on("keydown.left", self.back)
        self.dialog.on("keydown.right", self.forward)

    def show(self, images: list[services.AttachmentView], start: int) -> None:
        if not self.made:
            self._make()
        self.images, self.at = list(images), start
        self._show()
        self.dialog.open()

    def back(self) -> None:
        if not self.images:
            return
        self.at = (self.at - 1) % len(self.images)
        self._show()

    def forward(self) -> None:
        if not self.images:
            return
        self.at = (self.at + 1) % len(self.images)
        self._show()

    def _show(self) -> None:
        image = self.images[self.at]
        self.picture.set_source(f"/attachments/{image.id}?inline=1")
        self.picture.props["alt"] = image.filename
        self.caption.text = image.filename
        self.count.text = f"{self.at + 1} of {len(self.images)}"
        for button in (self.previous, self.next):
            button.set_visibility(len(self.images) > 1)


def _analysis(
    viewer: Viewer,
    a: services.AttachmentView,
    analysis: AnalysisView,
    reload: Callable[[], Awaitable[None]],
) -> None:
    if analysis.status == "pending":
        with ui.row().classes("items-center gap-2 text-sm"):
            ui.spinner(size="sm")
            ui.label("Analysing…")
        return
    if analysis.status in ("failed", "skipped"):
        verb = "Could not be analysed" if analysis.status == "failed" else "Not analysed"
        ui.label(f"{verb}: {analysis.error}").classes(
            "text-sm " + ("text-negative" if analysis.status == "failed" else "opacity-70")
        )
        return
    with ui.row().classes("items-center gap-2"):
        ui.badge(KIND_LABELS.get(analysis.kind, analysis.kind)).props("outline")
        if analysis.secrets_masked:
            n = analysis.secrets_masked
            masked = f"{n} secret{'s' if n != 1 else ''} masked"
            ui.badge(masked, color="deep-orange-10").props("outline")
            if viewer.actor.role == "ADMIN" and a.content_type == "text/plain":
                redact = ui.button(
                    "Redact the file",
                    icon="visibility_off",
                    on_click=lambda: _redact(viewer, a, reload),
                ).props("flat dense size=sm color=deep-orange-10")
                redact.props["aria-label"] = f"Redact the secrets in the stored {a.filename}"
        if viewer.is_staff and analysis.kind in ("invoice", "image"):
            correct = ui.button(
                "Correct", icon="edit", on_click=lambda: _correct(viewer, a, analysis, reload)
            ).props("flat dense size=sm")
            correct.props["aria-label"] = f"Correct what {a.filename} says"
    _fields(analysis)
    for note in analysis.notes:
        ui.label(note).classes("text-xs opacity-70")
    if analysis.text.strip():
        with ui.expansion("Text read from the file").classes("w-full text-sm"):
            ui.label(analysis.text[:TEXT_PREVIEW]).classes(
                "whitespace-pre-wrap font-mono text-xs break-all max-h-96 overflow-auto"
            )


def _fields(analysis: AnalysisView) -> None:
    shown = {
        k: v
        for k, v in analysis.fields.items()
        if k in FIELD_LABELS and v not in (None, "", False)  # "location removed: no" is noise
    }
    if not shown:
        return
    with ui.element("dl").classes("grid grid-cols-[auto_1fr] gap-x-3 text-sm"):
        for name, value in shown.items():
            with ui.element("dt").classes("opacity-70"):
                ui.label(FIELD_LABELS[name])
            mark = " (corrected)" if name in analysis.corrected else ""
            text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            with ui.element("dd").classes("break-all"):
                ui.label(f"{text}{mark}")


async def _redact(
    viewer: Viewer, a: services.AttachmentView, reload: Callable[[], Awaitable[None]]
) -> None:
    with PageDialog() as dialog, ui.card():
        ui.label(
            f"Replace the stored {a.filename} by its text with the secrets masked? The "
            "original cannot be downloaded afterwards."
        )
        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            ui.button("Redact", color="warning", on_click=lambda: dialog.submit(True))
    confirmed = await answer(dialog)
    if confirmed and (await viewer.call(services.intake.redact_secrets, a.id)).ok:
        ui.notify(f"The secrets in {a.filename} are redacted.", type="positive")
        await reload()


async def _correct(
    viewer: Viewer,
    a: services.AttachmentView,
    analysis: AnalysisView,
    reload: Callable[[], Awaitable[None]],
) -> None:
    names = INVOICE_FIELDS if analysis.kind == "invoice" else ("camera", "taken_at")
    with PageDialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(f"Correct what {a.filename} says").classes("text-lg font-semibold")
        inputs: dict[str, Any] = {}
        for name in names:
            value = analysis.fields.get(name)
            inputs[name] = ui.input(FIELD_LABELS[name], value="" if value is None else str(value))
            inputs[name].classes("w-full")
        ui.label("Dates as 2026-12-04, amounts as 1234.56, currencies as EUR.").classes(
            "text-xs opacity-70"
        )
        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
            ui.button("Save", on_click=lambda: dialog.submit(True))
    if not await answer(dialog):  # the fields keep their values once it is gone
        return
    changes = {
        name: (field.value or "").strip()
        for name, field in inputs.items()
        if (field.value or "").strip() != str(analysis.fields.get(name) or "")
    }
    if not changes:
        return
    result = await viewer.call(services.intake.correct_fields, a.id, changes)
    if result.ok:
        ui.notify(f"Saved: {', '.join(FIELD_LABELS[n] for n in changes)}.", type="positive")
        await reload()
