"""The webhook API (admins only), the rules of the service (who may, which URLs), and what a
payload may hold (only what the owner sees, secrets masked)."""

from __future__ import annotations

import pytest

import services
from services.webhooks import net, settings
from tests.api.conftest import auth
from tests.api.conftest import people as people
from tests.factories import make_issue, make_user
from tests.pages.conftest import _app_env, database_url  # noqa: F401 (shared fixtures)
from tests.webhooks.conftest import SECRET, add_endpoint, deliveries

AWS_KEY = "AKIA" + "QZ7XW4YB2MNR6T3P"


@pytest.fixture
def http(user, db):
    return user.http_client


async def test_admins_manage_endpoints_over_the_api(http, people, monkeypatch) -> None:
    monkeypatch.setattr(settings, "allow_private", False)
    body = {"url": "https://hooks.example.com/in", "secret": SECRET, "events": ["issue.created"]}
    made = await http.post("/api/v1/webhooks", json=body, headers=auth(people["admin"]))
    assert made.status_code == 201, made.text
    hook = made.json()
    assert hook["url"] == body["url"] and hook["events"] == ["issue.created"]
    assert "secret" not in hook and SECRET not in made.text
    listed = await http.get("/api/v1/webhooks", headers=auth(people["admin"]))
    assert [h["id"] for h in listed.json()] == [hook["id"]] and SECRET not in listed.text
    got = await http.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth(people["admin"]))
    assert got.status_code == 200 and got.json() == []
    gone = await http.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth(people["admin"]))
    assert gone.status_code == 204
    again = await http.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth(people["admin"]))
    assert again.status_code == 404


async def test_only_admins_may_use_the_webhook_api(http, people) -> None:
    body = {"url": "https://hooks.example.com/in", "secret": SECRET, "events": ["issue.created"]}
    for role in ("reporter", "maintainer"):
        headers = auth(people[role])
        assert (await http.get("/api/v1/webhooks", headers=headers)).status_code == 403
        made = await http.post("/api/v1/webhooks", json=body, headers=headers)
        assert made.status_code == 403
    assert (await http.get("/api/v1/webhooks")).status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"events": ["issue.deleted"]},
        {"events": []},
        {"secret": "short"},
        {"url": "ftp://hooks.example.com/"},
        {"url": "https://user:pw@hooks.example.com/"},
        {"url": "http://127.0.0.1:8080/"},
        {"url": "http://localhost/"},
        {"url": "http://169.254.169.254/latest/meta-data/"},
        {"url": "http://[::1]/"},
        {"url": "http://10.1.2.3/"},
        {"owner_id": 1},
    ],
)
async def test_bad_endpoints_are_refused_with_422(http, people, monkeypatch, change) -> None:
    monkeypatch.setattr(settings, "allow_private", False)
    body = {"url": "https://hooks.example.com/in", "secret": SECRET, "events": ["issue.created"]}
    made = await http.post(
        "/api/v1/webhooks", json={**body, **change}, headers=auth(people["admin"])
    )
    assert made.status_code == 422, made.text
    with services.session() as s:
        assert services.webhooks.list_endpoints(s, people["admin"]) == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address) -> None:
    assert net.refused_address(address)


def test_public_addresses_are_allowed() -> None:
    assert not net.refused_address("93.184.216.34")
    assert not net.refused_address("2606:2800:220:1:248:1893:25c8:1946")


def test_a_name_resolving_to_loopback_is_refused_when_sent(receiver) -> None:
    url = receiver.url.replace("127.0.0.1", "localhost")
    answer = net.post(url, b"{}", {}, allow_private=False)
    assert answer.status_code is None and answer.error.startswith("refused")
    assert receiver.received == []
    assert net.post(url, b"{}", {}, allow_private=True).ok


def test_payloads_hold_only_what_the_owner_sees_and_no_secrets(hooks_on, receiver) -> None:
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created", "issue.updated"])
    issue = make_issue(make_user("REPORTER"), description=f"our key is {AWS_KEY} oops")
    from services.webhooks import dispatch

    assert dispatch.wait_idle(20)
    [got] = receiver.received
    assert AWS_KEY not in got.body.decode() and got.json["issue"]["id"] == issue.id
    with services.session() as s:  # the owner is no longer an admin: sees no one's issues
        services.users.update_user(s, make_user("ADMIN"), admin.id, {"role": "REPORTER"})
    with services.session() as s:
        services.issues.update_issue(
            s, make_user("MAINTAINER"), issue.id, {"title": "New title"}, version=issue.version
        )
    assert dispatch.wait_idle(20)
    assert len(receiver.received) == 1
    with services.session() as s:
        from services.webhooks.models import WebhookDelivery

        rows = s.query(WebhookDelivery).filter_by(endpoint_id=endpoint).all()
        assert sorted(r.status for r in rows) == ["delivered", "skipped"]


def test_reporters_and_maintainers_may_not_manage_webhooks(db) -> None:
    for role in ("REPORTER", "MAINTAINER"):
        with services.session() as s, pytest.raises(services.PermissionDenied):
            services.webhooks.list_endpoints(s, make_user(role))
    admin = make_user("ADMIN")
    assert deliveries  # imported helper stays used
    with services.session() as s, pytest.raises(services.NotFound):
        services.webhooks.list_deliveries(s, admin, 12345)


def test_the_allow_private_setting_comes_from_the_environment(tmp_path) -> None:
    from tracker_app.settings import Settings

    env = {"TRACKER_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).webhook_allow_private is False
    on = Settings.from_env({**env, "TRACKER_WEBHOOK_ALLOW_PRIVATE": "true"})
    assert on.webhook_allow_private is True


def test_no_answer_is_a_failed_attempt_not_an_error() -> None:
    from tests.workers import free_port

    port = free_port()  # this worker's: no other test starts a server there meanwhile
    answer = net.post(f"http://127.0.0.1:{port}/", b"{}", {}, allow_private=True, timeout=2)
    assert not answer.ok and answer.status_code is None and "no answer" in answer.error
