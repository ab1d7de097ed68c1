"""Request ids, JSON logs with the user, /readyz and /metrics."""

from __future__ import annotations

import json
import logging

from tests.api.conftest import auth
from tracker_app.observe import JsonFormatter


async def test_every_request_gets_an_id_and_one_log_line_with_the_user(
    http, people, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="tracker.request")
    response = await http.get("/api/v1/me", headers=auth(people["reporter"]))
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    [record] = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "request" and line["path"] == "/api/v1/me" and line["status"] == 200
    assert line["user_id"] == people["reporter"].id and line["ms"] >= 0
    kept = await http.get("/healthz", headers={"X-Request-ID": "from-the-proxy"})
    assert kept.headers["x-request-id"] == "from-the-proxy"


async def test_ready_means_database_up_and_migrated(http, db) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "database": "ok",
        "migrations": "at head",
        "storage": "ok",
        "storage_kind": "local",
    }


async def test_metrics_are_plain_prometheus_text(http, db) -> None:
    await http.get("/healthz")
    text = (await http.get("/metrics")).text
    assert 'tracker_http_requests_total{status="2xx"}' in text
    assert (
        "tracker_connected_pages" in text and "tracker_http_request_duration_seconds_count" in text
    )


def test_json_logging_is_one_object_per_line(capsys) -> None:
    import logging as stdlib_logging

    from tracker_app.observe import configure_logging

    root = stdlib_logging.getLogger()
    saved, root.handlers = root.handlers, []
    try:
        configure_logging("json")
        stdlib_logging.getLogger("tracker.test").warning("hello", extra={"user_id": 7})
    finally:
        root.handlers = saved
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["msg"] == "hello" and line["user_id"] == 7 and line["level"] == "warning"
