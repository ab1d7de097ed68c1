"""Keyboard shortcuts on every page of a signed-in user (not while typing in a field): `?`
lists them, `n` files a new issue, `/` goes to the search, `g i` to the issues, `g d` to the
dashboard. The browser handles the keys itself (SCRIPT, in every page's head, once per
process): no element on the page and no message to the server per key; only `?` asks the
server, for the list."""

from __future__ import annotations

from nicegui import ui

from . import head

SHORTCUTS = [
    ("?", "show these shortcuts"),
    ("n", "file a new issue"),
    ("/", "search the issues"),
    ("g then i", "go to the issues"),
    ("g then d", "go to the dashboard"),
]
MARK = "data-shortcuts"  # on the header of the pages that take them
SEQUENCE_MS = 1500  # `g` then its letter within this time
SCRIPT = """<script>
document.addEventListener("keydown", (() => {
  const go = {i: "/", d: "/dashboard"}, typing = ["INPUT", "SELECT", "BUTTON", "TEXTAREA"];
  let g = 0;
  return (e) => {
    const at = e.target;
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || !document.querySelector("[MARK]")) return;
    if (typing.includes(at.tagName) || at.isContentEditable) return;
    const pending = Date.now() - g < SEQUENCE_MS;
    g = 0;
    if (pending && go[e.key]) window.location.href = go[e.key];
    else if (e.key === "g") g = Date.now();
    else if (e.key === "n") window.location.href = "/issues/new";
    else if (e.key === "/") {
      e.preventDefault();  // not typed into the search, nor the browser's quick find
      const search = document.querySelector("[data-search] input, input[data-search]");
      if (search) search.focus(); else window.location.href = "/?focus=search";
    } else if (e.key === "?") emitEvent("shortcuts");
  };
})());
</script>""".replace("MARK", MARK).replace("SEQUENCE_MS", str(SEQUENCE_MS))


def register() -> None:
    """The keys' handler in every page's head, once however often the app is built."""
    head.share(SCRIPT)


class Shortcuts:
    """One per page: the list, made on the first `?` and opened again after."""

    def __init__(self, header: ui.element) -> None:
        header.props(MARK)
        self._dialog: ui.dialog | None = None
        ui.on("shortcuts", self.show)

    def show(self) -> None:
        if self._dialog is not None and not self._dialog.is_deleted:
            self._dialog.open()
            return
        with ui.dialog() as dialog, ui.card().classes("gap-2"):
            ui.label("Keyboard shortcuts").classes("text-lg font-semibold")
            for keys, what in SHORTCUTS:
                with ui.row().classes("items-center gap-3"):
                    ui.label(keys).classes("font-mono bg-gray-100 dark:bg-gray-700 px-2 rounded")
                    ui.label(what)
            ui.button("Close", on_click=dialog.close).props("flat")
        self._dialog = dialog
        dialog.open()
