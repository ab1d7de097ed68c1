"""Secrets in text: every kind found and masked, look-alikes left alone, hostile text stays
linear, and the corpus's measured quality as a regression guard.

Credentials here are assembled from pieces at run time (`"gh" + "p_"`...), so that no
scanner mistakes this file for a leak; they are random and valid nowhere.
"""

from __future__ import annotations

import base64
import json
import time

import pytest

from services.intake.extract import secrets_scan
from services.intake.extract.secrets_scan import SecretHit, find_secrets, mask
from tests.intake.corpus.measure import CORPUS, labels, score_secrets

A36 = "Zq8T2mLx9Wv4Kp7Rn3Yb6Hc1Jd5Fg0Sa8Qe2Ut"[:36]
B40 = "wT7/kP2+Qz9mR4xL8vN3bC6yH1jD5fG0sA8eU2tK"


def _jwt(header: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part(header)}.{part({'sub': '42', 'iat': 1767225600})}.{'s1GnAtUrE_x' * 4}"


PEM = "MIIEowIBAAKCAQEA7Jq2" + "Lm9xQ3tV" * 20
KINDS = [
    # (kind, text with the secret, the secret's value)
    ("aws_access_key", "key id AKIA" + "QZ7XW4YB2MNR6T3P here", "AKIA" + "QZ7XW4YB2MNR6T3P"),
    ("aws_access_key", "ASIA" + "QZ7XW4YB2MNR6T3P", "ASIA" + "QZ7XW4YB2MNR6T3P"),
    ("aws_secret_key", f"aws_secret_access_key = {B40}\n", B40),
    ("aws_secret_key", f"AKIA{'QZ7XW4YB2MNR6T3P'},{B40}\n", B40),
    ("github_token", "GITHUB_TOKEN=" + "gh" + "p_" + A36, "gh" + "p_" + A36),
    ("github_token", "github" + "_pat_" + "11ABCDEFG0" * 8, "github" + "_pat_" + "11ABCDEFG0" * 8),
    ("gitlab_token", "use gl" + "pat-Ab3dEf6hIj9kLm2nOp5q now", "gl" + "pat-Ab3dEf6hIj9kLm2nOp5q"),
    (
        "slack_token",
        "xo" + "xb-123456789012-1234567890123-" + A36[:24],
        "xo" + "xb-123456789012-1234567890123-" + A36[:24],
    ),
    (
        "slack_token",
        "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/" + A36[:24],
        "T0ABCDEF1/B0ABCDEF2/" + A36[:24],
    ),
    ("stripe_key", "stripe.api_key = '" + "sk" + "_live_" + A36 + "'", "sk" + "_live_" + A36),
    ("stripe_key", "rk" + "_test_" + A36[:24], "rk" + "_test_" + A36[:24]),
    ("openai_key", "OPENAI_API_KEY=" + "sk-" + "proj-" + A36 + A36, "sk-" + "proj-" + A36 + A36),
    ("anthropic_key", "sk-" + "ant-api03-" + A36 + A36, "sk-" + "ant-api03-" + A36 + A36),
    ("google_api_key", '"key": "' + "AI" + "za" + A36[:35] + '"', "AI" + "za" + A36[:35]),
    ("npm_token", "//npm.corp.example/:_authToken=" + "npm" + "_" + A36, "npm" + "_" + A36),
    (
        "sendgrid_key",
        "SG" + "." + A36[:22] + "." + (A36 + A36)[:43],
        "SG" + "." + A36[:22] + "." + (A36 + A36)[:43],
    ),
    (
        "azure_connection_string",
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + B40 + "==;",
        B40 + "==",
    ),
    (
        "azure_connection_string",
        "Endpoint=sb://bus.example/;SharedAccessKeyName=a;SharedAccessKey=" + B40 + "=",
        B40 + "=",
    ),
    (
        "private_key",
        f"-----BEGIN RSA PRIVATE KEY-----\n{PEM}\n-----END RSA PRIVATE KEY-----\n",
        PEM,
    ),
    (
        "private_key",
        f"-----BEGIN OPENSSH PRIVATE KEY-----\r\n{PEM}\r\n-----END OPENSSH PRIVATE KEY-----",
        PEM,
    ),
    (
        "gcp_service_account_key",
        '{"private_key": "-----BEGIN PRIVATE KEY-----\\n'
        + PEM
        + '\\n-----END PRIVATE KEY-----\\n"}',
        PEM,
    ),
    ("jwt", "token: " + _jwt({"alg": "HS256", "typ": "JWT"}), _jwt({"alg": "HS256", "typ": "JWT"})),
    ("bearer_token", "Authorization: Bearer " + A36, A36),
    ("bearer_token", "curl -H 'authorization: bearer " + A36 + "'", A36),
    (
        "basic_auth",
        "Authorization: Basic " + base64.b64encode(b"ops:Hunter22!").decode(),
        base64.b64encode(b"ops:Hunter22!").decode(),
    ),
    ("connection_string", "DATABASE_URL=postgres://app:S3cr3t-Pw@db:5432/app", "S3cr3t-Pw"),
    ("connection_string", "mysql://root:Pa55word@10.0.0.1/shop", "Pa55word"),
    (
        "connection_string",
        "mongodb+srv://u:M0ngoPw@cluster0.example.net/?retryWrites=true",
        "M0ngoPw",
    ),
    ("connection_string", "redis://:R3disPw@cache:6379/0", "R3disPw"),
    ("connection_string", "amqp://guest:Gu3stPw@rabbit:5672//", "Gu3stPw"),
    ("password", "DB_PASSWORD=hunter2\n", "hunter2"),
    ("password", "ADMIN_PASSWORD=changeme", "changeme"),
    ("password", '{"password": "Tr0ub4dor&3"}', "Tr0ub4dor&3"),
    ("password", "  password: 'sw0rdfish'\n", "sw0rdfish"),
    ("password", "https://x.example/login?user=a&password=Qw3rty&next=/", "Qw3rty"),
    ("password", "psql --password=Pg-Pw1 -h db", "Pg-Pw1"),
    ("password", "tool --password Pg-Pw2 -h db", "Pg-Pw2"),
    ("password", "mysql -h db -u root -pMy5qlPw shop", "My5qlPw"),
    ("password", "curl -u deploy:Cu7lPw https://ci.example/", "Cu7lPw"),
    ("password", "Server=db;User Id=sa;Password=Sql$erver1;Encrypt=True", "Sql$erver1"),
    ("password", "PGPASSWORD=pgpw1234 psql", "pgpw1234"),
    ("password", "dbPass: a1b2c3d4", "a1b2c3d4"),
    (
        "credential",
        "X-Api-Key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ),
    ("credential", "client_secret=" + A36, A36),
    ("credential", "$config = ['secret' => 's3cr3tValue9'];", "s3cr3tValue9"),
    ("credential", 'apiKey := "k3y-Value-77"', "k3y-Value-77"),
]
LOOKALIKES = [
    "password=********",
    "token=<your token>",
    "DB_PASSWORD=${DB_PASSWORD}",
    "export DB_PASSWORD=$DB_PASSWORD",
    "password: {{ vault_db_password }}",
    'password: "%(password)s"',
    "api_key: YOUR_API_KEY",
    "password=[REDACTED]",
    "password=",
    "password: null",
    "secret = None",
    "def login(user: str, password: str) -> bool:",
    "password = getpass.getpass()",
    "api_key = os.environ['API_KEY']",
    "token = request.headers.get('Authorization')",
    "PASSWORD_MIN_LENGTH = 12",
    "max_tokens=4096",
    "token_type=bearer",
    "bypass=1",
    "Forgot your password: reset it under Settings",
    "AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "commit 3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c4d6e0f2a",
    "request 550e8400-e29b-41d4-a716-446655440000",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "data:image/png;base64," + base64.b64encode(bytes(range(256)) * 3).decode(),
    "postgres://app@db:5432/app and redis://cache:6379/0",
    "postgres://user:${DB_PASSWORD}@db/app",
    "Authorization: Bearer <redacted>",
    "Authorization: Bearer $TOKEN",
    "model sk-learn-pipeline-for-the-reports loaded",
    "eyJ" + base64.urlsafe_b64encode(b'{"typ":"x"}').decode()[3:].rstrip("=") + ".eyJhIjoxfQ.abc",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCg\n-----END PUBLIC KEY-----",
]


@pytest.mark.parametrize(
    ("kind", "text", "value"), KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)]
)
def test_every_kind_is_found_and_only_its_value_is_masked(kind: str, text: str, value: str) -> None:
    hits = find_secrets(text)
    start = text.index(value)
    assert SecretHit(kind, start, start + len(value)) in hits, [
        (h, text[h.start : h.end]) for h in hits
    ]
    masked, _ = mask(text)
    assert value not in masked
    assert f"[secret masked: {kind}]" in masked


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_are_left_alone(text: str) -> None:
    assert find_secrets(text) == [], [text[h.start : h.end] for h in find_secrets(text)]


