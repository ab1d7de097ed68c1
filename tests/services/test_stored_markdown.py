"""HTML stored before images were limited to own attachments is never shown as stored:
descriptions and comments with another image are rendered again when read."""

from __future__ import annotations

from sqlalchemy import update

import services
from services.models import Comment, Issue
from tests.factories import make_issue, make_user

PIXEL = "https://tracker.example/pixel.gif"
SOURCE = f"Broken since Monday ![]({PIXEL}) ![log](/attachments/1?inline=1)"
# What the renderer stored before: every image as an <img>.
OLD_HTML = (
    f'<p>Broken since Monday <img src="{PIXEL}" alt=""> '
    '<img src="/attachments/1?inline=1" alt="log"></p>\n'
)


def test_old_descriptions_and_comments_with_foreign_images_are_shown_safe(db) -> None:
    reporter = make_user()
    issue = make_issue(reporter, description="placeholder")
    with services.session() as s:
        comment = services.comments.add_comment(s, reporter, issue.id, {"body": "placeholder"})
    with services.session() as s:  # as an older version stored them
        s.execute(
            update(Issue)
            .where(Issue.id == issue.id)
            .values(description=SOURCE, description_html=OLD_HTML)
        )
        s.execute(
            update(Comment).where(Comment.id == comment.id).values(body=SOURCE, body_html=OLD_HTML)
        )
        s.commit()
    with services.session() as s:
        shown = services.issues.get_issue(s, reporter, issue.id).description_html
        [comment_view] = services.comments.list_comments(s, reporter, issue.id)
    for html in (shown, comment_view.body_html):
        assert f'<img src="{PIXEL}"' not in html
        assert f'<a href="{PIXEL}">{PIXEL}</a>' in html  # the image became a link
        assert '<img src="/attachments/1?inline=1" alt="log">' in html  # own image kept
