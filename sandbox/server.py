"""The sandbox: a real HTTP server on localhost serving the sample company through the vendors' wire formats.

The demo runs the same connector code a customer runs, pointed at ``http://127.0.0.1:<port>/<vendor>``:

| vendor | base URL the connector is given | endpoints |
| --- | --- | --- |
| WeCom | ``<base>/wecom`` | ``GET /cgi-bin/gettoken``, ``POST /cgi-bin/checkin/getcheckindata`` |
| DingTalk | ``<base>/dingtalk`` | ``GET /gettoken``, ``POST /attendance/listRecord`` |
| Feishu | ``<base>/feishu`` | ``POST /open-apis/auth/v3/tenant_access_token/internal``, ``/open-apis/attendance/v1``: |
| | | ``user_flows/query``, ``user_daily_shifts/query``, ``user_approvals/query`` (POST), ``shifts/{id}`` (GET) |
| | | ``/open-apis/okr/v1``: ``periods``, ``users/{user_id}/okrs`` (GET; progress as of ``feishu_okr.as_of()``) |
| Shopify | ``<base>/shopify`` | ``POST /admin/api/2025-10/graphql.json`` |
| GA4 | ``<base>/ga4`` | ``POST /v1beta/properties/{id}:runReport`` |
| Jira | ``<base>/jira`` | ``POST /rest/api/3/search/jql``, ``GET /rest/api/3/worklog/updated``, |
| | | ``GET /rest/api/3/worklog/deleted``, ``POST /rest/api/3/worklog/list`` |

Each vendor is a plain ``SandboxRequest -> SandboxResponse`` object (``sandbox/vendors/``); the server only does
HTTP. Interceptors (``add_interceptor``) see every request first and may answer it instead of the vendor, which
is how tests and fault injection (``sandbox/faults.py``) script throttling or vendor errors: an interceptor may
answer raw ``bytes`` (a truncated body, an HTML error page) or raise ``DropConnection`` to hang up without an answer.
The sandbox never logs query strings or headers (WeCom sends its secret in the URL).

Faults: ``hrhub sandbox`` (and the demo / ``hrhub dev`` through ``orchestration.local_run.sandbox_running``) put a
seeded ``FaultInjector`` in front of the vendors when ``HRHUB_SANDBOX_FAULT_RATE`` is above 0, e.g.
``HRHUB_SANDBOX_FAULT_RATE=0.2 HRHUB_SANDBOX_FAULT_SEED=7 HRHUB_SANDBOX_FAULT_REPORT=var/faults.json``: 429 with
``Retry-After``, 5xx, dropped connections, truncated JSON, vendor-shaped errors and replayed pages. See
``sandbox/faults.py`` for every ``HRHUB_SANDBOX_FAULT_*`` variable; the counts by kind go to the report file.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from sandbox.vendors.base import SandboxRequest, SandboxResponse, VendorApi
from sandbox.vendors.dingtalk import DingTalkApi
from sandbox.vendors.feishu import FeishuApi
from sandbox.vendors.feishu_okr import FeishuOkrApi, FeishuOpenPlatform
from sandbox.vendors.ga4 import Ga4Api
from sandbox.vendors.jira import JiraApi
from sandbox.vendors.shopify import ShopifyApi
from sandbox.vendors.wecom import WeComApi

log = logging.getLogger(__name__)

Interceptor = Callable[[str, SandboxRequest], SandboxResponse | None]  # (vendor, request) -> answer or None


class DropConnection(Exception):  # noqa: N818 (an instruction to the server, not an error)
    """Raised by an interceptor: close the connection without answering (the client sees no response)."""


@dataclass(frozen=True)
class SandboxCredentials:
    """What the sandbox accepts. Demo values only; ``from_env`` reads the same variables the connectors use."""

    wecom_corpid: str = "ww-sandbox-corp"
    wecom_corpsecret: str = "sandbox-wecom-secret"
    wecom_token_ttl_seconds: int = 7200
    dingtalk_appkey: str = "dingsandboxappkey"
    dingtalk_appsecret: str = "sandbox-dingtalk-secret"
    feishu_app_id: str = "cli_sandboxfeishu01"
    feishu_app_secret: str = "sandbox-feishu-secret"
    shopify_access_token: str = "shpat_sandbox_token"
    ga4_property_id: str = "123456789"
    ga4_access_token: str = "ya29.sandbox-token"
    jira_email: str = "sandbox@example.com"
    jira_api_token: str = "sandbox-jira-token"

    def __repr__(self) -> str:
        return f"SandboxCredentials(wecom_corpid={self.wecom_corpid!r}, ga4_property_id={self.ga4_property_id!r}, ...)"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SandboxCredentials:
        defaults = cls()
        names = {
            "wecom_corpid": "HRHUB_WECOM_CORPID",
            "wecom_corpsecret": "HRHUB_WECOM_CORPSECRET",
            "dingtalk_appkey": "HRHUB_DINGTALK_APPKEY",
            "dingtalk_appsecret": "HRHUB_DINGTALK_APPSECRET",
            "feishu_app_id": "HRHUB_FEISHU_APP_ID",
            "feishu_app_secret": "HRHUB_FEISHU_APP_SECRET",
            "shopify_access_token": "HRHUB_SHOPIFY_ACCESS_TOKEN",
            "ga4_property_id": "HRHUB_GA4_PROPERTY_ID",
            "ga4_access_token": "HRHUB_GA4_ACCESS_TOKEN",
            "jira_email": "HRHUB_JIRA_EMAIL",
            "jira_api_token": "HRHUB_JIRA_API_TOKEN",
        }
        return cls(**{field: environ.get(var) or getattr(defaults, field) for field, var in names.items()})


class SandboxServer:
    """Serves ``tables`` (the sample company) on ``host:port`` (0 = any free port) from a background thread."""

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        port: int = 0,
        credentials: SandboxCredentials | None = None,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials or SandboxCredentials()
        c = self.credentials
        self.wecom = WeComApi(tables, c.wecom_corpid, c.wecom_corpsecret, c.wecom_token_ttl_seconds, clock)
        self.dingtalk = DingTalkApi(tables, c.dingtalk_appkey, c.dingtalk_appsecret, clock=clock)
        self.feishu = FeishuApi(tables, c.feishu_app_id, c.feishu_app_secret, clock=clock)
        self.feishu_okr = FeishuOkrApi(tables, tokens=self.feishu, clock=clock)  # same host and tokens
        self.shopify = ShopifyApi(tables, c.shopify_access_token, clock)
        self.ga4 = Ga4Api(tables, c.ga4_property_id, c.ga4_access_token)
        self.jira = JiraApi(tables, c.jira_email, c.jira_api_token)
        self.vendors: dict[str, VendorApi] = {
            v.name: v
            for v in (
                self.wecom,
                self.dingtalk,
                FeishuOpenPlatform(self.feishu, self.feishu_okr),
                self.shopify,
                self.ga4,
                self.jira,
            )
        }
        self._interceptors: list[Interceptor] = []
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        httpd = ThreadingHTTPServer((self._host, self._port), _Handler)
        httpd.daemon_threads = True
        httpd.sandbox = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="hrhub-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd, self._thread = None, None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- addresses ----------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox is not running; use it as a context manager or call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def vendor_url(self, vendor: str) -> str:
        if vendor not in self.vendors:
            raise KeyError(f"unknown vendor {vendor!r}; the sandbox serves {sorted(self.vendors)}")
        return f"{self.base_url}/{vendor}"

    @property
    def wecom_url(self) -> str:
        return self.vendor_url("wecom")

    @property
    def dingtalk_url(self) -> str:
        return self.vendor_url("dingtalk")

    @property
    def feishu_url(self) -> str:
        return self.vendor_url("feishu")

    @property
    def shopify_url(self) -> str:
        return self.vendor_url("shopify")

    @property
    def ga4_url(self) -> str:
        return self.vendor_url("ga4")

    @property
    def jira_url(self) -> str:
        return self.vendor_url("jira")

    # ---- request routing ----------------------------------------------------------------------------------------

    def add_interceptor(self, interceptor: Interceptor) -> Callable[[], None]:
        """Let ``interceptor`` see every request first; returns a function that removes it again."""
        self._interceptors.append(interceptor)
        return lambda: self._interceptors.remove(interceptor)

    def dispatch(self, vendor: str, request: SandboxRequest) -> SandboxResponse:
        for interceptor in list(self._interceptors):
            answer = interceptor(vendor, request)
            if answer is not None:
                return answer
        api = self.vendors.get(vendor)
        if api is None:
            return SandboxResponse(404, {"error": f"no vendor {vendor!r}; try {sorted(self.vendors)}"})
        return api.handle(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: connectors reuse one connection per session
    disable_nagle_algorithm = True  # headers and body go out in two writes: don't let each wait for an ACK
    server_version = "hrhub-sandbox/1"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        sandbox: SandboxServer = self.server.sandbox  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        vendor, _, below_vendor = url.path.lstrip("/").partition("/")
        query = parse_qs(url.query, keep_blank_values=True)
        request = SandboxRequest(
            method=self.command,
            path="/" + below_vendor,
            query={k: v[0] for k, v in query.items()},
            query_lists=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = sandbox.dispatch(vendor, request)
        except DropConnection:
            self.close_connection = True
            return
        except Exception:
            log.exception("sandbox %s handler failed on %s %s", vendor, self.command, url.path)
            response = SandboxResponse(500, {"error": "sandbox internal error"})
        payload = response.body if isinstance(response.body, bytes) else response.encode()
        headers = dict(response.headers)
        self.send_response(response.status)
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        # The stdlib logs the request line, query string (WeCom secret) included: log the path only.
        log.debug("%s %s", self.command, urlsplit(self.path).path)


def run_sandbox(sample_dir: Path, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the sample in ``sample_dir`` until SIGINT/SIGTERM (the ``hrhub sandbox`` command)."""
    from sandbox.sample import load_sample  # the generator is only needed when serving a sample from disk

    _, tables = load_sample(Path(sample_dir))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with SandboxServer(tables, port=port, host=host, credentials=SandboxCredentials.from_env()) as server:
            from sandbox.faults import install_from_env  # faults.py imports this module

            faults = install_from_env(server)
            print(f"hrhub sandbox serving {Path(sample_dir)} at {server.base_url}", flush=True)
            for vendor in server.vendors:
                print(f"  {vendor:<8} {server.vendor_url(vendor)}", flush=True)
            if faults is not None:
                print(f"  injecting faults into {faults.config.rate:.0%} of requests (seed {faults.config.seed})")
            print("stop with Ctrl+C", flush=True)
            while not stop.wait(0.5):
                pass
            if faults is not None:
                faults.write_summary()
                print(f"  faults injected: {faults.summary()}", flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("hrhub sandbox stopped", flush=True)