def test_mask_keeps_keys_quotes_and_the_rest_readable() -> None:
    text = 'DB_PASSWORD=hunter2\n{"api_key": "k-77aa88bb99"}\nnothing else'
    masked, hits = mask(text)
    assert masked == (
        "DB_PASSWORD=[secret masked: password]\n"
        '{"api_key": "[secret masked: credential]"}\nnothing else'
    )
    assert [h.kind for h in hits] == ["password", "credential"]


def test_pem_keeps_its_begin_and_end_lines() -> None:
    text = f"-----BEGIN EC PRIVATE KEY-----\n{PEM}\n{PEM}\n-----END EC PRIVATE KEY-----"
    masked, _ = mask(text)
    assert masked == (
        "-----BEGIN EC PRIVATE KEY-----\n[secret masked: private_key]\n-----END EC PRIVATE KEY-----"
    )


def test_a_pem_block_without_end_is_masked_while_it_looks_like_a_key() -> None:
    text = f"-----BEGIN PRIVATE KEY-----\n{PEM[:64]}\n{PEM[64:128]}\n\nand then prose."
    masked, _ = mask(text)
    assert PEM[:64] not in masked and PEM[64:128] not in masked
    assert masked.endswith("and then prose.")


def test_the_more_specific_kind_wins_an_overlap() -> None:
    token = "gh" + "p_" + A36
    assert [h.kind for h in find_secrets(f"token={token}")] == ["github_token"]
    jwt = _jwt({"alg": "RS256"})
    assert [h.kind for h in find_secrets(f"Authorization: Bearer {jwt}")] == ["jwt"]


