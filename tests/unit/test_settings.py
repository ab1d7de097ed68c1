"""Settings from the environment (tracker_app/settings.py)."""

from __future__ import annotations

import secrets
import stat

import pytest

from services.quotas import WriteLimits
from tracker_app.settings import WRITE_LIMITS, Settings, SettingsError


@pytest.fixture
def base(tmp_path):
    """The smallest environment: only a data dir, so nothing lands in the working dir."""
    return {"TRACKER_DATA_DIR": str(tmp_path / "data")}


def test_defaults(base, tmp_path):
    settings = Settings.from_env(base)
    data = tmp_path / "data"
    assert settings.env == "development"
    assert not settings.production
    assert settings.data_dir == data
    assert settings.database_url == f"sqlite:///{data / 'tracker.db'}"
    assert settings.upload_dir == data / "uploads"
    assert settings.max_upload_mb == 25
    assert settings.max_upload_bytes == 25 * 1024 * 1024
    assert settings.allow_signup is True
    assert settings.redis_url is None
    assert settings.embedded is True


def test_explicit_values_override_the_defaults(base, tmp_path):
    env = {
        **base,
        "TRACKER_DATABASE_URL": "postgresql+psycopg2://u@db/tracker",
        "TRACKER_REDIS_URL": "redis://cache:6379/0",
        "TRACKER_UPLOAD_DIR": str(tmp_path / "elsewhere"),
        "TRACKER_MAX_UPLOAD_MB": "7",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql+psycopg2://u@db/tracker"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.embedded is False
    assert settings.upload_dir == tmp_path / "elsewhere"
    assert settings.max_upload_bytes == 7 * 1024 * 1024


def test_body_limit_and_metrics_token(base):
    settings = Settings.from_env(base)
    assert settings.max_body_bytes == 256 * 1024 and settings.metrics_token is None
    settings = Settings.from_env(
        {**base, "TRACKER_MAX_BODY_KB": "64", "TRACKER_METRICS_TOKEN": " scrape-me "}
    )
    assert settings.max_body_bytes == 64 * 1024 and settings.metrics_token == "scrape-me"
    with pytest.raises(SettingsError, match="TRACKER_MAX_BODY_KB"):
        Settings.from_env({**base, "TRACKER_MAX_BODY_KB": "lots"})


def test_the_wait_for_a_page_to_connect(base):
    assert Settings.from_env(base).page_connect_seconds == 20
    given = {**base, "TRACKER_PAGE_CONNECT_SECONDS": "45"}
    assert Settings.from_env(given).page_connect_seconds == 45
    with pytest.raises(SettingsError, match="TRACKER_PAGE_CONNECT_SECONDS"):
        Settings.from_env({**base, "TRACKER_PAGE_CONNECT_SECONDS": "0"})


def test_production_refuses_to_trust_every_forwarded_for(base):
    env = {**base, "TRACKER_ENV": "production", "TRACKER_SECRET_KEY": secrets.token_urlsafe(48)}
    for trusted in ("*", "172.30.255.10, *"):
        with pytest.raises(SettingsError, match="TRACKER_FORWARDED_ALLOW_IPS"):
            Settings.from_env({**env, "TRACKER_FORWARDED_ALLOW_IPS": trusted})
    settings = Settings.from_env({**env, "TRACKER_FORWARDED_ALLOW_IPS": " 172.30.255.10 "})
    assert settings.forwarded_allow_ips == "172.30.255.10"
    assert Settings.from_env(base).forwarded_allow_ips == "127.0.0.1"


def test_empty_values_mean_the_default(base):
    env = {
        **base,
        "TRACKER_REDIS_URL": "",
        "TRACKER_MAX_UPLOAD_MB": " ",
        "TRACKER_ALLOW_SIGNUP": "",
    }
    settings = Settings.from_env(env)
    assert settings.embedded is True
    assert settings.max_upload_mb == 25
    assert settings.allow_signup is True


# --- secret key ----------------------------------------------------------------------------


def test_development_generates_a_secret_once_and_keeps_it(base, tmp_path):
    first = Settings.from_env(base).secret_key
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert Settings.from_env(base).secret_key == first


def test_each_data_dir_gets_its_own_development_secret(tmp_path):
    a = Settings.from_env({"TRACKER_DATA_DIR": str(tmp_path / "a")}).secret_key
    b = Settings.from_env({"TRACKER_DATA_DIR": str(tmp_path / "b")}).secret_key
    assert a != b


def test_development_uses_a_given_secret_without_writing_one(base, tmp_path):
    settings = Settings.from_env({**base, "TRACKER_SECRET_KEY": "  dev  "})
    assert settings.secret_key == "dev"
    assert not (tmp_path / "data" / "secret_key").exists()


@pytest.mark.parametrize("given", [None, "", "   "])
def test_production_requires_a_secret(base, tmp_path, given):
    env = {**base, "TRACKER_ENV": "production"}
    if given is not None:
        env["TRACKER_SECRET_KEY"] = given
    with pytest.raises(SettingsError, match="TRACKER_SECRET_KEY"):
        Settings.from_env(env)
    assert not (tmp_path / "data" / "secret_key").exists()


@pytest.mark.parametrize(
    "key", ["changeme", "CHANGEME", "change-me", "secret", "please-change-me", "x" * 31]
)
def test_production_refuses_placeholder_or_short_secrets(base, key):
    env = {**base, "TRACKER_ENV": "production", "TRACKER_SECRET_KEY": key}
    with pytest.raises(SettingsError, match="TRACKER_SECRET_KEY") as info:
        Settings.from_env(env)
    assert "32" in str(info.value)


def test_production_accepts_a_random_secret(base, tmp_path):
    key = secrets.token_urlsafe(36)
    assert len(key) == 48
    settings = Settings.from_env({**base, "TRACKER_ENV": " Production ", "TRACKER_SECRET_KEY": key})
    assert settings.production
    assert settings.secret_key == key
    assert not (tmp_path / "data" / "secret_key").exists()


# --- numbers and flags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("abc", "whole number"), ("2.5", "whole number"), ("0", "greater than zero"), ("-3", "zero")],
)
def test_bad_upload_limit_names_the_variable(base, raw, reason):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**base, "TRACKER_MAX_UPLOAD_MB": raw})
    assert "TRACKER_MAX_UPLOAD_MB" in str(info.value)
    assert reason in str(info.value)


