# ruff: noqa: E501 (the traces are quoted as programs print them)
"""Writes the train part of the stack-trace corpus: train/gen_*.txt and train/labels.json.

    python tests/intake/corpus/traces/make_train.py

Each base trace below was written by hand (programs that are not in heldout/). It is
written out several times: with other line numbers in the application's frames, other ids
in its message, and inside a different wrapping (per-line log prefixes of Docker Compose,
Kubernetes, syslog, Android and CI logs, a Markdown quote or code block, JSON log lines,
ANSI colours, CRLF). The copies of one base form one crash group. The hand-written
`train/tr_*.txt` files keep their labels in HAND_LABELS at the end. Seeded: the output is
the same on every run.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent / "train"


@dataclass
class Base:
    name: str
    language: str
    text: str  # ⟨L1⟩.. line numbers that move, ⟨ID⟩ an id, ⟨N⟩ a number, ⟨HEX⟩ an address
    exception: str
    message: str
    top_frame: str
    wraps: tuple[str, ...]


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"⟨{key}⟩", value)
    return template


# --- wrappings ----------------------------------------------------------------------------


def _stamp(rng: random.Random, i: int, digits: int = 9) -> str:
    frac = str(rng.randrange(10**digits)).zfill(digits).rstrip("0") or "0"
    return f"2026-11-{10 + i % 15:02d}T08:{i % 60:02d}:{rng.randrange(60):02d}.{frac}Z"


def plain(text: str, rng: random.Random) -> str:
    return "Seen after the last deploy:\n\n" + text + "\nThanks for looking!\n"


def compose(text: str, rng: random.Random) -> str:
    name = rng.choice(["app-1", "worker-1", "api-1", "web-2"])
    return "".join(f"{name:<9}| {line}\n" for line in text.splitlines())


def cri(text: str, rng: random.Random) -> str:
    return "".join(
        f"{_stamp(rng, i)} stderr F {line}\n" for i, line in enumerate(text.splitlines())
    )


def kubectl(text: str, rng: random.Random) -> str:
    stamped = [f"{_stamp(rng, i)} {line}" for i, line in enumerate(text.splitlines())]
    return "2026-11-10T08:00:00.5Z starting\n" + "\n".join(stamped) + "\n"


def syslog(text: str, rng: random.Random) -> str:
    pid = rng.randrange(100, 30000)
    return "".join(
        f"Nov 1{i % 3} 08:0{i % 10}:1{i % 7} build-07 app[{pid}]: {line}\n"
        for i, line in enumerate(text.splitlines())
    )


def logcat(text: str, rng: random.Random) -> str:
    pid = rng.randrange(1000, 30000)
    head = f"11-10 08:00:01.{rng.randrange(1000):03d}  {pid}  {pid} E AndroidRuntime: "
    return "".join(f"{head}{line}\n" for line in text.splitlines())


def ci(text: str, rng: random.Random) -> str:
    lines = [
        f"2026-11-10T08:11:{i % 60:02d}.{rng.randrange(10**7):07d}Z {line}"
        for i, line in enumerate(text.splitlines())
    ]
    return (
        "##[group]Run make test\n"
        + "\n".join(lines)
        + "\n##[error]Process completed with exit code 1.\n"
    )


def quote(text: str, rng: random.Random) -> str:
    body = "".join(f"> {line}\n" if line else ">\n" for line in text.splitlines())
    return "Same thing for me on staging:\n\n" + body + "\nAny idea?\n"


def fenced(text: str, rng: random.Random) -> str:
    return "## Steps\n\n1. Open the page\n2. Click save\n\n## Log\n\n```\n" + text + "```\n"


def logfirst(text: str, rng: random.Random) -> str:
    stamp = f"2026-11-10 08:1{rng.randrange(10)}:0{rng.randrange(10)},{rng.randrange(1000):03d}"
    return f"{stamp} INFO  [main] app - starting\n{stamp} ERROR [worker-{rng.randrange(9)}] app.jobs - job failed\n{text}{stamp} INFO  [main] app - next job\n"


def colour(text: str, rng: random.Random) -> str:
    return "".join(f"\x1b[31m{line}\x1b[0m\n" for line in text.splitlines())


def crlf(text: str, rng: random.Random) -> str:
    return text.replace("\n", "\r\n")


def json_field(text: str, rng: random.Random) -> str:
    field = rng.choice(["stack", "exception", "stack_trace", "error"])
    rows = [
        {"ts": _stamp(rng, 1), "level": "info", "msg": "request started", "path": "/api/x"},
        {"ts": _stamp(rng, 2), "level": "error", "msg": "unhandled error", field: text},
        {"ts": _stamp(rng, 3), "level": "info", "msg": "request finished", "status": 500},
    ]
    return "".join(json.dumps(row) + "\n" for row in rows)


def json_nested(text: str, rng: random.Random) -> str:
    row = {"time": _stamp(rng, 4), "level": 50, "err": {"type": "E", "stack": text}, "msg": "boom"}
    return f"{_stamp(rng, 5)} {json.dumps(row, separators=(',', ':'))}\n"


def docker_json(text: str, rng: random.Random) -> str:
    return "".join(
        json.dumps({"log": line + "\n", "stream": "stderr", "time": _stamp(rng, i)}) + "\n"
        for i, line in enumerate(text.splitlines())
    )


WRAPS: dict[str, Callable[[str, random.Random], str]] = {
    f.__name__: f
    for f in (plain, compose, cri, kubectl, syslog, logcat, ci, quote, fenced, logfirst,
              colour, crlf, json_field, json_nested, docker_json)
}  # fmt: skip


# --- base traces --------------------------------------------------------------------------

BASES = [
    Base(
        "py_invoice_total", "python",
        '''Traceback (most recent call last):
  File "/home/app/venv/lib/python3.12/site-packages/flask/app.py", line 1511, in wsgi_app
    response = self.full_dispatch_request()
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/home/app/venv/lib/python3.12/site-packages/flask/app.py", line 919, in full_dispatch_request
    rv = self.handle_user_exception(e)
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/home/app/venv/lib/python3.12/site-packages/flask/app.py", line 917, in full_dispatch_request
    rv = self.dispatch_request()
         ^^^^^^^^^^^^^^^^^^^^^^^
  File "/home/app/venv/lib/python3.12/site-packages/flask/app.py", line 902, in dispatch_request
    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/home/app/billing/routes.py", line ⟨L1⟩, in invoice_pdf
    total = invoice_total(invoice)
            ^^^^^^^^^^^^^^^^^^^^^^
  File "/home/app/billing/totals.py", line ⟨L2⟩, in invoice_total
    return sum(line.qty * line.price for line in invoice.lines) + invoice.shipping
           ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~^~~~~~~~~~~~~~~~~~
TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'
''',
        "TypeError", "unsupported operand type(s) for +: 'int' and 'NoneType'",
        "invoice_total (app/billing/totals.py:⟨L2⟩)",
        ("plain", "compose", "json_field", "syslog"),
    ),
    Base(
        "py_payload_chain", "python",
        '''Traceback (most recent call last):
  File "/srv/hooks/hooks/handlers.py", line ⟨L1⟩, in parse_event
    payload = json.loads(body)
              ^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.12/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.12/json/decoder.py", line 337, in decode
    obj, end = self.raw_decode(s, idx=_w(s, 0).end())
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.12/json/decoder.py", line 355, in raw_decode
    raise JSONDecodeError("Expecting value", s, err.value) from None
json.decoder.JSONDecodeError: Expecting value: line 1 column ⟨N⟩ (char ⟨N⟩)

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/hooks/hooks/server.py", line 44, in receive
    event = parse_event(request.body)
            ^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/srv/hooks/hooks/handlers.py", line ⟨L2⟩, in parse_event
    raise BadPayload(f"delivery {delivery_id}: body is not JSON")
hooks.errors.BadPayload: delivery ⟨ID⟩: body is not JSON
''',
        "json.decoder.JSONDecodeError", "Expecting value: line 1 column ⟨N⟩ (char ⟨N⟩)",
        "raw_decode (python3.12/json/decoder.py:355)",
        ("plain", "kubectl", "quote"),
    ),
    Base(
        "py_locked_db", "python",
        '''Traceback (most recent call last):
  File "/opt/notes/notes/cli.py", line ⟨L1⟩, in main
    store.save(note)
  File "/opt/notes/notes/store.py", line ⟨L2⟩, in save
    self.db.execute("INSERT INTO notes (id, body) VALUES (?, ?)", (note.id, note.body))
sqlite3.OperationalError: database is locked
''',
        "sqlite3.OperationalError", "database is locked", "save (notes/notes/store.py:⟨L2⟩)",
        ("plain", "fenced", "crlf"),
    ),
    Base(
        "py_taskgroup", "python",
        '''  + Exception Group Traceback (most recent call last):
  |   File "/opt/thumbs/thumbs/run.py", line ⟨L1⟩, in main
  |     async with asyncio.TaskGroup() as tg:
  |   File "/usr/lib/python3.11/asyncio/taskgroups.py", line 135, in __aexit__
  |     raise me from None
  | ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)
  +-+---------------- 1 ----------------
    | Traceback (most recent call last):
    |   File "/opt/thumbs/thumbs/resize.py", line ⟨L2⟩, in resize
    |     img = Image.open(path)
    |           ^^^^^^^^^^^^^^^^
    |   File "/opt/thumbs/.venv/lib/python3.11/site-packages/PIL/Image.py", line 3280, in open
    |     raise UnidentifiedImageError(msg)
    | PIL.UnidentifiedImageError: cannot identify image file '/data/in/⟨ID⟩.heic'
    +---------------- 2 ----------------
    | Traceback (most recent call last):
    |   File "/opt/thumbs/thumbs/resize.py", line 40, in upload
    |     await client.put(key, data)
    | OSError: [Errno 28] No space left on device
    +------------------------------------
''',
        "PIL.UnidentifiedImageError", "cannot identify image file '/data/in/⟨ID⟩.heic'",
        "open (site-packages/PIL/Image.py:3280)",
        ("plain", "compose", "json_field"),
    ),
    Base(
        "py_config_syntax", "python",
        '''Traceback (most recent call last):
  File "/usr/local/bin/deployer", line 8, in <module>
    sys.exit(main())
             ^^^^^^
  File "/usr/local/lib/python3.10/dist-packages/deployer/cli.py", line 21, in main
    from deployer import hooks
  File "/etc/deployer/hooks.py", line ⟨L1⟩
    if target == "prod"
                       ^
SyntaxError: expected ':'
''',
        "SyntaxError", "expected ':'", "etc/deployer/hooks.py:⟨L1⟩",
        ("plain", "ci"),
    ),
    Base(
        "py_timeout_chain", "python",
        '''Traceback (most recent call last):
  File "/usr/lib/python3.11/asyncio/tasks.py", line 500, in wait_for
    return fut.result()
           ^^^^^^^^^^^^
asyncio.exceptions.CancelledError

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/scraper/fetch.py", line ⟨L1⟩, in fetch_page
    html = await asyncio.wait_for(session.get(url), timeout=⟨N⟩)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.11/asyncio/tasks.py", line 502, in wait_for
    raise exceptions.TimeoutError() from exc
TimeoutError
''',
        "asyncio.exceptions.CancelledError", "", "wait_for (python3.11/asyncio/tasks.py:500)",
        ("plain", "cri", "colour"),
    ),
    Base(
        "java_order_shipped", "java",
        '''Exception in thread "order-events-1" java.lang.IllegalStateException: Order ⟨ID⟩ is already shipped
\tat com.shopfront.orders.Order.cancel(Order.java:⟨L1⟩)
\tat com.shopfront.orders.OrderService.cancel(OrderService.java:⟨L2⟩)
\tat com.shopfront.orders.events.CancelListener.onMessage(CancelListener.java:33)
\tat org.springframework.jms.listener.AbstractMessageListenerContainer.doInvokeListener(AbstractMessageListenerContainer.java:761)
\tat org.springframework.jms.listener.AbstractMessageListenerContainer.invokeListener(AbstractMessageListenerContainer.java:699)
\tat java.base/java.lang.Thread.run(Thread.java:840)
''',
        "java.lang.IllegalStateException", "Order ⟨ID⟩ is already shipped",
        "com.shopfront.orders.Order.cancel(Order.java:⟨L1⟩)",
        ("plain", "cri", "json_field", "syslog"),
    ),
    Base(
        "java_connect_chain", "java",
        '''org.springframework.web.client.ResourceAccessException: I/O error on GET request for "http://stock.internal:8080/api/items/⟨ID⟩": Connection refused
\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:915)
\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:895)
\tat org.springframework.web.client.RestTemplate.getForObject(RestTemplate.java:378)
\tat com.shopfront.stock.StockClient.fetch(StockClient.java:⟨L1⟩)
\tat com.shopfront.cart.CartService.addItem(CartService.java:⟨L2⟩)
\tat com.shopfront.cart.CartController.add(CartController.java:48)
\tat java.base/java.lang.Thread.run(Thread.java:1583)
Caused by: java.net.ConnectException: Connection refused
\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)
\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)
\tat java.base/java.net.Socket.connect(Socket.java:751)
\tat org.springframework.http.client.SimpleClientHttpRequest.executeInternal(SimpleClientHttpRequest.java:79)
\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:889)
\t... 4 common frames omitted
''',
        "java.net.ConnectException", "Connection refused",
        "sun.nio.ch.Net.pollConnect(Native Method)",
        ("plain", "logfirst", "compose", "json_nested"),
    ),
    Base(
        "kotlin_profile_npe", "java",
        '''FATAL EXCEPTION: main
Process: com.example.reader, PID: ⟨N⟩
java.lang.NullPointerException: Attempt to invoke virtual method 'java.lang.String com.example.reader.model.User.getName()' on a null object reference
\tat com.example.reader.ui.ProfileFragment.onViewCreated(ProfileFragment.kt:⟨L1⟩)
\tat androidx.fragment.app.Fragment.performViewCreated(Fragment.java:3128)
\tat androidx.fragment.app.FragmentStateManager.createView(FragmentStateManager.java:552)
\tat androidx.fragment.app.FragmentStateManager.moveToExpectedState(FragmentStateManager.java:261)
\tat android.os.Handler.handleCallback(Handler.java:958)
\tat android.os.Looper.loop(Looper.java:294)
\tat android.app.ActivityThread.main(ActivityThread.java:8177)
\tat java.lang.reflect.Method.invoke(Native Method)
\tat com.android.internal.os.ZygoteInit.main(ZygoteInit.java:971)
''',
        "java.lang.NullPointerException",
        "Attempt to invoke virtual method 'java.lang.String com.example.reader.model.User.getName()' on a null object reference",
        "com.example.reader.ui.ProfileFragment.onViewCreated(ProfileFragment.kt:⟨L1⟩)",
        ("logcat", "plain", "quote"),
    ),
    Base(
        "java_suppressed_close", "java",
        '''java.lang.IllegalArgumentException: Unknown column 'vat_rate' in row ⟨N⟩
\tat com.ledgerly.importer.CsvRow.decimal(CsvRow.java:⟨L1⟩)
\tat com.ledgerly.importer.CsvImporter.importFile(CsvImporter.java:⟨L2⟩)
\tat com.ledgerly.importer.Main.main(Main.java:19)
\tSuppressed: java.io.UncheckedIOException: close failed
\t\tat com.ledgerly.importer.CsvReader.close(CsvReader.java:77)
\t\tat com.ledgerly.importer.CsvImporter.importFile(CsvImporter.java:50)
\t\t... 1 more
\tCaused by: java.io.IOException: Stream closed
\t\tat com.ledgerly.importer.CsvReader.close(CsvReader.java:75)
\t\t... 2 more
''',
        "java.lang.IllegalArgumentException", "Unknown column 'vat_rate' in row ⟨N⟩",
        "com.ledgerly.importer.CsvRow.decimal(CsvRow.java:⟨L1⟩)",
        ("plain", "kubectl", "docker_json"),
    ),
    Base(
        "js_null_id", "javascript",
        '''TypeError: Cannot read properties of null (reading 'id')
    at serializeTeam (/usr/src/app/src/teams/serialize.js:⟨L1⟩:27)
    at Array.map (<anonymous>)
    at listTeams (/usr/src/app/src/teams/routes.js:⟨L2⟩:31)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async /usr/src/app/node_modules/express-async-handler/index.js:3:20
''',
        "TypeError", "Cannot read properties of null (reading 'id')",
        "serializeTeam (src/teams/serialize.js:⟨L1⟩:27)",
        ("plain", "compose", "json_field", "cri"),
    ),
    Base(
        "js_fetch_cause", "javascript",
        '''Error: Failed to sync calendar ⟨ID⟩
    at syncCalendar (/app/dist/sync/calendar.js:⟨L1⟩:15)
    at async runJob (/app/dist/jobs/runner.js:⟨L2⟩:9) {
  [cause]: TypeError: fetch failed
      at node:internal/deps/undici/undici:13185:13
      at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
      at async syncCalendar (/app/dist/sync/calendar.js:22:17) {
    [cause]: Error: getaddrinfo ENOTFOUND calendar.example.org
        at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26) {
      errno: -3008,
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'calendar.example.org'
    }
  }
}
''',
        "Error", "getaddrinfo ENOTFOUND calendar.example.org",
        "GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26)",
        ("plain", "kubectl", "json_nested"),
    ),
    Base(
        "js_chrome_datalayer", "javascript",
        '''analytics.js:⟨N⟩ Uncaught ReferenceError: dataLayer is not defined
    at trackPageView (analytics.js:⟨L1⟩:5)
    at HTMLDocument.<anonymous> (main.js:⟨L2⟩:3)
''',
        "ReferenceError", "dataLayer is not defined", "trackPageView (analytics.js:⟨L1⟩:5)",
        ("plain", "quote", "fenced"),
    ),
    Base(
        "js_firefox_items", "javascript",
        '''TypeError: data.items is undefined
renderList@https://app.example.com/assets/list-⟨HEX⟩.js:⟨L1⟩:19
loadPage/<@https://app.example.com/assets/list-⟨HEX⟩.js:⟨L2⟩:7
promise callback*loadPage@https://app.example.com/assets/list-⟨HEX⟩.js:80:10
@https://app.example.com/assets/main-⟨HEX⟩.js:12:3
''',
        "TypeError", "data.items is undefined",
        "renderList (assets/list-⟨HEX⟩.js:⟨L1⟩:19)",
        ("plain", "fenced", "json_field"),
    ),
    Base(
        "js_safari_listener", "javascript",
        '''TypeError: null is not an object (evaluating 'button.addEventListener')
bindMenu@https://www.example.com/js/menu.js:⟨L1⟩:11
init@https://www.example.com/js/menu.js:⟨L2⟩:3
global code@https://www.example.com/js/menu.js:99:5
''',
        "TypeError", "null is not an object (evaluating 'button.addEventListener')",
        "bindMenu (js/menu.js:⟨L1⟩:11)",
        ("plain", "quote"),
    ),
    Base(
        "js_module_not_found", "javascript",
        '''node:internal/modules/esm/resolve:853
  throw new ERR_MODULE_NOT_FOUND(packageName, fileURLToPath(base), null);
        ^

Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'zod' imported from /srv/api/src/schema/⟨ID⟩.js
    at packageResolve (node:internal/modules/esm/resolve:853:9)
    at moduleResolve (node:internal/modules/esm/resolve:910:20)
    at defaultResolve (node:internal/modules/esm/resolve:1130:11)
    at ModuleLoader.defaultResolve (node:internal/modules/esm/loader:396:12)
    at ModuleJob._link (node:internal/modules/esm/module_job:84:21) {
  code: 'ERR_MODULE_NOT_FOUND'
}

Node.js v20.⟨N⟩.0
''',
        "Error [ERR_MODULE_NOT_FOUND]", "Cannot find package 'zod' imported from /srv/api/src/schema/⟨ID⟩.js",
        "packageResolve (modules/esm/resolve:853:9)",
        ("plain", "compose", "ci"),
    ),
    Base(
        "go_worker_nil", "go",
        '''panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x⟨HEX⟩]

goroutine ⟨N⟩ [running]:
github.com/mailq/mailq/internal/worker.(*Worker).process(0xc0000b6000, 0xc000214000)
\t/src/internal/worker/worker.go:⟨L1⟩ +0x56
github.com/mailq/mailq/internal/worker.(*Worker).Run(0xc0000b6000, {0x9c2f60, 0xc0000a2050})
\t/src/internal/worker/worker.go:⟨L2⟩ +0x1f1
created by main.main in goroutine 1
\t/src/cmd/mailq/main.go:51 +0x3c5
''',
        "panic", "runtime error: invalid memory address or nil pointer dereference",
        "github.com/mailq/mailq/internal/worker.(*Worker).process (internal/worker/worker.go:⟨L1⟩)",
        ("plain", "cri", "docker_json", "compose"),
    ),
    Base(
        "go_slice_bounds", "go",
        '''panic: runtime error: slice bounds out of range [:⟨N⟩] with capacity 16

goroutine 1 [running]:
github.com/tilde/imgmeta/exif.readIFD({0xc000180000, 0x10, 0x10}, 0x8)
\t/home/ci/imgmeta/exif/ifd.go:⟨L1⟩ +0x2e5
github.com/tilde/imgmeta/exif.Decode({0x7f2a1c, 0xc00009e000})
\t/home/ci/imgmeta/exif/decode.go:⟨L2⟩ +0x1b4
main.main()
\t/home/ci/imgmeta/cmd/imgmeta/main.go:27 +0x165
''',
        "panic", "runtime error: slice bounds out of range [:⟨N⟩] with capacity 16",
        "github.com/tilde/imgmeta/exif.readIFD (imgmeta/exif/ifd.go:⟨L1⟩)",
        ("plain", "fenced", "syslog"),
    ),
    Base(
        "go_http_template", "go",
        '''2026/11/10 08:00:0⟨N⟩ http: panic serving 172.18.0.⟨N⟩:5⟨N⟩: template: page.html:⟨L2⟩:12: executing "page.html" at <.User.Name>: nil pointer evaluating *model.User.Name
goroutine ⟨N⟩ [running]:
net/http.(*conn).serve.func1()
\t/usr/local/go/src/net/http/server.go:1947 +0xbe
panic({0x8c1c40?, 0xc000222010?})
\t/usr/local/go/src/runtime/panic.go:785 +0x132
github.com/wikiwiki/wiki/web.(*Server).render(0xc0001a0000, {0xa9e008, 0xc0002a60e0}, {0x95b0c1, 0x9}, {0x8d9e20, 0xc000252000})
\t/build/web/render.go:⟨L1⟩ +0x2a5
github.com/wikiwiki/wiki/web.(*Server).page(0xc0001a0000, {0xa9e008, 0xc0002a60e0}, 0xc00029a000)
\t/build/web/page.go:31 +0x1c8
net/http.HandlerFunc.ServeHTTP(0xc0001b2000?, {0xa9e008?, 0xc0002a60e0?}, 0x6a7d85?)
\t/usr/local/go/src/net/http/server.go:2220 +0x29
net/http.serverHandler.ServeHTTP({0xc0001a2120?}, {0xa9e008?, 0xc0002a60e0?}, 0x6?)
\t/usr/local/go/src/net/http/server.go:3210 +0x8e
net/http.(*conn).serve(0xc0001ae000, {0xa9f5a8, 0xc0001a8000})
\t/usr/local/go/src/net/http/server.go:2092 +0x5f4
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3360 +0x485
''',
        "panic",
        'template: page.html:⟨L2⟩:12: executing "page.html" at <.User.Name>: nil pointer evaluating *model.User.Name',
        "github.com/wikiwiki/wiki/web.(*Server).render (build/web/render.go:⟨L1⟩)",
        ("plain", "kubectl", "json_field"),
    ),
    Base(
        "go_traceback_system", "go",
        '''panic: queue: job ⟨N⟩ has no handler

goroutine 1 gp=0xc0000061c0 m=0 mp=0x8c5a40 [running]:
panic({0x6f2b20?, 0xc000012345?})
\t/usr/local/go/src/runtime/panic.go:804 +0x168 fp=0xc00011fe48 sp=0xc00011fd98 pc=0x43a8c8
github.com/qrunner/qrunner/queue.(*Dispatcher).dispatch(0xc0000b2000, {0xc0000a4000, 0x12})
\t/srv/qrunner/queue/dispatch.go:⟨L1⟩ +0x2b4 fp=0xc00011fef0 sp=0xc00011fe48 pc=0x6a1d34
github.com/qrunner/qrunner/queue.(*Dispatcher).Run(0xc0000b2000)
\t/srv/qrunner/queue/dispatch.go:⟨L2⟩ +0x8f fp=0xc00011ff40 sp=0xc00011fef0 pc=0x6a1f2f
main.main()
\t/srv/qrunner/cmd/qrunner/main.go:30 +0x1c5 fp=0xc00011ff50 sp=0xc00011ff40 pc=0x6a2285
runtime.main()
\t/usr/local/go/src/runtime/proc.go:272 +0x28b fp=0xc00011ffe0 sp=0xc00011ff50 pc=0x43de6b
runtime.goexit({})
\t/usr/local/go/src/runtime/asm_amd64.s:1700 +0x1 fp=0xc00011ffe8 sp=0xc00011ffe0 pc=0x4727e1
''',
        "panic", "queue: job ⟨N⟩ has no handler",
        "github.com/qrunner/qrunner/queue.(*Dispatcher).dispatch (qrunner/queue/dispatch.go:⟨L1⟩)",
        ("plain", "cri", "syslog"),
    ),
    Base(
        "go_deadlock", "go",
        '''fatal error: all goroutines are asleep - deadlock!

goroutine 1 [chan receive]:
main.collect(0xc000012120, 0x⟨N⟩)
\t/Users/kim/dev/fanout/main.go:⟨L1⟩ +0x85
main.main()
\t/Users/kim/dev/fanout/main.go:⟨L2⟩ +0x4f
exit status 2
''',
        "fatal error", "all goroutines are asleep - deadlock!",
        "main.collect (dev/fanout/main.go:⟨L1⟩)",
        ("plain", "quote"),
    ),
    Base(
        "net_order_nre", "dotnet",
        '''System.NullReferenceException: Object reference not set to an instance of an object.
   at Acme.Orders.Shipping.LabelPrinter.Print(Order order) in /app/src/Acme.Orders/Shipping/LabelPrinter.cs:line ⟨L1⟩
   at Acme.Orders.OrderService.ShipAsync(Guid orderId, CancellationToken ct) in /app/src/Acme.Orders/OrderService.cs:line ⟨L2⟩
   at Acme.Orders.Api.OrdersController.Ship(Guid id, CancellationToken ct) in /app/src/Acme.Orders.Api/OrdersController.cs:line 64
   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfIActionResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0(ControllerActionInvoker invoker, ValueTask`1 actionResultValueTask)
''',
        "System.NullReferenceException", "Object reference not set to an instance of an object.",
        "Acme.Orders.Shipping.LabelPrinter.Print (Acme.Orders/Shipping/LabelPrinter.cs:⟨L1⟩)",
        ("plain", "json_field", "compose", "syslog"),
    ),
    Base(
        "net_postgres_inner", "dotnet",
        '''Microsoft.EntityFrameworkCore.DbUpdateException: An error occurred while saving the entity changes. See the inner exception for details.
 ---> Npgsql.PostgresException (0x80004005): 23505: duplicate key value violates unique constraint "ix_users_email"

DETAIL: Detail redacted as it may contain sensitive data. Specify 'Include Error Detail' in the connection string to include this information.
   at Npgsql.Internal.NpgsqlConnector.ReadMessageLong(Boolean async, DataRowLoadingMode dataRowLoadingMode, Boolean readingNotifications, Boolean isReadingPrependedMessage)
   at Npgsql.NpgsqlDataReader.NextResult(Boolean async, Boolean isConsuming, CancellationToken cancellationToken)
   at Microsoft.EntityFrameworkCore.Update.ReaderModificationCommandBatch.ExecuteAsync(IRelationalConnection connection, CancellationToken cancellationToken)
  Exception data:
    Severity: ERROR
    SqlState: 23505
   --- End of inner exception stack trace ---
   at Microsoft.EntityFrameworkCore.Update.ReaderModificationCommandBatch.ExecuteAsync(IRelationalConnection connection, CancellationToken cancellationToken)
   at Microsoft.EntityFrameworkCore.DbContext.SaveChangesAsync(Boolean acceptAllChangesOnSuccess, CancellationToken cancellationToken)
   at Tally.Accounts.UserStore.CreateAsync(NewUser user) in C:\\src\\Tally\\Accounts\\UserStore.cs:line ⟨L1⟩
   at Tally.Accounts.SignupHandler.Handle(SignupCommand command, CancellationToken ct) in C:\\src\\Tally\\Accounts\\SignupHandler.cs:line ⟨L2⟩
''',
        "Npgsql.PostgresException", '23505: duplicate key value violates unique constraint "ix_users_email"',
        "Npgsql.Internal.NpgsqlConnector.ReadMessageLong",
        ("plain", "cri", "json_nested"),
    ),
    Base(
        "net_key_not_found", "dotnet",
        '''Unhandled exception. System.Collections.Generic.KeyNotFoundException: The given key '⟨ID⟩' was not present in the dictionary.
   at System.Collections.Generic.Dictionary`2.get_Item(TKey key)
   at Tally.Reports.CurrencyTable.Rate(String code) in /build/Tally.Reports/CurrencyTable.cs:line ⟨L1⟩
   at Tally.Reports.MonthlyReport.<>c__DisplayClass4_0.<Build>b__1(Invoice i) in /build/Tally.Reports/MonthlyReport.cs:line ⟨L2⟩
   at System.Linq.Enumerable.Sum[TSource](IEnumerable`1 source, Func`2 selector)
   at Tally.Reports.Program.Main(String[] args) in /build/Tally.Reports/Program.cs:line 14
''',
        "System.Collections.Generic.KeyNotFoundException",
        "The given key '⟨ID⟩' was not present in the dictionary.",
        "System.Collections.Generic.Dictionary`2.get_Item",
        ("plain", "ci", "fenced"),
    ),
    Base(
        "net_http_refused", "dotnet",
        '''System.Net.Http.HttpRequestException: Connection refused (inventory.internal:8080)
 ---> System.Net.Sockets.SocketException (111): Connection refused
   --- End of inner exception stack trace ---
   at System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync(String host, Int32 port, HttpRequestMessage initialRequest, Boolean async, CancellationToken cancellationToken)
   at System.Net.Http.HttpConnectionPool.ConnectAsync(HttpRequestMessage request, Boolean async, CancellationToken cancellationToken)
   at System.Net.Http.HttpConnectionPool.CreateHttp11ConnectionAsync(HttpRequestMessage request, Boolean async, CancellationToken cancellationToken)
   at System.Net.Http.HttpClient.<SendAsync>g__Core|83_0(HttpRequestMessage request, HttpCompletionOption completionOption, CancellationTokenSource cts, Boolean disposeCts, CancellationTokenSource pendingRequestsCts, CancellationToken originalCancellationToken)
   at Tally.Inventory.StockClient.GetLevelsAsync(String sku) in /src/Tally.Inventory/StockClient.cs:line ⟨L1⟩
   at Tally.Inventory.Sync.RunAsync(CancellationToken ct) in /src/Tally.Inventory/Sync.cs:line ⟨L2⟩
''',
        "System.Net.Sockets.SocketException", "Connection refused",
        "System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync",
        ("plain", "compose", "json_field"),
    ),
    Base(
        "net_framework_inline", "dotnet",
        '''Unhandled Exception: System.Configuration.ConfigurationErrorsException: Configuration system failed to initialize ---> System.Xml.XmlException: Unexpected end of file while parsing Name has occurred. Line ⟨N⟩, position 3.
   at System.Xml.XmlTextReaderImpl.Throw(Exception e)
   at System.Xml.XmlTextReaderImpl.ParseElement()
   at System.Configuration.XmlUtil..ctor(Stream stream, String name, Boolean readToFirstElement, ConfigurationSchemaErrors schemaErrors)
   --- End of inner exception stack trace ---
   at System.Configuration.ClientConfigurationSystem.EnsureInit(String configKey)
   at System.Configuration.ConfigurationManager.GetSection(String sectionName)
   at Contoso.Kiosk.Settings.Load() in C:\\agent\\_work\\7\\s\\Contoso.Kiosk\\Settings.cs:line ⟨L1⟩
   at Contoso.Kiosk.Program.Main() in C:\\agent\\_work\\7\\s\\Contoso.Kiosk\\Program.cs:line ⟨L2⟩
''',
        "System.Xml.XmlException",
        "Unexpected end of file while parsing Name has occurred. Line ⟨N⟩, position 3.",
        "System.Xml.XmlTextReaderImpl.Throw",
        ("plain", "quote", "crlf"),
    ),
]  # fmt: skip


def write() -> None:
    rng = random.Random(20261204)
    labels: dict[str, list[dict[str, str]]] = {}
    for base in BASES:
        for n, wrap in enumerate(base.wraps):
            first = rng.randrange(20, 300)
            values = {
                "L1": str(first),
                "L2": str(first + rng.randrange(5, 90)),
                "ID": rng.choice(["A-", "ord_", "", "u"]) + str(rng.randrange(1000, 99999)),
                "N": str(rng.randrange(2, 60)),
                "HEX": f"{rng.randrange(16**8):08x}",
            }
            name = f"gen_{base.name}_{n + 1}_{wrap}.txt"
            text = WRAPS[wrap](_fill(base.text, values), rng)
            (HERE / name).write_text(text, encoding="utf-8", newline="")
            labels[name] = [
                {
                    "language": base.language,
                    "exception": _fill(base.exception, values),
                    "message": _fill(base.message, values),
                    "top_frame": _fill(base.top_frame, values),
                    "group": base.name,
                }
            ]
    labels.update(HAND_LABELS)
    missing = {p.name for p in HERE.glob("*.txt")} ^ set(labels)
    assert not missing, f"labels and files differ: {sorted(missing)}"
    text = json.dumps(dict(sorted(labels.items())), indent=1, ensure_ascii=False)
    (HERE / "labels.json").write_text(text + "\n", encoding="utf-8")
    print(f"{sum(len(v) for v in labels.values())} traces in {len(labels)} files")


def _hand(language: str, exception: str, message: str, top: str, group: str) -> dict[str, str]:
    return {"language": language, "exception": exception, "message": message,
            "top_frame": top, "group": group}  # fmt: skip


_COLUMN = '(psycopg.errors.UndefinedColumn) column "{}" does not exist'
HAND_LABELS: dict[str, list[dict[str, str]]] = {
    "tr_look_prose.txt": [],
    "tr_look_table.txt": [],
    "tr_look_code.txt": [],
    "tr_look_json_errors.txt": [],
    "tr_look_k8s_events.txt": [],
    "tr_multi_mixed.txt": [
        _hand("python", "KeyError", "'month'", "aggregate (batch/batch/aggregate.py:17)", "tr-batch-month"),
        _hand("javascript", "TypeError", "Cannot read properties of undefined (reading 'send')",
              "notify (srv/notifier/index.js:41:19)", "tr-notifier-send"),
        _hand("go", "panic", "send on closed channel", "main.(*Flusher).Flush (app/flusher.go:33)",
              "tr-sidecar-closed"),
    ],
    "tr_py_repeated_worker.txt": [
        _hand("python", "sqlalchemy.exc.ProgrammingError", _COLUMN.format(column),
              "execute (sqlalchemy/engine/base.py:1418)", "tr-reports-column")
        for column in ("amount_eur", "refund_eur")
    ],
    "tr_java_two_crashes.txt": [
        _hand("java", "java.lang.IllegalStateException", f"Index shopfront-v{v} is read-only",
              "com.shopfront.search.Indexer.write(Indexer.java:88)", f"tr-index-{job}")
        for v, job in ((2, "reindex"), (1, "prune"))
    ],
    "tr_java_wrapped_by.txt": [
        _hand("java", "java.net.SocketTimeoutException", "Connect timed out",
              "sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)",
              "tr-courier-timeout"),
    ],
    "tr_net_aspnet_data.txt": [
        _hand("dotnet", "Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException",
              "The database operation was expected to affect 1 row(s), but actually affected 0 "
              "row(s); data may have been modified or deleted since entities were loaded.",
              "Microsoft.EntityFrameworkCore.Update.AffectedCountModificationCommandBatch"
              ".ThrowAggregateUpdateConcurrencyExceptionAsync", "tr-invoice-concurrency"),
    ],
}  # fmt: skip


if __name__ == "__main__":
    write()
