"""Make the secrets corpus: texts users paste (env files, configs, terminals, logs, HTTP dumps,
chats) with synthetic credentials, and look-alikes that must stay readable, in
secrets/{train,heldout}/, with labels.json.

    python -m tests.intake.corpus.make_secrets

Every credential is random (a seeded generator), shaped like the real thing and never a real
one. Labels per file: `secrets`, the exact values that must be masked with their kind, and
`keep`, look-alikes that must not be. The value of a key/value pair is what follows the
separator (quotes excluded); of a URL, the password between `:` and `@`; of a PEM block, the
lines between BEGIN and END. The held-out part was written before the scanner, from other
file formats and other ways of writing the same secrets; it is only ever measured.
"""

# ruff: noqa: E501 (corpus data: long lines are what users paste)

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent / "secrets"
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"


class Doc:
    """Collects a file's text and the secrets put into it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.secrets: list[dict[str, str]] = []

    def s(self, kind: str, value: str) -> str:
        self.secrets.append({"kind": kind, "value": value})
        return value

    def r(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    # Shapes of real credentials, random content.
    def akia(self, prefix: str = "AKIA") -> str:
        return self.s("aws_access_key", prefix + self.r(string.ascii_uppercase + "234567", 16))

    def aws_secret(self) -> str:
        return self.s("aws_secret_key", self.r(B64, 40))

    def ghp(self, prefix: str = "ghp_") -> str:
        return self.s("github_token", prefix + self.r(ALNUM, 36))

    def github_pat(self) -> str:
        return self.s("github_token", "github_pat_" + self.r(ALNUM, 22) + "_" + self.r(ALNUM, 59))

    def glpat(self) -> str:
        return self.s("gitlab_token", "glpat-" + self.r(URLSAFE, 20))

    def slack(self, prefix: str = "xoxb") -> str:
        value = (
            f"{prefix}-{self.r(string.digits, 12)}-{self.r(string.digits, 13)}-{self.r(ALNUM, 24)}"
        )
        return self.s("slack_token", value)

    def stripe(self, prefix: str = "sk_live_") -> str:
        return self.s("stripe_key", prefix + self.r(ALNUM, 99 if prefix == "sk_live_" else 24))

    def openai(self, project: bool = True) -> str:
        if project:
            return self.s(
                "openai_key", "sk-proj-" + self.r(URLSAFE, 74) + "T3BlbkFJ" + self.r(URLSAFE, 74)
            )
        return self.s("openai_key", "sk-" + self.r(ALNUM, 20) + "T3BlbkFJ" + self.r(ALNUM, 20))

    def google(self) -> str:
        return self.s("google_api_key", "AIza" + self.r(URLSAFE, 35))

    def npm(self) -> str:
        return self.s("npm_token", "npm_" + self.r(ALNUM, 36))

    def azure_key(self) -> str:
        return self.s("azure_connection_string", base64.b64encode(self.rng.randbytes(64)).decode())

    def pem_body(self, size: int = 600, sep: str = "\n") -> str:
        text = base64.b64encode(self.rng.randbytes(size)).decode()
        return sep.join(text[i : i + 64] for i in range(0, len(text), 64))

    def pem(self, label: str = "RSA PRIVATE KEY", size: int = 600, headers: str = "") -> str:
        body = self.s("private_key", headers + self.pem_body(size))
        return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"

    def jwt(self, claims: dict[str, object] | None = None, alg: str = "HS256") -> str:
        def part(data: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        payload = claims or {"sub": str(self.rng.randint(1000, 99999)), "iat": 1767225600}
        token = f"{part({'alg': alg, 'typ': 'JWT'})}.{part(payload)}.{self.r(URLSAFE, 43)}"
        return self.s("jwt", token)

    def opaque(self, kind: str, n: int = 32, alphabet: str = ALNUM) -> str:
        return self.s(kind, self.r(alphabet, n))

    def password(self, value: str | None = None) -> str:
        if value is None:
            value = self.r(ALNUM, 6) + self.rng.choice("!#%&*?") + self.r(ALNUM, 5)
        return self.s("password", value)

    def conn(self, value: str | None = None) -> str:
        return self.s("connection_string", value or self.r(ALNUM, 14))


# ---------------------------------------------------------------- train


def t_env(d: Doc) -> str:
    return f"""# production settings for the billing service