def test_upload_limit_tolerates_surrounding_spaces(base):
    assert Settings.from_env({**base, "TRACKER_MAX_UPLOAD_MB": " 100 "}).max_upload_mb == 100


def test_upload_caps_and_write_limits_default_to_what_no_honest_user_meets(base):
    settings = Settings.from_env(base)
    assert (settings.max_files_per_issue, settings.max_upload_mb_per_day) == (10, 500)
    assert settings.limits == WriteLimits(
        issues_per_hour=60,
        comments_per_hour=300,
        attachments_per_hour=200,
        imported_issues_per_day=20_000,
    )


def test_upload_caps_and_write_limits_are_settings(base):
    env = {
        **base,
        "TRACKER_MAX_FILES_PER_ISSUE": "3",
        "TRACKER_MAX_UPLOAD_MB_PER_DAY": "40",
        "TRACKER_MAX_ISSUES_PER_HOUR": "5",
        "TRACKER_MAX_COMMENTS_PER_HOUR": "6",
        "TRACKER_MAX_ATTACHMENTS_PER_HOUR": "7",
        "TRACKER_MAX_IMPORTED_ISSUES_PER_DAY": "8",
    }
    settings = Settings.from_env(env)
    assert settings.max_files_per_issue == 3
    assert settings.max_upload_bytes_per_day == 40 * 1024 * 1024
    assert settings.limits == WriteLimits(5, 6, 7, 8)


@pytest.mark.parametrize("name", [*WRITE_LIMITS, "TRACKER_MAX_FILES_PER_ISSUE"])
def test_a_bad_write_limit_names_the_variable(base, name):
    with pytest.raises(SettingsError, match=f"{name} must be greater than zero"):
        Settings.from_env({**base, name: "0"})


def test_a_daily_upload_limit_below_one_file_is_refused(base):
    env = {**base, "TRACKER_MAX_UPLOAD_MB": "30", "TRACKER_MAX_UPLOAD_MB_PER_DAY": "20"}
    with pytest.raises(SettingsError, match="TRACKER_MAX_UPLOAD_MB_PER_DAY \\(20\\) must be"):
        Settings.from_env(env)


@pytest.mark.parametrize("raw", ["false", "0", "no", "off", "FALSE", " No "])
def test_signup_can_be_turned_off(base, raw):
    assert Settings.from_env({**base, "TRACKER_ALLOW_SIGNUP": raw}).allow_signup is False


@pytest.mark.parametrize("raw", ["true", "1", "yes", "on", "TRUE"])
def test_signup_can_be_turned_on(base, raw):
    assert Settings.from_env({**base, "TRACKER_ALLOW_SIGNUP": raw}).allow_signup is True


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "nope"])
def test_bad_signup_flag_names_the_variable(base, raw):
    with pytest.raises(SettingsError, match="TRACKER_ALLOW_SIGNUP") as info:
        Settings.from_env({**base, "TRACKER_ALLOW_SIGNUP": raw})
    assert raw in str(info.value)


def test_reads_the_process_environment_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "fromenv"))
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_MB", "3")
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ALLOW_SIGNUP", raising=False)
    settings = Settings.from_env()
    assert settings.data_dir == tmp_path / "fromenv"
    assert settings.max_upload_mb == 3


def test_an_empty_secret_file_left_by_a_crash_is_replaced(tmp_path):
    (tmp_path / "secret_key").write_text("")
    key = Settings.from_env({"TRACKER_DATA_DIR": str(tmp_path)}).secret_key
    assert len(key) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left


@pytest.mark.parametrize("mode", ["prod", "staging", "PRODUCTION "])
def test_an_unknown_environment_is_refused_not_treated_as_development(tmp_path, mode):
    environ = {"TRACKER_DATA_DIR": str(tmp_path), "TRACKER_ENV": mode}
    if mode.strip().lower() == "production":
        with pytest.raises(SettingsError, match="TRACKER_SECRET_KEY"):
            Settings.from_env(environ)
    else:
        with pytest.raises(SettingsError, match="TRACKER_ENV"):
            Settings.from_env(environ)
