"""Runs inside Roundup's own virtualenv (not ours): fills a classic tracker with issues.

    <roundup venv>/bin/python roundup_seed.py TRACKER_HOME ISSUES.jsonl

Each line of ISSUES.jsonl is one of our issues (title, description, severity, status); it
becomes a Roundup issue whose first message is the description, the way Roundup keeps one.
"""

import json
import sys

from roundup import instance

PRIORITY = {"CRITICAL": "critical", "HIGH": "urgent", "MEDIUM": "bug", "LOW": "feature"}
STATUS = {"OPEN": "unread", "TRIAGED": "chatting", "IN_PROGRESS": "in-progress", "DONE": "resolved"}


def main(home: str, source: str) -> None:
    db = instance.open(home).open("admin")
    priority = {name: db.priority.lookup(name) for name in PRIORITY.values()}
    status = {name: db.status.lookup(name) for name in STATUS.values()}
    admin = db.user.lookup("admin")
    with open(source, encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            issue = json.loads(line)
            message = db.msg.create(content=issue["description"], author=admin)
            db.issue.create(
                title=issue["title"],
                messages=[message],
                priority=priority[PRIORITY[issue["severity"]]],
                status=status[STATUS[issue["status"]]],
            )
            if n % 1000 == 0:
                db.commit()
    db.commit()
    db.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