APP_ENV=production
DATABASE_URL=postgres://billing:{d.conn()}@db.internal:5432/billing
REDIS_URL=redis://:{d.conn()}@cache.internal:6379/0
AWS_ACCESS_KEY_ID={d.akia()}
AWS_SECRET_ACCESS_KEY={d.aws_secret()}
STRIPE_SECRET_KEY={d.stripe()}
LOG_LEVEL=info
SMTP_PASSWORD={d.password()}
ADMIN_PASSWORD={d.password("changeme")}
FEATURE_FLAGS=checkout_v2,pdf_export
"""


def t_compose(d: Doc) -> str:
    return f"""services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: {d.password()}
  api:
    build: .
    environment:
      - DATABASE_URL=mysql://shop:{d.conn()}@db:3306/shop
      - GITHUB_TOKEN={d.ghp()}
      - SLACK_BOT_TOKEN={d.slack()}
    ports:
      - "8080:8080"
"""


def t_gcp(d: Doc) -> str:
    body = d.pem_body(900, "\\n")
    d.s("gcp_service_account_key", body)
    return (
        json.dumps(
            {
                "type": "service_account",
                "project_id": "shop-analytics-4411",
                "private_key_id": d.r(HEX, 40),
                "private_key": "-----BEGIN PRIVATE KEY-----\n"
                + body.replace("\\n", "\n")
                + "\n-----END PRIVATE KEY-----\n",
                "client_email": "exporter@shop-analytics-4411.iam.gserviceaccount.com",
                "client_id": "104877216354912837461",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token",
            },
            indent=2,
        )
        + "\n"
    )


def t_terminal(d: Doc) -> str:
    return f"""$ curl -s -H "Authorization: Bearer {d.opaque("bearer_token", 40)}" https://api.shop.example/v1/orders?limit=5
{{"error":"token expired"}}
$ curl -u deploy:{d.password()} https://ci.shop.example/job/release/build
$ mysql -h db.internal -u root -p{d.password()} shop < dump.sql
ERROR 1045 (28000): Access denied for user 'root'@'10.0.3.7' (using password: YES)
$ psql "postgresql://report:{d.conn()}@10.0.4.12:5432/warehouse?sslmode=require"
$ export OPENAI_API_KEY={d.openai()}
$ git clone https://oauth2:{d.glpat()}@gitlab.shop.example/platform/infra.git
Cloning into 'infra'...
"""


def t_http(d: Doc) -> str:
    return f"""POST /api/v2/invoices HTTP/1.1
Host: billing.shop.example
Authorization: Bearer {d.jwt()}
Content-Type: application/json
X-Api-Key: {d.opaque("credential", 32, HEX)}

{{"customer": "c_1042", "amount": 12.5}}

HTTP/1.1 401 Unauthorized
WWW-Authenticate: Bearer error="invalid_token"
"""


def t_ci(d: Doc) -> str:
    return f"""Run actions/checkout@v4
  with:
    token: ***
    fetch-depth: 1
remote: Invalid username or password.
fatal: Authentication failed for 'https://x-access-token:{d.ghp("ghs_")}@github.com/shop/api.git/'
Writing .npmrc
//npm.shop.example/:_authToken={d.npm()}
npm ERR! code E401
npm ERR! Unable to authenticate, need: Basic realm="npm"
"""


def t_azure(d: Doc) -> str:
    return f"""{{
  "ConnectionStrings": {{
    "Storage": "DefaultEndpointsProtocol=https;AccountName=shopassets;AccountKey={d.azure_key()};EndpointSuffix=core.windows.net",
    "Sql": "Server=tcp:shop.database.windows.net,1433;Database=shop;User ID=app;Password={d.password()};Encrypt=True;"
  }},
  "Maps": {{ "ApiKey": "{d.google()}" }},
  "Logging": {{ "LogLevel": {{ "Default": "Warning" }} }}
}}
"""


def t_pem(d: Doc) -> str:
    return f"""I tried to connect with this key and it fails:

{d.pem()}

ssh -i deploy_key deploy@10.0.0.5
deploy@10.0.0.5: Permission denied (publickey).
"""


def t_pylog(d: Doc) -> str:
    return f"""2026-11-20 09:14:02 ERROR celery.worker consumer: Cannot connect to amqp://orders:{d.conn()}@rabbit.internal:5672//: [Errno 111] Connection refused.
2026-11-20 09:14:05 ERROR reports.sync pymongo.errors.ServerSelectionTimeoutError: mongodb+srv://analytics:{d.conn()}@cluster0.ab1cd.mongodb.net/?retryWrites=true, Timeout: 30s
2026-11-20 09:14:09 WARNING auth.client retrying with token={d.opaque("credential", 40, URLSAFE)} after 401
2026-11-20 09:14:10 INFO reports.sync done in 8.1s
"""


def t_yaml(d: Doc) -> str:
    return f"""slack:
  bot_token: {d.slack("xoxp")}
  channel: "#alerts"
smtp:
  host: smtp.shop.example
  user: alerts
  password: "{d.password()}"
oauth:
  client_id: 8f14e45fceea167a
  client_secret: {d.opaque("credential", 40, URLSAFE)}
maps:
  api_key: '{d.opaque("credential", 32)}'
"""


def t_lookalikes_docs(d: Doc) -> str:
    return """## Configuration

Copy `.env.example` and fill in your own values:

    DB_PASSWORD=${DB_PASSWORD}
    password=********
    token=<your token>
    api_key: YOUR_API_KEY
    password: {{ vault_db_password }}
    SECRET_KEY=
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

The token_type is "Bearer" and max_tokens=4096 by default. Passwordless login is enabled
for staff; reset your password under Settings > Security.

Fixed in commit 3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c4d6e0f2a (request id
550e8400-e29b-41d4-a716-446655440000, sha256
9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08).
"""


def t_lookalikes_log(d: Doc) -> str:
    image = base64.b64encode(d.rng.randbytes(600)).decode()
    return f"""2026-11-20 10:00:01 INFO password_reset_sent user=42
2026-11-20 10:00:02 INFO GET /api/orders Authorization: Bearer <redacted>
2026-11-20 10:00:03 DEBUG connecting to postgres://app@db.internal:5432/app
2026-11-20 10:00:03 DEBUG connecting to redis://cache.internal:6379/0
2026-11-20 10:00:04 INFO image digest sha256:{d.r(HEX, 64)}
2026-11-20 10:00:05 INFO session {d.r(HEX, 8)}-{d.r(HEX, 4)}-{d.r(HEX, 4)}-{d.r(HEX, 4)}-{d.r(HEX, 12)} started
2026-11-20 10:00:06 INFO avatar data:image/png;base64,{image}
2026-11-20 10:00:07 INFO model sk-learn pipeline loaded, 12 features
2026-11-20 10:00:08 INFO git {d.r(HEX, 40)} deployed
"""


# ---------------------------------------------------------------- held-out


def h_tfvars(d: Doc) -> str:
    return f"""region         = "eu-central-1"
db_password    = "{d.password()}"
github_token   = "{d.github_pat()}"
aws_access_key = "{d.akia("ASIA")}"
aws_secret_key = "{d.aws_secret()}"
instance_type  = "t3.medium"
"""


def h_rails(d: Doc) -> str:
    return f"""default: &default
  adapter: postgresql
  pool: 5
development:
  <<: *default
  password: <%= ENV["DB_PASSWORD"] %>
production:
  <<: *default
  url: postgresql://rails:{d.conn()}@pg-primary.prod:5432/store
  replica_password: {d.password()}
"""


def h_ini(d: Doc) -> str:
    return f"""[mail]
server = mail.corp.example
user = notifier
passwd = {d.password()}

