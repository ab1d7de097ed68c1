"""Mail settings from the environment: unset is off; a bad value names its variable."""

from __future__ import annotations

import pytest

from tracker_app.mail_settings import mail_config, mail_in_policy
from tracker_app.settings import SettingsError


def test_unset_means_no_mail():
    config = mail_config({})
    assert not config.enabled and config.base_url == "http://localhost:8080"


def test_a_full_configuration():
    config = mail_config(
        {
            "TRACKER_SMTP_URL": "smtps://bot:p%40ss@mail.example.com:465",
            "TRACKER_MAIL_FROM": "Tracker <issues@example.com>",
            "TRACKER_BASE_URL": "https://tracker.example.com",
            "TRACKER_MAIL_COALESCE_SECONDS": "60",
            "TRACKER_MAIL_DIGEST_HOUR": "18",
        }
    )
    assert config.enabled and (config.coalesce_seconds, config.digest_hour) == (60.0, 18)
    assert config.link("/issues/3") == "https://tracker.example.com/issues/3"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TRACKER_SMTP_URL": "http://mail.example.com", "TRACKER_MAIL_FROM": "a@b.c"}, "SMTP_URL"),
        ({"TRACKER_SMTP_URL": "smtp://mail.example.com"}, "TRACKER_MAIL_FROM"),
        ({"TRACKER_BASE_URL": "javascript:alert(1)"}, "TRACKER_BASE_URL"),
        ({"TRACKER_MAIL_DIGEST_HOUR": "24"}, "TRACKER_MAIL_DIGEST_HOUR"),
        ({"TRACKER_MAIL_COALESCE_SECONDS": "soon"}, "TRACKER_MAIL_COALESCE_SECONDS"),
    ],
)
def test_a_bad_value_names_its_variable(env, variable):
    with pytest.raises(SettingsError, match=variable):
        mail_config(env)


def test_mail_in_domains_and_size():
    policy = mail_in_policy(
        {
            "TRACKER_MAIL_IN_DOMAINS": " Client.example, @other.example ,",
            "TRACKER_MAIL_IN_MAX_MB": "2",
        }
    )
    assert policy.signup_domains == {"client.example", "other.example"}
    assert policy.max_bytes == 2 * 1024 * 1024
    with pytest.raises(SettingsError, match="TRACKER_MAIL_IN_MAX_MB"):
        mail_in_policy({"TRACKER_MAIL_IN_MAX_MB": "0"})
