"""The HTML of the screenshot corpus: error dialogs, pages and terminals as users capture them.

`TRAIN` is what the OCR preparation was tuned on. `HELDOUT` was written before any tuning,
with other content, another style sheet (palette, radii, fonts) and other kinds of screens;
it is only ever measured. Every scene is rendered at 1x and 2x, light and dark
(`prefers-color-scheme`), by make_screenshots.py; the words that must be read are the
rendered text itself (`innerText`), so the labels cannot drift from the pictures.
"""

# ruff: noqa: E501 (corpus data: long lines are what users paste)

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scene:
    name: str
    font: str  # CSS font-family of the body
    px: int  # base font size in CSS pixels
    width: int  # viewport width in CSS pixels
    body: str  # HTML inside <div id="shot">


STYLE_TRAIN = """
:root { --bg:#ffffff; --fg:#1f2328; --muted:#59636e; --panel:#f6f8fa; --border:#d1d9e0;
  --accent:#0969da; --danger:#cf222e; --danger-bg:#ffebe9; --ok:#1a7f37; --warn-bg:#fff8c5;
  --term-bg:#ffffff; --term-fg:#24292f; }
@media (prefers-color-scheme: dark) { :root { --bg:#0d1117; --fg:#e6edf3; --muted:#9198a1;
  --panel:#151b23; --border:#3d444d; --accent:#4493f8; --danger:#f85149; --danger-bg:#25171c;
  --ok:#3fb950; --warn-bg:#272115; --term-bg:#010409; --term-fg:#d1d7e0; } }
body { margin:0; background:var(--bg); color:var(--fg); }
#shot { display:inline-block; padding:18px 22px; background:var(--bg); }
.card { border:1px solid var(--border); border-radius:6px; background:var(--panel);
  padding:12px 16px; margin:8px 0; }
.muted { color:var(--muted); } .danger { color:var(--danger); } .ok { color:var(--ok); }
.banner { background:var(--danger-bg); border:1px solid var(--danger); border-radius:6px;
  padding:10px 14px; }
.btn { display:inline-block; border:1px solid var(--border); border-radius:6px;
  padding:5px 14px; margin-right:8px; background:var(--bg); }
.btn.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
.term { background:var(--term-bg); color:var(--term-fg); padding:12px 14px;
  border-radius:6px; border:1px solid var(--border); white-space:pre; }
table { border-collapse:collapse; } td, th { border-bottom:1px solid var(--border);
  padding:5px 12px; text-align:left; }
h1, h2, h3 { margin:4px 0 10px; }
"""

STYLE_HELDOUT = """
:root { --bg:#fdf6e3; --fg:#073642; --muted:#586e75; --panel:#eee8d5; --border:#93a1a1;
  --accent:#268bd2; --danger:#dc322f; --danger-bg:#fbe4dc; --ok:#859900; --warn-bg:#f7ecc4;
  --term-bg:#fdf6e3; --term-fg:#002b36; }
@media (prefers-color-scheme: dark) { :root { --bg:#1e1f22; --fg:#dfe1e5; --muted:#a0a4ab;
  --panel:#2b2d30; --border:#4e5157; --accent:#56a8f5; --danger:#ff6b68; --danger-bg:#3b2527;
  --ok:#6aab73; --warn-bg:#3d3623; --term-bg:#121314; --term-fg:#cfd3d8; } }
body { margin:0; background:var(--bg); color:var(--fg); }
#shot { display:inline-block; padding:24px 28px; background:var(--bg); }
.sheet { background:var(--panel); border-radius:14px; padding:16px 20px; margin:10px 0;
  box-shadow:0 2px 6px rgba(0,0,0,.18); }
.muted { color:var(--muted); } .danger { color:var(--danger); } .ok { color:var(--ok); }
.pill { display:inline-block; border-radius:999px; padding:2px 10px; background:var(--warn-bg);
  border:1px solid var(--border); }
.action { display:inline-block; border-radius:999px; padding:6px 18px; margin-right:10px;
  background:var(--accent); color:#ffffff; }
.ghost { display:inline-block; border-radius:999px; padding:6px 18px; margin-right:10px;
  border:1px solid var(--accent); color:var(--accent); }
.console { background:var(--term-bg); color:var(--term-fg); padding:14px 16px;
  border-left:4px solid var(--accent); white-space:pre; }
table { border-collapse:separate; border-spacing:0 4px; }
td, th { padding:6px 14px; background:var(--panel); text-align:left; }
"""

SANS = "'DejaVu Sans', sans-serif"
LIB_SANS = "'Liberation Sans', sans-serif"
SERIF = "'Liberation Serif', serif"
DV_SERIF = "'DejaVu Serif', serif"
MONO = "'DejaVu Sans Mono', monospace"
LIB_MONO = "'Liberation Mono', monospace"
NARROW = "'Liberation Sans Narrow', sans-serif"