[api]
endpoint = https://partner.example/v3
secret = {d.opaque("credential", 48, HEX)}
"""


def h_powershell(d: Doc) -> str:
    basic = base64.b64encode(f"svc-backup:{d.r(ALNUM, 12)}".encode()).decode()
    d.s("basic_auth", basic)
    return f"""PS C:\\deploy> $env:AZURE_STORAGE_CONNECTION_STRING = "DefaultEndpointsProtocol=https;AccountName=backups01;AccountKey={d.azure_key()};EndpointSuffix=core.windows.net"
PS C:\\deploy> Invoke-RestMethod -Uri $uri -Headers @{{ Authorization = "Bearer $token" }}
PS C:\\deploy> Invoke-RestMethod -Uri https://nas.corp.example/api -Headers @{{ "Authorization" = "Basic {basic}" }}
Invoke-RestMethod : The remote server returned an error: (403) Forbidden.
"""


def h_java(d: Doc) -> str:
    return f"""org.postgresql.util.PSQLException: FATAL: password authentication failed for user "ledger"
	at org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)
	at com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:568)
Caused by: url=jdbc:postgresql://10.1.0.7:5432/ledger?user=ledger&password={d.conn()}&ssl=true
WARN  [amqp] reconnecting to amqps://ledger-events:{d.conn()}@mq.corp.example:5671/prod
"""


def h_go(d: Doc) -> str:
    return f"""package notify

const apiKey = "{d.google()}"

func init() {{
	client = slack.New("{d.slack()}")
	stripe.Key = "{d.stripe("rk_live_")}"
}}
"""


def h_jupyter(d: Doc) -> str:
    return f"""In [3]: import openai, os
In [4]: openai.api_key = "{d.openai(project=False)}"
In [5]: os.environ["HF_TOKEN"] = "{d.opaque("credential", 34)}"
In [6]: resp = openai.ChatCompletion.create(model="gpt-4", messages=msgs)
AuthenticationError: Incorrect API key provided.
"""


def h_k8s(d: Doc) -> str:
    return f"""apiVersion: v1
kind: Secret
metadata:
  name: ledger-db
type: Opaque
stringData:
  username: ledger
  password: {d.password()}
  api-token: {d.opaque("credential", 40, URLSAFE)}
"""


def h_chat(d: Doc) -> str:
    return f"""[09:41] tom: the callback fails, here is the URL from the browser:
https://app.corp.example/oauth/callback?state=xyz&access_token={d.jwt({"sub": "u-88", "scope": "admin", "exp": 1798761600}, "RS256")}
[09:42] ana: please rotate that, and the GitLab one you pasted yesterday ({d.glpat()})
[09:43] tom: done. npm is still using {d.npm()} though
"""


def h_ssh(d: Doc) -> str:
    encrypted = d.pem(
        "RSA PRIVATE KEY",
        700,
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n",
    )
    return f"""The deploy keys on the old bastion:

{d.pem("OPENSSH PRIVATE KEY", 400)}

{d.pem("EC PRIVATE KEY", 120)}

{encrypted}
"""


def h_xml(d: Doc) -> str:
    return f"""<configuration>
  <appSettings>
    <add key="PartnerApiSecret" value="{d.opaque("credential", 32)}" />
    <add key="Environment" value="Production" />
  </appSettings>
  <connectionStrings>
    <add name="Main" connectionString="Data Source=sql01;Initial Catalog=Shop;User Id=shop;Password={d.password()};" />
  </connectionStrings>
  <smtp><password>{d.password()}</password></smtp>
</configuration>
"""


def h_netrc(d: Doc) -> str:
    return f"""# ~/.npmrc
//npm.corp.example/:_authToken={d.npm()}
# ~/.config/pip/pip.conf
[global]
index-url = https://build:{d.conn()}@pkgs.corp.example/simple/
# ~/.netrc
machine api.corp.example login ci password {d.password()}
"""


def h_lookalikes_notes(d: Doc) -> str:
    header = base64.urlsafe_b64encode(b'{"typ":"example","kid":"k1"}').decode().rstrip("=")
    return f"""Release 4.2

- The password policy now requires 12 characters (PASSWORD_MIN_LENGTH = 12).
- Tokens are rotated every 90 days; set token=<TOKEN> in your shell, or
  export DB_PASSWORD=$(vault read -field=password secret/db).
