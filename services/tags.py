"""Tags as a whole: the existing ones (suggested while tagging), and renaming or merging one
(admins). Tags are lower-case, so `Regression` and `regression` are one tag already."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import queries
from .activity import record
from .db import begin_write
from .enums import Verb
from .errors import InvalidInput, NotFound
from .events import ChangeEvent, emit
from .models import Issue, IssueTag, Tag, utcnow
from .permissions import can_manage_users, can_triage, load_actor, require
from .schemas import Actor, TagsInput, parse


@dataclass(frozen=True)
class TagCount:
    name: str
    issues: int


def list_tags(s: Session, actor: Actor) -> list[TagCount]:
    """Every tag with how many issues carry it, most used first (staff: they tag)."""
    require(can_triage(load_actor(s, actor)), "Only maintainers and admins can tag issues.")
    rows = s.execute(
        select(Tag.name, func.count(IssueTag.issue_id))
        .outerjoin(IssueTag, IssueTag.tag_id == Tag.id)
        .group_by(Tag.name)
        .order_by(func.count(IssueTag.issue_id).desc(), Tag.name)
    )
    return [TagCount(name, count) for name, count in rows]


def tag_names(s: Session, actor: Actor) -> list[str]:
    """Every tag's name, A to Z: what a tag picker suggests (staff). Unlike `list_tags` it
    counts nothing, so an issue page costs the same at a million issues as at ten."""
    require(can_triage(load_actor(s, actor)), "Only maintainers and admins can tag issues.")
    return list(s.scalars(select(Tag.name).order_by(Tag.name)))


def rename_tag(s: Session, actor: Actor, old: str, new: str) -> int:
    """Admins rename a tag; to a name that exists, the two merge. Each issue that carried it
    records the change in its timeline. Returns how many issues changed."""
    [old_name, new_name] = [parse(TagsInput, {"tags": [t]}).tags[0] for t in (old, new)]
    begin_write(s)
    user = load_actor(s, actor)
    require(can_manage_users(user), "Only administrators can rename or merge tags.")
    source = s.scalar(select(Tag).where(Tag.name == old_name))
    if source is None:
        raise NotFound("tag")
    if old_name == new_name:
        raise InvalidInput("The new name is the same.", {"new": "unchanged"})
    issue_ids = list(s.scalars(select(IssueTag.issue_id).where(IssueTag.tag_id == source.id)))
    before = queries.tags_of(s, issue_ids)
    target_id = queries.ensure_tags(s, [new_name])[0]
    has_target = select(IssueTag.issue_id).where(IssueTag.tag_id == target_id)
    s.execute(
        delete(IssueTag).where(IssueTag.tag_id == source.id, IssueTag.issue_id.in_(has_target))
    )
    s.execute(update(IssueTag).where(IssueTag.tag_id == source.id).values(tag_id=target_id))
    s.execute(delete(Tag).where(Tag.id == source.id))
    after = queries.tags_of(s, issue_ids)
    now = utcnow()
    for issue in s.scalars(select(Issue).where(Issue.id.in_(issue_ids))):
        old_tags, new_tags = ",".join(before.get(issue.id, [])), ",".join(after.get(issue.id, []))
        record(s, issue, user.id, Verb.TAGS, "tags", old_tags, new_tags)
        issue.updated_at = now  # a new version: an editor holding the old tags is told
    emit(s, ChangeEvent("issue", "bulk"))
    s.commit()
    return len(issue_ids)