TRAIN = [
    Scene(
        "chrome_unreachable",
        LIB_SANS,
        15,
        640,
        """
<h2>This site can't be reached</h2>
<p><b>staging.shop.internal</b> refused to connect.</p>
<p class="muted">Try:</p>
<ul class="muted"><li>Checking the connection</li><li>Checking the proxy and the firewall</li></ul>
<p style="font-family:'DejaVu Sans Mono',monospace;font-size:12px" class="muted">
ERR_CONNECTION_REFUSED</p>
<span class="btn primary">Reload</span> <span class="btn">Details</span>
""",
    ),
    Scene(
        "python_traceback_terminal",
        MONO,
        13,
        760,
        """<div class="term">$ python manage.py import_orders --since 2026-11-01
Traceback (most recent call last):
  File "/srv/app/orders/importer.py", line 88, in run
    total = sum(line.amount for line in batch)
  File "/srv/app/orders/models.py", line 142, in amount
    return self.quantity * self.unit_price
TypeError: unsupported operand type(s) for *: 'int' and 'NoneType'
$ echo $?
1</div>""",
    ),
    Scene(
        "windows_dialog",
        SANS,
        13,
        560,
        """
<div class="card" style="max-width:470px">
<h3>Invoice Printer - Application Error</h3>
<p>The instruction at 0x00007FF6A3B2 referenced memory at 0x0000000000000018.
The memory could not be read.</p>
<p class="muted">Click OK to terminate the program.</p>
<span class="btn primary">OK</span>
</div>""",
    ),
    Scene(
        "payment_toast",
        LIB_SANS,
        14,
        600,
        """
<div class="banner"><b class="danger">Payment failed</b><br>
Your card was declined: card_declined (code 402). Order #A-20931 was not charged.</div>
<p class="muted">Request id req_8fKq2LmN41 at 14:32:07 UTC</p>
<span class="btn">Try another card</span> <span class="btn">Contact support</span>
""",
    ),
    Scene(
        "nginx_502",
        SERIF,
        16,
        560,
        """
<h1 style="text-align:center">502 Bad Gateway</h1>
<hr><p style="text-align:center">nginx/1.24.0</p>
""",
    ),
    Scene(
        "signup_validation",
        SANS,
        14,
        520,
        """
<h3>Create your account</h3>
<div class="card">Email<br><span class="muted">maria.lopez@example.org</span></div>
<p class="danger">This email address is already registered.</p>
<div class="card">Password<br><span class="muted">••••••</span></div>
<p class="danger">Password must contain at least 12 characters.</p>
<span class="btn primary">Sign up</span>
""",
    ),
    Scene(
        "ide_problems",
        LIB_SANS,
        13,
        780,
        """
<b>PROBLEMS</b> <span class="muted">3 errors, 1 warning</span>
<table style="margin-top:8px">
<tr><td class="danger">error</td><td>Cannot find module './routes/billing'</td>
<td class="muted">src/server.ts 12:24</td></tr>
<tr><td class="danger">error</td><td>Property 'customerId' does not exist on type 'Invoice'</td>
<td class="muted">src/invoices/render.ts 48:17</td></tr>
<tr><td class="danger">error</td><td>Expected 2 arguments, but got 1.</td>
<td class="muted">src/jobs/nightly.ts 7:5</td></tr>
<tr><td>warning</td><td>'retries' is declared but never used.</td>
<td class="muted">src/jobs/nightly.ts 3:7</td></tr>
</table>""",
    ),
    Scene(
        "devtools_json",
        LIB_MONO,
        12,
        620,
        """<div class="term">GET /api/v2/orders?page=3&amp;limit=50
Status: 500 Internal Server Error

{
  "error": "DatabaseTimeout",
  "message": "canceling statement due to statement timeout",
  "trace_id": "4bf92f3577b34da6",
  "retry_after": 30
}</div>""",
    ),
    Scene(
        "jobs_table",
        SANS,
        13,
        700,
        """
<h3>Background jobs</h3>
<table>
<tr><th>Job</th><th>Status</th><th>Started</th><th>Duration</th></tr>
<tr><td>nightly-export</td><td class="danger">FAILED</td><td>03:00:12</td><td>41s</td></tr>
<tr><td>send-reminders</td><td class="ok">SUCCEEDED</td><td>07:30:00</td><td>2s</td></tr>
<tr><td>rebuild-search-index</td><td class="danger">TIMEOUT</td><td>02:15:44</td>
<td>600s</td></tr>
</table>
<p class="muted">Last refresh 2 minutes ago</p>
""",
    ),
    Scene(
        "mobile_sheet",
        DV_SERIF,
        17,
        420,
        """
<div class="card" style="text-align:center;max-width:340px">
<h3>Upload failed</h3>
<p>The photo could not be uploaded because the server did not answer in time.</p>
<p class="muted">Error 504 GATEWAY_TIMEOUT</p>
<span class="btn primary">Retry</span> <span class="btn">Cancel</span>
</div>""",
    ),
]