- AWS examples use AKIAI44QH8DHBEXAMPLE / je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY.
- Checksums: sha512 {d.r(HEX, 128)}
- Commits {d.r(HEX, 40)}, {d.r(HEX, 12)}; build {d.r(HEX, 8)}-{d.r(HEX, 4)}-4{d.r(HEX, 3)}-a{d.r(HEX, 3)}-{d.r(HEX, 12)}
- Not a JWT: {header}.{base64.urlsafe_b64encode(b'{"a":1}').decode().rstrip("=")}.{d.r(URLSAFE, 20)}

@font-face {{ src: url(data:font/woff2;base64,{base64.b64encode(d.rng.randbytes(450)).decode()}) }}
"""


def h_lookalikes_code(d: Doc) -> str:
    return """import getpass, os

PASSWORD_MIN_LENGTH = 12


def login(user: str, password: str) -> bool:
    token = request.headers.get("Authorization")
    api_key = os.environ["API_KEY"]
    secret = None
    password = getpass.getpass()
    return check_password(user, password)


DEFAULTS = {"password": "", "token": None, "timeout": 30}
"""


TRAIN: dict[str, Callable[[Doc], str]] = {
    "prod.env": t_env,
    "docker-compose.yml": t_compose,
    "service-account.json": t_gcp,
    "terminal.txt": t_terminal,
    "request.http": t_http,
    "ci.log": t_ci,
    "appsettings.json": t_azure,
    "pasted_key.txt": t_pem,
    "worker.log": t_pylog,
    "settings.yaml": t_yaml,
    "lookalikes_docs.md": t_lookalikes_docs,
    "lookalikes.log": t_lookalikes_log,
}
HELDOUT: dict[str, Callable[[Doc], str]] = {
    "main.tfvars": h_tfvars,
    "database.yml": h_rails,
    "service.ini": h_ini,
    "deploy.ps1.txt": h_powershell,
    "ledger.log": h_java,
    "notify.go": h_go,
    "notebook.txt": h_jupyter,
    "secret.yaml": h_k8s,
    "chat.txt": h_chat,
    "bastion_keys.txt": h_ssh,
    "web.config": h_xml,
    "dotfiles.txt": h_netrc,
    "lookalikes_release.md": h_lookalikes_notes,
    "lookalikes_code.py.txt": h_lookalikes_code,
}
KEEP = {
    "lookalikes_docs.md": [
        "${DB_PASSWORD}",
        "********",
        "<your token>",
        "YOUR_API_KEY",
        "{{ vault_db_password }}",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c4d6e0f2a",
        "550e8400-e29b-41d4-a716-446655440000",
        "max_tokens=4096",
    ],
    "lookalikes.log": ["<redacted>", "postgres://app@db.internal:5432/app", "sk-learn"],
    "ci.log": ["token: ***"],
    "database.yml": ['<%= ENV["DB_PASSWORD"] %>'],
    "deploy.ps1.txt": ["Bearer $token"],
    "lookalikes_release.md": [
        "token=<TOKEN>",
        "AKIAI44QH8DHBEXAMPLE",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "$(vault read -field=password secret/db)",
    ],
    "lookalikes_code.py.txt": [
        'request.headers.get("Authorization")',
        'os.environ["API_KEY"]',
        "getpass.getpass()",
        "PASSWORD_MIN_LENGTH = 12",
    ],
}


def main() -> None:
    for split, files, seed in (("train", TRAIN, 1), ("heldout", HELDOUT, 2)):
        out = HERE / split
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            old.unlink()
        rng = random.Random(seed)
        labels = {}
        for name, build in files.items():
            doc = Doc(rng)
            text = build(doc)
            for secret in doc.secrets:
                assert secret["value"] in text, (name, secret)
            for keep in KEEP.get(name, []):
                assert keep in text, (name, keep)
            (out / name).write_text(text)
            labels[name] = {"secrets": doc.secrets, "keep": KEEP.get(name, [])}
        (out / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
        print(
            split, len(files), "texts", sum(len(v["secrets"]) for v in labels.values()), "secrets"
        )


if __name__ == "__main__":
    main()
