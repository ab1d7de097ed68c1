"""Docker cannot run here, so the deployment files are checked instead: against their
published schemas (vendored by check-jsonschema), by hadolint, and against the CLI — every
container command is a `tracker` command the tests run too."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from tracker_app.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is missing (it is in the test extra)")
    return found


def _compose() -> dict:
    return YAML(typ="safe").load(COMPOSE.read_text())


@pytest.mark.parametrize(
    "path, schema", [(COMPOSE, "vendor.compose-spec"), (WORKFLOW, "vendor.github-workflows")]
)
def test_files_match_their_published_schemas(path: Path, schema: str) -> None:
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [_tool("hadolint"), "--failure-threshold", "info", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_small_non_root_and_runs_the_cli() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(stages) == 2 and all(s.startswith("python:3.11-slim") for s in stages)
    final = text.split("\nFROM ")[-1]
    assert "USER 10001" in final and "gcc" not in final and "build-essential" not in final
    # The one system package at run time is Tesseract (OCR of screenshots and scans), with
    # the languages the invoices are read in, without recommends, its lists removed.
    installs = re.findall(r"apt-get install[^&]*", final)
    assert len(installs) == 1 and "--no-install-recommends" in installs[0]
    assert set(installs[0].split()[4:]) == {
        "tesseract-ocr",
        "tesseract-ocr-eng",
        "tesseract-ocr-deu",
        "tesseract-ocr-fra",
        "tesseract-ocr-spa",
        "\\",
    }
    assert "rm -rf /var/lib/apt/lists/*" in final
    assert 'ENTRYPOINT ["tracker"]' in final and "/healthz" in final
    assert '["serve", "--host", "0.0.0.0", "--port", "8080"]' in final
    for package in ("services", "pages", "tracker_app", "migrations"):
        assert f"COPY {package} ./{package}" in text


def test_every_container_command_is_a_real_tracker_command() -> None:
    services = _compose()["services"]
    commands = {
        name: s["command"]
        for name, s in services.items()
        if "build" in s or "<<" in s or s.get("image", "").startswith("issues-insights-tracker")
    }
    assert set(commands) == {"migrate", "bucket", "web", "worker", "scheduler"}
    assert commands["migrate"] == ["db", "upgrade"]
    assert commands["bucket"] == ["storage", "prepare"]
    assert commands["web"][0] == "serve" and commands["worker"] == ["worker"]
    assert commands["scheduler"] == ["scheduler"]
    runner = CliRunner()
    for command in commands.values():
        words = [w for w in command if not w.startswith("-") and not w[0].isdigit()]
        result = runner.invoke(main, [*words[:2], "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_the_stack_waits_for_its_dependencies_and_scales_the_web() -> None:
    services = _compose()["services"]
    assert services["db"]["image"] == "postgres:16" and "healthcheck" in services["db"]
    assert services["web"]["deploy"]["replicas"] == 2
    for name in ("web", "worker", "scheduler"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["bucket"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["bucket"]["depends_on"]["objects"]["condition"] == "service_healthy"


def test_web_and_workers_share_only_the_database_redis_and_the_bucket() -> None:
    """No shared disk: the attachments are in the object store's named volume, and every
    app container reaches it with the same settings (what several machines would do)."""
    compose = _compose()
    services = compose["services"]
    for name in ("web", "worker", "scheduler", "migrate", "bucket"):
        assert "volumes" not in services[name], name
        env = services[name]["environment"]
        assert env["TRACKER_STORAGE_URL"] == "s3://tracker/attachments"
        assert env["TRACKER_S3_ENDPOINT_URL"] == "http://objects:9000"
        assert env["AWS_SECRET_ACCESS_KEY"].startswith("${S3_SECRET_KEY:?")
    objects = services["objects"]
    image, _, tag = objects["image"].partition(":")
    assert image == "minio/minio" and tag.startswith("RELEASE.")  # pinned, never :latest
    assert objects["volumes"] == ["objects:/data"] and "objects" in compose["volumes"]
    assert objects["environment"]["MINIO_ROOT_PASSWORD"].startswith("${S3_SECRET_KEY:?")
    assert "healthcheck" in objects and "ports" not in objects  # not published on the host
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "objects"}


def test_secrets_come_from_the_env_file_which_documents_them() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    example = (ROOT / ".env.example").read_text()
    assert required == {"POSTGRES_PASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY"}
    for name in (*required, "TRACKER_SECRET_KEY"):
        assert re.search(rf"^{name}=$", example, re.M), name  # listed, deliberately empty


def _blocks(conf: str, kind: str) -> dict[str, str]:
    """The `kind` blocks (upstream, location) of an nginx site by name; none nests."""
    return dict(re.findall(rf"^\s*{kind} (\S+) {{\n(.*?)^\s*}}", conf, re.M | re.S))


def test_the_proxy_keeps_pages_on_one_process_spreads_the_api_and_allows_uploads() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = _blocks(conf, "upstream")
    assert "ip_hash;" in upstreams["tracker_web"]
    assert "least_conn;" in upstreams["tracker_api"]
    servers = {name: re.findall(r"server (\S+);", body) for name, body in upstreams.items()}
    assert servers == {"tracker_web": ["web:8080"], "tracker_api": ["web:8080"]}
    locations = {
        path: re.findall(r"proxy_pass http://(\w+);", body)
        for path, body in _blocks(conf, "location").items()
    }
    # Pages and websockets sticky, the API spread, its sign-in and sign-up sticky (their
    # per-address limits are counted in one process).
    assert locations == {
        "/": ["tracker_web"],
        "/api/": ["tracker_api"],
        "/api/v1/auth/": ["tracker_web"],
    }
    # Every location inherits the server's proxy headers: none sets its own.
    assert all("proxy_set_header" not in body for body in _blocks(conf, "location").values())
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    size = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert size > 25  # the default TRACKER_MAX_UPLOAD_MB, plus the form around it
    assert "gzip on;" in conf


def _site_without_addresses(conf: str) -> list[str]:
    """An nginx site's lines without comments, upstream servers and the listen port."""
    lines = [line.split("#", 1)[0].rstrip() for line in conf.splitlines()]
    return [line for line in lines if line and not re.match(r"\s*(server \S+:\d+;|listen )", line)]


def test_the_single_machine_proxy_is_the_compose_one_pointed_at_local_processes() -> None:
    """deploy/nginx-local.conf (in front of `tracker serve --workers`) cannot drift from
    deploy/nginx.conf: only the addresses differ."""
    compose = (ROOT / "deploy" / "nginx.conf").read_text()
    local = (ROOT / "deploy" / "nginx-local.conf").read_text()
    assert _site_without_addresses(local) == _site_without_addresses(compose)
    for body in _blocks(local, "upstream").values():
        assert re.findall(r"server (\S+);", body) == ["127.0.0.1:8081", "127.0.0.1:8082"]
    assert re.findall(r"^\s*listen (\S+);", local, re.M) == ["8080"]
    assert "tracker serve --workers 2 --port 8081" in local  # how to start what it expects


def test_the_github_workflow_mirrors_ci_run() -> None:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text())
    steps = [s.get("run", "") for s in workflow["jobs"]["tests"]["steps"]]
    assert "bash .ci/run" in steps
    assert set(workflow["jobs"]["tests"]["services"]) == {"postgres", "redis"}
    assert any("docker build" in s.get("run", "") for s in workflow["jobs"]["image"]["steps"])
