"""The pages with the files in a bucket: the new-issue form's files go to the bucket when
the issue is filed; with the bucket down the issue is still filed, the page says which
files were not attached and why (try again), and nothing is left anywhere."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

import services
from tests.pages.conftest import _app_env, sign_in  # noqa: F401 (the app's settings)
from tests.pages.test_upload_pages import PNG, drop
from tests.storage.conftest import local_files


async def test_the_forms_files_go_to_the_bucket(user: User, db, s3_server, bucket) -> None:
    sign_in(user)
    await user.open("/issues/new")
    user.find("Title").type("Crash on start")
    await drop(user, ("screen.png", PNG), ("app.log", b"boot ok\n"))
    await user.should_see("app.log")
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("reported by", retries=100)
    assert len(s3_server.keys(bucket)) == 2
    assert local_files(services.runtime().upload_dir) == []


async def test_with_the_bucket_down_the_issue_is_filed_and_the_page_says_try_again(
    user: User, db, s3_server, bucket
) -> None:
    sign_in(user)
    await user.open("/issues/new")
    user.find("Title").type("Checkout fails")
    await drop(user, ("screen.png", PNG))
    await user.should_see("screen.png")
    s3_server.stop()
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("some files were not attached", retries=100)
    await user.should_see("The file storage is not reachable right now")
    s3_server.start()
    assert s3_server.keys(bucket) == []
    assert local_files(services.runtime().upload_dir) == []  # the staged file is gone too