HOSTILE = {
    "letters": "a" * 200_000,
    "keys without values": "password=" * 22_222,
    "many pairs": "password=a1b2c3 " * 12_500,
    "begin lines": "-----BEGIN RSA PRIVATE KEY-----\n" * 6_250,
    "jwt starts": "eyJ" * 66_666,
    "schemes": "postgres://" * 18_181,
    "colons": "a://b:" * 33_333,
    "access key prefixes": "AKIA" * 50_000,
    "curl without user": ("curl " + "x" * 600 + "\n") * 330,
    "mysql without -p": "mysql " * 33_333,
    "authorization": "Authorization: Bearer " * 9_090,
    "base64": "QUJD" * 50_000,
    "spaces after a key": "password" + " " * 200_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_stays_linear(name: str) -> None:
    started = time.perf_counter()
    find_secrets(HOSTILE[name])
    assert time.perf_counter() - started < 2.0  # ~0.1-0.3 s here; generous for busy machines


def _corpus(split: str) -> tuple[dict[str, list[bool]], int, list[str]]:
    found: dict[str, list[bool]] = {}
    false_positives, broken = 0, []
    for name, label in labels("secrets", split).items():
        text = (CORPUS / "secrets" / split / name).read_text()
        hits = [(h.kind, h.start, h.end) for h in find_secrets(text)]
        result = score_secrets(text, label, hits)
        for kind, masked, _ in result.secrets:
            found.setdefault(kind, []).append(masked)
        false_positives += len(result.false_positives)
        broken += result.keep_broken
    return found, false_positives, broken


def test_train_corpus_every_secret_masked_no_false_positive() -> None:
    found, false_positives, broken = _corpus("train")
    assert all(all(v) for v in found.values()), found
    assert false_positives == 0 and broken == []


def test_heldout_corpus_every_kind_found_and_no_false_positive() -> None:
    """What the held-out part measured when first run (27 of 31 values; the misses are
    forms the scanner does not read: XML elements and appSettings, `.netrc`'s space-separated
    password, a subscript assignment `os.environ["HF_TOKEN"] = ...`)."""
    found, false_positives, broken = _corpus("heldout")
    assert all(any(v) for v in found.values()), found
    assert sum(sum(v) for v in found.values()) >= 27
    assert false_positives == 0 and broken == []


def test_the_pipeline_contract() -> None:
    assert secrets_scan.VERSION == "1"
    masked, hits = mask("no secrets here")
    assert masked == "no secrets here" and hits == []
