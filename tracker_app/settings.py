"""Settings from the environment (every variable is documented in the README)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from services import similar
from services.quotas import WriteLimits
from services.uploads import (
    DEFAULT_MAX_BYTES_PER_DAY,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FILES_PER_ISSUE,
    MB,
)

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "please-change-me", "dev", "development", "xxx"}
)
MIN_SECRET_LENGTH = 32
ENVIRONMENTS = ("development", "production")
# The per-user write limits (services.quotas.WriteLimits): setting -> field.
WRITE_LIMITS = {
    "TRACKER_MAX_ISSUES_PER_HOUR": "issues_per_hour",
    "TRACKER_MAX_COMMENTS_PER_HOUR": "comments_per_hour",
    "TRACKER_MAX_ATTACHMENTS_PER_HOUR": "attachments_per_hour",
    "TRACKER_MAX_IMPORTED_ISSUES_PER_DAY": "imported_issues_per_day",
}


UPLOAD_DIR_WORDS = "the local upload directory"


class SettingsError(RuntimeError):
    """The configuration is unusable; the message says which variable to fix."""


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    upload_dir: Path
    max_upload_mb: int
    allow_signup: bool
    log_format: str = "text"
    forwarded_allow_ips: str = "127.0.0.1"
    session_idle_hours: int = 24
    intake_cpu_seconds: int = 30
    intake_memory_mb: int = 1024
    intake_wall_seconds: int = 60
    keep_photo_location: bool = False
    max_body_kb: int = 256
    metrics_token: str | None = None
    max_files_per_issue: int = DEFAULT_MAX_FILES_PER_ISSUE
    max_upload_mb_per_day: int = DEFAULT_MAX_BYTES_PER_DAY // MB
    limits: WriteLimits = field(default_factory=WriteLimits)
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    model_dir: Path | None = None  # TRACKER_SIMILARITY_MODEL_DIR
    webhook_allow_private: bool = False  # TRACKER_WEBHOOK_ALLOW_PRIVATE
    page_connect_seconds: int = 20  # a page no browser connects to is dropped after this

    @property
    def similarity_model_dir(self) -> Path:
        """Where the embedding model for similar issues is (`tracker similar prepare-model`
        puts it there; the Docker image has it)."""
        return self.model_dir or similar.default_model_dir(self.data_dir)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded(self) -> bool:
        """No Redis: in-process events and timer (the zero-setup default)."""
        return self.redis_url is None

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MB

    @property
    def max_upload_bytes_per_day(self) -> int:
        return self.max_upload_mb_per_day * MB

    @property
    def max_body_bytes(self) -> int:
        """The largest request body a route other than an upload takes."""
        return self.max_body_kb * 1024

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("TRACKER_ENV", "development").strip().lower() or "development"
        if mode not in ENVIRONMENTS:
            raise SettingsError(
                f"TRACKER_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}."
            )
        data_dir = Path(env.get("TRACKER_DATA_DIR", "var"))
        max_upload_mb, per_day = _upload_mb(env)
        database_url = env.get("TRACKER_DATABASE_URL") or f"sqlite:///{data_dir / 'tracker.db'}"
        return cls(
            env=mode,
            data_dir=data_dir,
            database_url=database_url,
            redis_url=env.get("TRACKER_REDIS_URL") or None,
            secret_key=_secret_key(env.get("TRACKER_SECRET_KEY"), mode, data_dir),
            upload_dir=Path(env.get("TRACKER_UPLOAD_DIR") or data_dir / "uploads"),
            max_upload_mb=max_upload_mb,
            allow_signup=_flag(env, "TRACKER_ALLOW_SIGNUP", True),
            log_format=log_format(env),
            forwarded_allow_ips=_forwarded_allow_ips(env, mode),
            session_idle_hours=_positive_int(env, "TRACKER_SESSION_IDLE_HOURS", 24),
            intake_cpu_seconds=_positive_int(env, "TRACKER_INTAKE_CPU_SECONDS", 30),
            intake_memory_mb=_positive_int(env, "TRACKER_INTAKE_MEMORY_MB", 1024),
            intake_wall_seconds=_positive_int(env, "TRACKER_INTAKE_WALL_SECONDS", 60),
            keep_photo_location=_flag(env, "TRACKER_KEEP_PHOTO_LOCATION", False),
            # 256 KB: the largest valid issue (20,000 characters) fits even JSON-escaped.
            max_body_kb=_positive_int(env, "TRACKER_MAX_BODY_KB", 256),
            metrics_token=(env.get("TRACKER_METRICS_TOKEN") or "").strip() or None,
            max_files_per_issue=_positive_int(
                env, "TRACKER_MAX_FILES_PER_ISSUE", DEFAULT_MAX_FILES_PER_ISSUE
            ),
            max_upload_mb_per_day=per_day,
            limits=_write_limits(env),
            model_dir=Path(given) if (given := env.get("TRACKER_SIMILARITY_MODEL_DIR")) else None,
            storage_url=_storage_url(env),
            s3_endpoint_url=(env.get("TRACKER_S3_ENDPOINT_URL") or "").strip() or None,
            webhook_allow_private=_flag(env, "TRACKER_WEBHOOK_ALLOW_PRIVATE", False),
            page_connect_seconds=_positive_int(env, "TRACKER_PAGE_CONNECT_SECONDS", 20),
        )


def log_format(environ: dict[str, str] | None = None) -> str:
    """TRACKER_LOG_FORMAT: `json` (default in production) or `text`."""
    env = os.environ if environ is None else environ
    production = env.get("TRACKER_ENV", "").strip().lower() == "production"
    value = (env.get("TRACKER_LOG_FORMAT") or ("json" if production else "text")).lower()
    if value not in ("json", "text"):
        raise SettingsError(f"TRACKER_LOG_FORMAT must be json or text, got {value!r}.")
    return value


def _secret_key(given: str | None, mode: str, data_dir: Path) -> str:
    if given is not None and given.strip():
        key = given.strip()
        if mode == "production" and (
            key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH
        ):
            raise SettingsError(
                "TRACKER_SECRET_KEY looks like a placeholder or is shorter than "
                f"{MIN_SECRET_LENGTH} characters; generate one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return key
    if mode == "production":
        raise SettingsError("TRACKER_SECRET_KEY must be set when TRACKER_ENV=production.")
    # Development: generated once and kept in the data dir, so restarts keep sessions valid.
    path = data_dir / "secret_key"
    if not path.is_file() or not path.read_text().strip():
        _write_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def _write_once(path: Path, value: str) -> None:
    """Create `path` atomically; if another process won the race, keep its value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        if path.exists():  # an empty leftover from a crash: replace it
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _forwarded_allow_ips(env: dict[str, str], mode: str) -> str:
    """Whose X-Forwarded-For to believe. `*` believes every client that reaches the app,
    so any of them could pick its own address for the per-address limits: refused in
    production."""
    value = (env.get("TRACKER_FORWARDED_ALLOW_IPS") or "").strip() or "127.0.0.1"
    if mode == "production" and "*" in value:
        raise SettingsError(
            "TRACKER_FORWARDED_ALLOW_IPS must name your proxy's address or network, not '*' "
            "(with '*' any client could choose the address it is counted under)."
        )
    return value


