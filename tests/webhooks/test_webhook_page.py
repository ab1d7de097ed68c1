"""/admin/webhooks: an admin adds an endpoint, sees its deliveries and attempts, re-sends,
pauses, resumes and deletes; others are told it is for administrators."""

from __future__ import annotations

from nicegui.testing import User

import services
from services.webhooks import dispatch
from tests.factories import make_issue
from tests.pages.conftest import sign_in
from tests.webhooks.conftest import SECRET


async def test_an_admin_manages_an_endpoint_and_re_sends(user: User, hooks_on, receiver) -> None:
    admin = sign_in(user, "ADMIN")
    await user.open("/admin/jobs")
    user.find("Webhooks").click()
    await user.should_see("No endpoints yet.")
    user.find(marker="webhook-url").type(receiver.url)
    user.find(marker="webhook-secret").type(SECRET)
    user.find(marker="webhook-add").click()
    await user.should_see("Endpoint added.")
    await user.should_see(receiver.url)
    [hook] = _endpoints(admin)
    assert hook.events == list(services.webhooks.EVENTS)
    issue = make_issue(admin)
    assert dispatch.wait_idle(20)
    user.find(marker=f"deliveries-{hook.id}").click()
    await user.should_see(f"issue.created · #{issue.id}")
    await user.should_see("200 in")
    [delivery] = _deliveries(admin, hook.id)
    user.find(marker=f"resend-{delivery.id}").click()
    await user.should_see("Sending again.")
    assert dispatch.wait_idle(20)
    assert len(receiver.received) == 2
    user.find(marker=f"pause-{hook.id}").click()
    await user.should_see("Paused: deliveries wait until you resume.")
    assert _endpoints(admin)[0].paused
    await user.should_see(marker=f"resume-{hook.id}")  # the list is redrawn after the notice
    user.find(marker=f"resume-{hook.id}").click()
    await user.should_see("Resumed")
    assert not _endpoints(admin)[0].paused
    user.find(marker=f"delete-{hook.id}").click()
    await user.should_see("Delete this endpoint and its deliveries?")
    user.find(marker="delete-confirm").click()
    await user.should_see("Endpoint deleted.")
    assert _endpoints(admin) == []


async def test_a_bad_url_is_explained(user: User, hooks_on, monkeypatch) -> None:
    from services.webhooks import settings

    monkeypatch.setattr(settings, "allow_private", False)
    sign_in(user, "ADMIN")
    await user.open("/admin/webhooks")
    user.find(marker="webhook-url").type("http://127.0.0.1/")
    user.find(marker="webhook-secret").type(SECRET)
    user.find(marker="webhook-add").click()
    await user.should_see("loopback, private and link-local addresses are refused")


async def test_webhooks_are_for_admins(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    await user.open("/admin/webhooks")
    await user.should_see("Only administrators can manage webhooks.")


def _endpoints(admin):
    with services.session() as s:
        return services.webhooks.list_endpoints(s, admin)


def _deliveries(admin, endpoint_id):
    with services.session() as s:
        return services.webhooks.list_deliveries(s, admin, endpoint_id)
