"""`/issues/{id}`: the issue with its Markdown, files, workflow buttons, tags, assignee,
comments and timeline, all live. A stale edit shows the current values, not an error page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from nicegui import events, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.events import ChangeEvent
from services.schemas import MAX_COMMENT

from . import duplicates, file_analysis, issue_forms, markup
from .components import (
    CLOSE_LABELS,
    MARKDOWN_CLASS,
    RESOLUTION_LABELS,
    STATUS_LABELS,
    PageDialog,
    answer,
    parse_id,
    person,
    when,
)
from .frame import frame, page
from .live import hub
from .pickers import IssuePickers
from .redirects import login_url
from .secret_warning import SecretWarning
from .timeline import timeline
from .viewer import Viewer, viewer_for


@dataclass(frozen=True)
class IssueData:
    issue: services.IssueView
    comments: list[services.CommentView]
    activity: list[services.ActivityView]
    analyses: dict[int, services.intake.AnalysisView]  # by attachment id
    signatures: list[services.intake.SignatureStat]
    original_visible: bool = False  # a duplicate whose original this person may open


def load(s: Any, actor: services.Actor, issue_id: int) -> IssueData:
    issue = services.issues.get_issue(s, actor, issue_id)
    analyses = services.intake.analyses_of_issue(s, actor, issue_id)
    return IssueData(
        issue=issue,
        comments=services.comments.list_comments(s, actor, issue_id),
        activity=services.activity.list_activity(s, actor, issue_id),
        analyses={a.source_id: a for a in analyses if a.source == "attachment"},
        signatures=services.intake.signatures_of_issue(s, actor, issue_id),
        original_visible=duplicates.original_visible(s, actor, issue),
    )


@dataclass(frozen=True)
class Pickers:
    """What the assignee and tag pickers offer (staff only)."""

    staff: dict[int | None, str]
    tags: list[str]


NO_PICKERS = Pickers(staff={}, tags=[])


def opened(s: Any, actor: services.Actor, issue_id: int, staff: bool) -> tuple[IssueData, Pickers]:
    """What the page shows first, read in one session: the issue (`load`) and, for staff,
    what its pickers offer (two trips to a worker thread fewer per page view)."""
    data = load(s, actor, issue_id)
    if not staff:
        return data, NO_PICKERS
    try:
        people = services.users.list_staff(s, actor)
        tags = services.tags.tag_names(s, actor)
    except services.PermissionDenied:  # no longer staff: the page offers no pickers
        return data, NO_PICKERS
    names: dict[int | None, str] = {None: "Unassigned"}
    names |= {u.id: u.shown_name for u in people}
    return data, Pickers(staff=names, tags=tags)


def register() -> None:
    @page("/issues/{issue_id}")
    async def issue_page(request: Request, issue_id: str) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url(str(request.url.path)), status_code=303)
        page = IssuePage(viewer, parse_id(issue_id))
        with frame(viewer, f"Issue {issue_id}"):
            await page.build()
        return None


def not_found() -> None:
    with ui.card().classes("self-center items-center p-8"):
        ui.icon("search_off", size="xl")
        ui.label("Issue not found").classes("text-xl font-semibold")
        ui.label("It does not exist, or you do not have access to it.")
        ui.link("Back to the issues", "/")


class IssuePage:
    def __init__(self, viewer: Viewer, issue_id: int) -> None:
        self.viewer = viewer
        self.issue_id = issue_id
        self.data: IssueData | None = None
        self.staff: dict[int | None, str] = {}
        self.known_tags: list[str] = []  # suggested while tagging
        self.banner: ui.card | None = None  # "deleted"

    async def build(self) -> None:
        result = await self.viewer.call(opened, self.issue_id, self.viewer.is_staff, quiet=True)
        if result.value is None:
            not_found()
            return
        self.data, pickers = result.value
        self.content = ui.context.slot.parent  # the page's column
        self.staff, self.known_tags = pickers.staff, pickers.tags
        self.heading = ui.html("").classes("nicegui-column w-full gap-2")
        self.actions_box = ui.row().classes("w-full items-center gap-2")
        with self.actions_box:
            self._actions()
        self.editor = issue_forms.Editor(self)
        self.description_box = ui.html("").classes(f"{markup.CARD} w-full")
        self.files_head = ui.html("").classes("nicegui-column w-full")
        self.files_box = ui.column().classes("w-full gap-2")
        self.pictures = file_analysis.ImageViewer()  # outside the redrawn boxes
        self.files = file_analysis.Files(self.viewer, self.refresh, self.pictures)
        issue_forms.attach_control(self)
        # The crash signatures and (staff) the possible duplicates: one element.
        self.below_files = markup.Parts(
            {"signatures": "nicegui-column w-full gap-2", "duplicates": duplicates.BOX},
            "nicegui-column w-full",
        )
        self.duplicates = duplicates.PossibleDuplicates(
            self.viewer, self.issue_id, self.refresh, self.below_files
        )
        # The comments, their field and button in the first column; on a wide screen the
        # timeline beside them (its last row takes what it is taller by), under them on a phone.
        with ui.element().classes(
            "grid w-full gap-x-6 gap-y-2 items-start"
            " md:grid-cols-[minmax(0,1fr)_20rem] md:grid-rows-[auto_auto_auto_1fr]"
        ):
            self.comments_box = ui.html("").classes("nicegui-column w-full gap-2")
            self._comment_form()
            self.timeline_box = ui.html("").classes(
                "nicegui-column gap-1 w-full max-md:mt-4 md:col-start-2 md:row-start-1"
                " md:row-span-4"
            )
        self.show(self.data, None)
        hub.watch(self.viewer, self.wants, self.refresh)
        await self.duplicates.refresh(self.data.issue)

    # --- live -----------------------------------------------------------------------------

    def wants(self, change: ChangeEvent) -> bool:
        # A duplicate's page follows its original too (the original's status shows here).
        original = self.data.issue.duplicate_of if self.data else None
        return change.issue_id in (self.issue_id, original) or (
            change.kind == "issue" and change.op == "bulk"
        )

    async def refresh(self) -> None:
        result = await hub.shared(
            ("issue", self.issue_id, self.viewer.scope),
            lambda: self.viewer.query(load, self.issue_id),
        )
        if isinstance(result.error, services.NotFound):
            self.gone()
        elif result.value is not None:
            before = self.data.issue if self.data else None
            self.show(result.value, self.data)
            if before is None or _text_or_state(before) != _text_or_state(result.value.issue):
                await self.duplicates.refresh(result.value.issue)

    def gone(self) -> None:
        if self.banner is None:  # made when needed: most pages never show it
            with self.content:
                self.banner = ui.card().classes("w-full bg-negative text-white")
                with self.banner:
                    ui.label("This issue has been deleted (or you no longer have access to it).")
            self.banner.move(target_index=0)  # above the heading
        self.actions_box.set_visibility(False)

    def show(self, new: IssueData, old: IssueData | None) -> None:
        """Re-render only the sections whose data changed."""
        self.data = new
        issue, before = new.issue, old.issue if old else None
        self.duplicates.version = issue.version  # a merge is checked against what is shown
        if before is None or issue.model_dump(exclude={"attachments"}) != before.model_dump(
            exclude={"attachments"}
        ):
            self.heading.set_content(self._header())
            self._show_actions()
        if before is None or issue.description_html != before.description_html:
            self.description_box.set_content(description(issue))
        if before is None or old is None or _ids(issue.attachments) != _ids(before.attachments):
            none = "" if issue.attachments else '<div class="opacity-60">No files yet.</div>'
            self.files_head.set_content(SECTION.format("Attachments") + none)
            self.files_box.set_visibility(bool(issue.attachments))  # else a gap for nothing
            self._render(self.files_box, lambda: self.files.draw(issue.attachments, new.analyses))
        else:
            for a, was in zip(issue.attachments, before.attachments, strict=True):
                if a != was or new.analyses.get(a.id) != old.analyses.get(a.id):
                    self.files.redraw(a, issue.attachments, new.analyses)
        if old is None or new.signatures != old.signatures:
            self.below_files.set(
                "signatures", file_analysis.signatures(new.signatures, staff=self.viewer.is_staff)
            )
        if old is None or new.comments != old.comments:
            self.comments_box.set_content(SECTION.format("Comments") + comments(new.comments))
        if old is None or new.activity != old.activity:
            self.timeline_box.set_content(
                SECTION.format("Timeline")
                + f'<ol class="w-full flex flex-col gap-1">{timeline(new.activity)}</ol>'
            )

    @staticmethod
    def _render(box: ui.element, draw: Any) -> None:
        box.clear()
        with box:
            draw()

    # --- sections -------------------------------------------------------------------------

    def _header(self) -> str:
        """The number and title (the page's heading), status, severity, who, when, tags,
        and the line about duplicates: as markup, one element."""
        assert self.data is not None
        issue = self.data.issue
        title = markup.row(
            [
                markup.span(f"#{issue.id}", "text-2xl opacity-60"),
                '<div class="text-2xl font-semibold wrap-anywhere" role="heading" aria-level="1">'
                f"{markup.text(issue.title)}</div>",
            ],
            "items-center gap-2",
        )
        facts = [markup.status_badge(issue.status.value, live=True)]
        if issue.resolution is not None:
            facts.append(markup.span(RESOLUTION_LABELS[issue.resolution.value], "font-medium"))
        facts += [
            markup.severity_badge(issue.severity.value),
            markup.span(
                f"reported by {person(issue.reporter)} {when(issue.created_at)}",
                "min-w-0 wrap-anywhere",
            ),
            markup.span(f"· assignee: {person(issue.assignee)}", "min-w-0 wrap-anywhere"),
            markup.span(f"· updated {when(issue.updated_at)}", ""),
        ]
        facts += [markup.chip(tag, "sell") for tag in issue.tags]
        line = duplicates.duplicate_line(issue, can_open=self.data.original_visible)
        return title + markup.row(facts, "items-center gap-2 text-sm") + line

    def _actions(self) -> None:
        """The workflow's buttons (markup, one element; `acted` reads which was clicked), the
        assignee and tag pickers, then Delete. Made once; `_show_actions` fills them."""
        actor = self.viewer.actor
        self.workflow = markup.show([self._moves()], classes="contents")
        self.workflow.on("click", self.acted, js_handler=markup.ACTION)
        self.pickers: IssuePickers | None = None
        if permissions.can_triage(actor):
            assert self.data is not None
            issue = self.data.issue
            self.pickers = IssuePickers(
                assignee=issue.assignee.id if issue.assignee else None,
                tags=issue.tags,
                staff=self.staff,
                known=self.known_tags,
                on_assign=self.assign,
                on_tags=self.set_tags,
            )
        if permissions.can_delete_issue(actor):
            self._buttons(
                [markup.action("delete", "Delete", icon="delete", colour="text-negative")]
            )

    def _show_actions(self, *, again: bool = False) -> None:
        """The moves the issue allows now, and what the pickers hold (`again`: sent even if
        unchanged, after a refused choice)."""
        assert self.data is not None
        issue = self.data.issue
        self.workflow.set_content(self._moves())
        if self.pickers is not None:
            self.pickers.set(issue.assignee.id if issue.assignee else None, issue.tags, again=again)

    def _moves(self) -> str:
        """The workflow's buttons for the issue as it is now, as markup."""
        assert self.data is not None
        issue, actor = self.data.issue, self.viewer.actor
        buttons = [
            markup.action(f"move:{t.value}", f"Move to {STATUS_LABELS[t.value]}", look="outline")
            for t in permissions.allowed_transitions(actor, issue.status)
        ]
        buttons += [  # a duplicate is closed here with its link: "Mark as duplicate of #N"
            markup.action(f"close:{r.value}", CLOSE_LABELS[r.value])
            for r in permissions.closing_resolutions(actor, issue)
            if r != services.Resolution.DUPLICATE
        ]
        if permissions.can_triage(actor) and issue.duplicate_of is None:
            buttons.append(markup.action("duplicate", "Mark as duplicate…"))
        if permissions.can_edit_issue(actor, issue):
            buttons.append(markup.action("edit", "Edit", icon="edit"))
        return "".join(buttons)

    def _buttons(self, buttons: list[str]) -> None:
        if buttons:
            markup.show(buttons, classes="contents").on(
                "click", self.acted, js_handler=markup.ACTION
            )

    def _comment_form(self) -> None:
        self.comment = (
            ui.textarea("Add a comment (Markdown)")
            .props(f"autogrow counter maxlength={MAX_COMMENT}")
            .classes("w-full")
        )
        SecretWarning(self.comment)
        self.comment.on("keydown.ctrl.enter", self.add_comment)
        self.comment.on("keydown.meta.enter", self.add_comment)
        send = markup.action("comment", "Comment", icon="chat", look="standard")
        hint = markup.span("or Ctrl+Enter", "text-xs opacity-60")
        markup.show([send, hint], classes="nicegui-row row items-center gap-2").on(
            "click", self.acted, js_handler=markup.ACTION
        )

    # --- actions --------------------------------------------------------------------------

    async def acted(self, e: events.GenericEventArguments) -> None:
        """A click on one of the markup buttons: its `data-action`. What it asks is checked
        by the services, as any request is."""
        name, _, value = str(e.args).partition(":")
        if name == "move":
            await self.move(value)
        elif name == "close":
            await self.close(value)
        elif name == "duplicate":
            await self.duplicates.ask()
        elif name == "edit":
            self.editor.open()
        elif name == "delete":
            await self.confirm_delete()
        elif name == "comment":
            await self.add_comment()

    async def move(self, target: str) -> None:
        assert self.data is not None
        result = await self.viewer.call(
            services.issues.change_status, self.issue_id, target, version=self.data.issue.version
        )
        await self._after_write(result)

    async def close(self, resolution: str) -> None:
        assert self.data is not None
        result = await self.viewer.call(
            services.issues.change_status,
            self.issue_id,
            "DONE",
            version=self.data.issue.version,
            resolution=resolution,
        )
        await self._after_write(result)

    async def assign(self, user_id: int | None) -> None:
        assert self.data is not None
        current = self.data.issue.assignee.id if self.data.issue.assignee else None
        if user_id == current:
            return
        result = await self.viewer.call(
            services.issues.assign, self.issue_id, user_id, version=self.data.issue.version
        )
        await self._after_picked(result)

    async def set_tags(self, tags: list[str]) -> None:
        assert self.data is not None
        if sorted(tags) == self.data.issue.tags:
            return
        result = await self.viewer.call(
            services.issues.set_tags, self.issue_id, tags, version=self.data.issue.version
        )
        await self._after_picked(result)

    async def _after_picked(self, result: Any) -> None:
        await self._after_write(result)
        if not result.ok and self.data is not None and self.banner is None:
            self._show_actions(again=True)  # refused: the pickers show what the issue holds

    async def add_comment(self) -> None:
        result = await self.viewer.call(
            services.comments.add_comment, self.issue_id, {"body": self.comment.value or ""}
        )
        if result.ok:
            self.comment.value = ""
            await self.refresh()

    async def confirm_delete(self) -> None:
        with PageDialog() as dialog, ui.card():
            ui.label("Delete this issue with its comments and files? This cannot be undone.")
            with ui.row():
                ui.button("Delete", color="negative", on_click=lambda: dialog.submit(True))
                ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
        if await answer(dialog):
            result = await self.viewer.call(services.issues.delete_issue, self.issue_id)
            if result.ok:
                ui.notify("Issue deleted.", type="positive")
                ui.navigate.to("/")

    async def _after_write(self, result: Any) -> None:
        if isinstance(result.error, services.Conflict):
            ui.notify(
                "Someone changed this issue a moment ago; the page now shows the "
                "current state. Check it and try again.",
                type="warning",
            )
        if result.ok and result.value is not None and self.data is not None:
            self.show(
                IssueData(
                    result.value,
                    self.data.comments,
                    self.data.activity,
                    self.data.analyses,
                    self.data.signatures,
                    self.data.original_visible,
                ),
                self.data,
            )
        await self.refresh()


def description(issue: services.IssueView) -> str:
    """The Markdown rendered by the services' safe renderer, as a card's content (sanitised
    again in the browser)."""
    if issue.description_html.strip():
        return f'<div class="{MARKDOWN_CLASS} w-full">{issue.description_html}</div>'
    return markup.div("No description provided.", "opacity-60 italic")  # said, not empty


SECTION = '<div class="text-lg font-semibold">{}</div>'  # a section's heading, as markup


def comments(items: list[services.CommentView]) -> str:
    """Every comment, oldest first, as one list (each a card: who, when, its Markdown
    rendered by the services' safe renderer)."""
    if not items:
        return '<div class="opacity-60">No comments yet.</div>'
    now = dt.datetime.now(dt.UTC)
    cards = "".join(
        f'<li class="{markup.CARD} w-full p-3 gap-1"><span class="text-xs opacity-70">'
        + f"{markup.text(person(c.author))} · "
        + markup.moment(c.created_at, when(c.created_at, now), "")
        + f'</span><div class="{MARKDOWN_CLASS} w-full">{c.body_html}</div></li>'
        for c in items
    )
    return f'<ol class="w-full flex flex-col gap-2">{cards}</ol>'


def _text_or_state(issue: services.IssueView) -> tuple[Any, ...]:
    """What possible duplicates depend on."""
    return (issue.title, issue.description, issue.status, issue.duplicate_of, issue.signatures)


def _ids(attachments: list[services.AttachmentView]) -> list[int]:
    return [a.id for a in attachments]
