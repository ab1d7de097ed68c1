"""`tracker storage migrate|sweep|check|prepare` against the real S3 server: a migration
copies every file with its checksum verified, stops cleanly when the bucket goes away and
resumes where it stopped, refuses to spread a damaged file, and switches nothing."""

from __future__ import annotations

import hashlib
import secrets

import services
from services.storage import s3
from tests.cli.conftest import _disconnect, data_dir, tracker  # noqa: F401 (shared fixtures)
from tests.factories import make_issue, make_user
from tracker_app import migrate

FILES = [b"first log line\n" * 10, b"second file\n" * 20, b"third one\n" * 30]


def seed_local_files(data_dir) -> tuple[services.Actor, list[tuple[int, bytes]]]:  # noqa: F811
    """Three attachments in the local upload directory, as an existing install has them."""
    url = f"sqlite:///{data_dir / 'tracker.db'}"
    data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url)
    services.connect(url, upload_dir=data_dir / "uploads", secret_key=secrets.token_hex(16))
    me = make_user("ADMIN")
    issue = make_issue(me)
    out = []
    for i, content in enumerate(FILES):
        with services.session() as s:
            view = services.attachments.save_attachment(
                s, me, issue.id, filename=f"f{i}.log", content=content
            )
        out.append((view.id, content))
    return me, out


def test_migrate_copies_verifies_resumes_and_switches_nothing(
    tracker,  # noqa: F811
    data_dir,  # noqa: F811
    s3_server,
    bucket,
    monkeypatch,
):
    admin, seeded = seed_local_files(data_dir)
    to = f"s3://{bucket}/tracker"
    endpoint = {"TRACKER_S3_ENDPOINT_URL": s3_server.url}
    put = s3.S3Storage.put_file
    calls = []

    def stop_after_two(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            s3_server.stop()  # the bucket goes away in the middle of the run
        return put(self, *args, **kwargs)

    monkeypatch.setattr(s3.S3Storage, "put_file", stop_after_two)
    first = tracker("storage", "migrate", "--to", to, **endpoint)
    assert first.exit_code == 1 and "Try again" in first.output, first.output
    s3_server.start()
    assert len(s3_server.keys(bucket)) == 2  # two whole files, nothing half-written

    # Nothing switched: the app still reads every file from the upload directory.
    services.connect(f"sqlite:///{data_dir / 'tracker.db'}", upload_dir=data_dir / "uploads")
    with services.session() as s:
        for file_id, content in seeded:
            file = services.attachments.open_attachment(s, admin, file_id)
            assert file.path is not None and file.read_bytes() == content

    second = tracker("storage", "migrate", "--to", to, **endpoint)
    assert second.exit_code == 0, second.output
    assert "1 copied and verified, 2 already there (of 3 files)" in second.output
    assert "Copying to s3://" in second.output  # the progress bar
    assert f"set TRACKER_STORAGE_URL={to}" in second.output
    keys = s3_server.keys(bucket)
    assert len(keys) == 3
    for key in keys:
        sha = s3_server.head(bucket, key)["Metadata"]["sha256"]
        body = s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == sha

    # Switched by hand: every file comes from the bucket, identical.
    services.connect(
        f"sqlite:///{data_dir / 'tracker.db'}",
        upload_dir=data_dir / "elsewhere",
        storage_url=to,
        s3_endpoint_url=s3_server.url,
    )
    with services.session() as s:
        for file_id, content in seeded:
            file = services.attachments.open_attachment(s, admin, file_id)
            assert file.path is None and file.read_bytes() == content
    again = tracker("storage", "migrate", "--to", to, **endpoint)
    assert "0 copied and verified, 3 already there" in again.output


def test_a_damaged_file_is_reported_not_copied(tracker, data_dir, s3_server, bucket):  # noqa: F811
    _, seeded = seed_local_files(data_dir)
    storage = services.files.storage()
    with services.session() as s:
        name = s.get(services.models.Attachment, seeded[1][0]).stored_name
    storage.local_path(name).write_bytes(b"bit rot\n")
    result = tracker(
        "storage", "migrate", "--to", f"s3://{bucket}/x", TRACKER_S3_ENDPOINT_URL=s3_server.url
    )
    assert result.exit_code == 1
    assert f"{name}: the stored file does not match its recorded checksum" in result.output
    assert "Nothing was switched" in result.output
    assert len(s3_server.keys(bucket)) == 2 and all(name not in k for k in s3_server.keys(bucket))


def test_sweep_check_and_prepare_from_the_command_line(tracker, data_dir, s3_server):  # noqa: F811
    seed_local_files(data_dir)
    new_bucket = f"tracker-{secrets.token_hex(6)}"
    env = {
        "TRACKER_STORAGE_URL": f"s3://{new_bucket}/files",
        "TRACKER_S3_ENDPOINT_URL": s3_server.url,
    }
    missing = tracker("storage", "check", **env)
    assert missing.exit_code == 1 and "not reachable" in missing.output
    assert tracker("storage", "prepare", **env).output.endswith("created.\n")
    assert tracker("storage", "prepare", **env).output.endswith("exists.\n")
    assert tracker("storage", "check", **env).exit_code == 0
    services.connect(
        f"sqlite:///{data_dir / 'tracker.db'}",
        upload_dir=data_dir / "uploads",
        storage_url=env["TRACKER_STORAGE_URL"],
        s3_endpoint_url=s3_server.url,
    )
    services.files.store_blob(b"an orphan")
    young = tracker("storage", "sweep", **env)
    assert "removed 0 orphaned file(s)" in young.output and "1 too young" in young.output
    dry = tracker("storage", "sweep", "--min-age", "0", "--dry-run", **env)
    assert dry.output.startswith("Would have: removed 1 orphaned file(s)")
    swept = tracker("storage", "sweep", "--min-age", "0", **env)
    assert swept.exit_code == 0 and "removed 1 orphaned file(s)" in swept.output
    assert s3_server.keys(new_bucket) == []