HELDOUT = [
    Scene(
        "firefox_unable_to_connect",
        DV_SERIF,
        15,
        660,
        """
<h2>Unable to connect</h2>
<p>Firefox can't establish a connection to the server at grafana.lab.local:3000.</p>
<div class="sheet"><ul>
<li>The site could be temporarily unavailable or too busy.</li>
<li>If you are unable to load any pages, check your network connection.</li></ul></div>
<p class="muted" style="font-family:'Liberation Mono',monospace">NS_ERROR_CONNECTION_REFUSED</p>
<span class="action">Try Again</span>
""",
    ),
    Scene(
        "npm_install_terminal",
        LIB_MONO,
        14,
        780,
        """<div class="console">~/web-shop $ npm install
npm ERR! code ERESOLVE
npm ERR! ERESOLVE unable to resolve dependency tree
npm ERR! While resolving: web-shop@4.2.0
npm ERR! Found: react@18.3.1
npm ERR! Could not resolve dependency:
npm ERR! peer react@"^17.0.0" from legacy-carousel@2.9.4
npm ERR! A complete log of this run can be found in: /home/dev/.npm/_logs/debug-0.log</div>""",
    ),
    Scene(
        "mac_alert",
        NARROW,
        15,
        460,
        """
<div class="sheet" style="max-width:360px;text-align:center">
<b>"Ledger Sync" quit unexpectedly.</b>
<p>Click Reopen to open the application again. Click Report to see more detailed
information and send a report to the developer.</p>
<span class="ghost">Ignore</span> <span class="ghost">Report</span> <span class="action">Reopen</span>
</div>""",
    ),
    Scene(
        "chat_message",
        SANS,
        14,
        640,
        """
<div class="sheet"><b>Priya Raman</b> <span class="muted">10:42</span>
<p>checkout broke again after the deploy, this is what customers see:</p>
<div class="console" style="font-family:'DejaVu Sans Mono',monospace;font-size:13px">\
PaymentIntentError: amount_too_small
  at createIntent (checkout/stripe.js:77:13)</div>
<p>can someone from payments look? <span class="pill">ticket OPS-4471</span></p></div>
""",
    ),
    Scene(
        "kubectl_pods",
        MONO,
        13,
        800,
        """<div class="console">$ kubectl get pods -n billing
NAME                          READY   STATUS             RESTARTS   AGE
invoice-api-7d9f8b6c5-x2k4q   0/1     CrashLoopBackOff   14         38m
invoice-worker-5c7d9-mt8zp    1/1     Running            0          2d
pdf-renderer-66b4f-qq9lw      0/1     OOMKilled          3          11m</div>""",
    ),
    Scene(
        "login_invalid",
        LIB_SANS,
        16,
        480,
        """
<div class="sheet" style="max-width:380px">
<h2>Sign in to Helpdesk</h2>
<p class="danger">Invalid username or password. 2 attempts remaining before your account
is locked for 15 minutes.</p>
<p class="muted">Forgot password?</p>
<span class="action">Sign in</span>
</div>""",
    ),
    Scene(
        "grafana_alert",
        NARROW,
        14,
        620,
        """
<div class="sheet"><span class="pill">Firing</span> <b>High error rate on checkout-service</b>
<p>5xx responses above 4.5% for 10 minutes (current value 7.82%).</p>
<p class="muted">Labels: env=production region=eu-west-1 team=payments</p></div>
<div class="sheet"><span class="pill">Pending</span> <b>Disk usage above 90% on db-replica-2</b></div>
""",
    ),
    Scene(
        "git_push_rejected",
        LIB_MONO,
        13,
        740,
        """<div class="console">$ git push origin feature/tax-rounding
To gitea.corp.local:finance/ledger.git
 ! [rejected]        feature/tax-rounding -> feature/tax-rounding (non-fast-forward)
error: failed to push some refs to 'gitea.corp.local:finance/ledger.git'
hint: Updates were rejected because the tip of your current branch is behind</div>""",
    ),
    Scene(
        "mail_bounce",
        SERIF,
        15,
        640,
        """
<div class="sheet"><b>Mail Delivery Subsystem</b> <span class="muted">Tue 09:14</span>
<p>Delivery to the following recipient failed permanently:</p>
<p><b>accounts.payable@northwind-traders.example</b></p>
<p>Remote server returned: 550 5.1.1 The email account that you tried to reach does not
exist.</p></div>
""",
    ),
    Scene(
        "spreadsheet_errors",
        SANS,
        13,
        640,
        """
<table>
<tr><th>Region</th><th>Revenue</th><th>Growth</th><th>Share</th></tr>
<tr><td>North</td><td>48,210.50</td><td>#DIV/0!</td><td>31.2%</td></tr>
<tr><td>South</td><td>#REF!</td><td>4.7%</td><td>#N/A</td></tr>
<tr><td>Export</td><td>12,904.00</td><td>-2.3%</td><td>#VALUE!</td></tr>
</table>
<p class="muted">Sheet "Q3 forecast" contains 4 formula errors.</p>
""",
    ),
]