def _upload_mb(env: dict[str, str]) -> tuple[int, int]:
    """TRACKER_MAX_UPLOAD_MB (per file) and TRACKER_MAX_UPLOAD_MB_PER_DAY (per user)."""
    per_file = _positive_int(env, "TRACKER_MAX_UPLOAD_MB", DEFAULT_MAX_FILE_BYTES // MB)
    per_day = _positive_int(env, "TRACKER_MAX_UPLOAD_MB_PER_DAY", DEFAULT_MAX_BYTES_PER_DAY // MB)
    if per_day < per_file:
        raise SettingsError(
            f"TRACKER_MAX_UPLOAD_MB_PER_DAY ({per_day}) must be at least "
            f"TRACKER_MAX_UPLOAD_MB ({per_file}), or no file of the largest size fits in a day."
        )
    return per_file, per_day


def _write_limits(env: dict[str, str]) -> WriteLimits:
    defaults = WriteLimits()
    return WriteLimits(
        **{
            limit: _positive_int(env, name, getattr(defaults, limit))
            for name, limit in WRITE_LIMITS.items()
        }
    )


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than zero, got {value}.")
    return value


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}.")


def _storage_url(env: dict[str, str]) -> str | None:
    """TRACKER_STORAGE_URL: unset = the upload directory; s3://bucket/prefix = a bucket."""
    url = (env.get("TRACKER_STORAGE_URL") or "").strip()
    if not url:
        return None
    bucket = url.removeprefix("s3://").partition("/")[0]
    if not url.startswith("s3://") or not bucket:
        raise SettingsError(
            f"TRACKER_STORAGE_URL must be s3://bucket/prefix (or unset for {UPLOAD_DIR_WORDS}), "
            f"got {url!r}."
        )
    return url
