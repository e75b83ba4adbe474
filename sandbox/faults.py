"""Seeded fault injection for the sandbox: the vendors misbehave the way real ones do, reproducibly.

A ``FaultInjector`` is a sandbox interceptor (``SandboxServer.add_interceptor``). For each request it draws, from a
hash of ``(seed, vendor, method, path, n)`` where ``n`` counts earlier requests to that vendor endpoint, whether
to answer with a fault (probability ``rate``), so a seed fails the same requests for the same request order,
whatever the wall clock. The kind is dealt from ``mix`` by a seeded weighted round robin over the faults in the
order they happen (not drawn independently), so even a short run sees every kind in proportion. Kinds:

- ``throttle``: HTTP 429 with a short ``Retry-After`` (0..``max_retry_after`` s; Feishu also gets
  ``x-ogw-ratelimit-reset``), in the vendor's own error body where it has one.
- ``server_error``: HTTP 500/502/503/504 with a proxy's HTML page (not JSON) and ``Retry-After: 0``.
- ``timeout``: the server holds the request ``timeout_stall_seconds`` and closes the connection without answering
  (set it above the client's read timeout to exercise a real read timeout; the default keeps tests fast).
- ``truncated_json``: the vendor's real answer, cut short mid-body (HTTP 200).
- ``vendor_error``: a transient error in the vendor's own shape: HTTP 200 ``errcode -1``/``45009`` (WeCom),
  ``-1``/``90018`` (DingTalk), ``code 99991400`` (Feishu), ``THROTTLED`` (Shopify); status-coded for GA4
  (503 ``UNAVAILABLE``) and Jira (503 ``errorMessages``).
- ``duplicate_page``: on paged endpoints (Shopify orders, Jira search and worklog feeds, GA4 ``runReport``, Feishu
  OKR periods and OKRs), the real page, but claiming another page follows whose cursor serves the same page again
  (a replayed cursor). Offset- and time-cursor feeds get it only on their last page, so no real page is skipped.
  A connector that does not de-duplicate counts those rows twice.

Configuration for the demo and ``hrhub sandbox`` comes from the environment (``FaultConfig.from_env``):
``HRHUB_SANDBOX_FAULT_RATE`` (0..1; unset or 0 = no faults), ``HRHUB_SANDBOX_FAULT_SEED`` (int, default 0),
``HRHUB_SANDBOX_FAULT_MIX`` (``throttle=2,timeout=1,...``; unnamed kinds get weight 0, unset = all equal),
``HRHUB_SANDBOX_FAULT_TIMEOUT_SECONDS``, ``HRHUB_SANDBOX_FAULT_MAX_RETRY_AFTER`` and
``HRHUB_SANDBOX_FAULT_REPORT`` (a JSON file the counts by kind are written to). ``summary()`` has the same counts.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.server import DropConnection, SandboxServer
from sandbox.vendors.base import SandboxRequest, SandboxResponse

KINDS = ("throttle", "server_error", "timeout", "truncated_json", "vendor_error", "duplicate_page")
ENV_PREFIX = "HRHUB_SANDBOX_FAULT_"


@dataclass(frozen=True)
class FaultConfig:
    rate: float = 0.0  # share of requests answered with a fault
    seed: int = 0
    mix: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 1.0))  # relative weights
    max_retry_after: float = 1.0  # seconds; 429s ask for 0..this
    timeout_stall_seconds: float = 0.05  # how long a "timeout" holds the request before dropping the connection
    report_path: Path | None = None  # where ``write_summary`` puts the counts

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be in 0..1, got {self.rate}")
        unknown = sorted(set(self.mix) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; known: {list(KINDS)}")
        if any(weight < 0 for weight in self.mix.values()) or (self.rate > 0 and not any(self.mix.values())):
            raise ValueError("fault weights must be >= 0 and at least one positive")
        if self.max_retry_after < 0 or self.timeout_stall_seconds < 0:
            raise ValueError("max_retry_after and timeout_stall_seconds must be >= 0")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> FaultConfig:
        def number(name: str, default: float) -> float:
            value = environ.get(ENV_PREFIX + name, "").strip()
            try:
                return float(value) if value else default
            except ValueError as error:
                raise ValueError(f"{ENV_PREFIX}{name} must be a number, got {value!r}") from error

        mix_text = environ.get(ENV_PREFIX + "MIX", "").strip()
        mix = dict.fromkeys(KINDS, 1.0) if not mix_text else _parse_mix(mix_text)
        report = environ.get(ENV_PREFIX + "REPORT", "").strip()
        return cls(
            rate=number("RATE", 0.0),
            seed=int(number("SEED", 0)),
            mix=mix,
            max_retry_after=number("MAX_RETRY_AFTER", 1.0),
            timeout_stall_seconds=number("TIMEOUT_SECONDS", 0.05),
            report_path=Path(report) if report else None,
        )


def _parse_mix(text: str) -> dict[str, float]:
    mix = dict.fromkeys(KINDS, 0.0)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = part.partition("=")
        if name.strip() not in mix:
            raise ValueError(f"{ENV_PREFIX}MIX names unknown fault kind {name.strip()!r}; known: {list(KINDS)}")
        try:
            mix[name.strip()] = float(weight) if weight.strip() else 1.0
        except ValueError as error:
            raise ValueError(f"{ENV_PREFIX}MIX weight for {name.strip()!r} is not a number: {weight!r}") from error
    return mix


class FaultInjector:
    """The interceptor. ``vendors`` answers a request for real (truncated bodies and duplicate pages need it)."""

    def __init__(
        self, config: FaultConfig, vendors: Callable[[str, SandboxRequest], SandboxResponse] | None = None
    ) -> None:
        self.config = config
        self._vendors = vendors
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str, str]] = Counter()
        self._injected: Counter[str] = Counter()
        self._replays: dict[tuple[str, str, str, str, str], Any] = {}  # (vendor, method, path, stream, cursor) -> body
        self._replay_tokens = 0
        # Which kind the next fault is: a seeded start, then dealt in proportion to ``mix`` (see ``_deal``).
        self._credit = {k: config.mix.get(k, 0.0) * _unit(str(config.seed), k) for k in KINDS}

    def install(self, server: SandboxServer) -> Callable[[], None]:
        """Sit in front of ``server``'s vendors; returns the function that removes the injector again."""

        def answer_for_real(vendor: str, request: SandboxRequest) -> SandboxResponse:
            api = server.vendors.get(vendor)
            return api.handle(request) if api is not None else SandboxResponse(404, {"error": f"no vendor {vendor!r}"})

        self._vendors = answer_for_real
        return server.add_interceptor(self)

    # ---- reporting ----------------------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        """Faults injected so far by kind (every kind listed, zeros included) plus ``requests`` seen."""
        with self._lock:
            return {**{kind: self._injected[kind] for kind in KINDS}, "requests": sum(self._requests.values())}

    def write_summary(self, path: Path | None = None) -> Path | None:
        """Write ``summary()`` as JSON to ``path`` (default: the configured report path); returns where."""
        target = path or self.config.report_path
        if target is None:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = {"rate": self.config.rate, "seed": self.config.seed, "injected": self.summary()}
        target.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return target

    # ---- the interceptor ----------------------------------------------------------------------------------------

    def __call__(self, vendor: str, request: SandboxRequest) -> SandboxResponse | None:
        paging = _paging(vendor, request)
        with self._lock:
            if paging is not None:
                replay = self._replays.pop((vendor, request.method, request.path, *paging), None)
                if replay is not None:
                    return SandboxResponse(200, replay)  # the replayed cursor: the same page once more
            endpoint = (vendor, request.method.upper(), request.path)
            n = self._requests[endpoint]
            self._requests[endpoint] += 1
        key = f"{self.config.seed}|{vendor}|{endpoint[1]}|{endpoint[2]}|{n}"
        if self.config.rate <= 0 or _unit(key, "rate") >= self.config.rate:
            return None
        kinds = [k for k in KINDS if self.config.mix.get(k, 0) > 0 and (k != "duplicate_page" or paging)]
        if not kinds:
            return None
        with self._lock:
            kind = max(kinds, key=lambda k: (self._credit[k], -KINDS.index(k)))
        answer, injected = self._inject(kind, vendor, request, _unit(key, "detail"))
        if injected:
            with self._lock:
                self._injected[kind] += 1
                self._deal(kind)
        return answer

    def _deal(self, kind: str) -> None:
        """Smooth weighted round robin: each kind earns its weight per fault, the one dealt pays the total."""
        weights = {k: self.config.mix.get(k, 0.0) for k in KINDS}
        for k, weight in weights.items():
            self._credit[k] += weight
        self._credit[kind] -= sum(weights.values())

    def _inject(self, kind: str, vendor: str, request: SandboxRequest, u: float) -> tuple[SandboxResponse, bool]:
        """The answer, and whether it is a fault (a real answer that could not be spoiled is passed on as is)."""
        if kind == "throttle":
            return _throttle(vendor, round(u * self.config.max_retry_after, 2)), True
        if kind == "server_error":
            status = (500, 502, 503, 504)[int(u * 4) % 4]
            page = f"<html><body><h1>{status} upstream unavailable</h1></body></html>".encode()
            return SandboxResponse(status, page, {"Retry-After": "0", "Content-Type": "text/html"}), True
        if kind == "timeout":
            with self._lock:
                self._injected[kind] += 1  # counted here: the request never returns
                self._deal(kind)
            time.sleep(self.config.timeout_stall_seconds)
            raise DropConnection(f"injected timeout on {vendor} {request.method} {request.path}")
        if kind == "vendor_error":
            return _vendor_error(vendor, u), True
        real = self._real(vendor, request)
        if real.status != 200 or isinstance(real.body, bytes):
            return real, False  # the vendor itself said no: pass that on untouched
        if kind == "truncated_json":
            payload = real.encode()
            return SandboxResponse(200, payload[: max(1, int(len(payload) * (0.2 + 0.6 * u)))], real.headers), True
        return self._duplicate(vendor, request, real)

    def _real(self, vendor: str, request: SandboxRequest) -> SandboxResponse:
        if self._vendors is None:
            raise RuntimeError("FaultInjector needs the vendors to answer for real: call install(server)")
        return self._vendors(vendor, request)

    def _duplicate(self, vendor: str, request: SandboxRequest, real: SandboxResponse) -> tuple[SandboxResponse, bool]:
        """The real page, now claiming a next page whose cursor (remembered here) replays this very page."""
        with self._lock:
            self._replay_tokens += 1
            token = f"hrhub-replay-{self._replay_tokens}"
        claimed = _claim_next_page(vendor, request, copy.deepcopy(real.body), token)
        if claimed is None:
            return real, False  # not a page that can be replayed safely (e.g. an offset feed's middle page)
        body, stream, cursor = claimed
        with self._lock:
            self._replays[(vendor, request.method, request.path, stream, cursor)] = real.body
        return SandboxResponse(200, body, real.headers), True


def install_from_env(server: SandboxServer, environ: Mapping[str, str] = os.environ) -> FaultInjector | None:
    """Put a ``FaultInjector`` configured by ``HRHUB_SANDBOX_FAULT_*`` in front of ``server``; None when off."""
    config = FaultConfig.from_env(environ)
    if config.rate <= 0:
        return None
    injector = FaultInjector(config)
    injector.install(server)
    return injector


# ---- drawing ------------------------------------------------------------------------------------------------------


def _unit(key: str, salt: str) -> float:
    """A uniform number in [0, 1) from ``key``: the same for the same seed and request order."""
    digest = hashlib.blake2b(f"{key}|{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


# ---- the vendors' own ways of saying "not now" ----------------------------------------------------------------------


def _throttle(vendor: str, seconds: float) -> SandboxResponse:
    wait = f"{seconds:g}"
    bodies: dict[str, Any] = {
        "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
        "dingtalk": {"errcode": 90018, "errmsg": "当前企业调用该接口的超过每秒限流阈值"},
        "feishu": {"code": 99991400, "msg": "request trigger frequency limit"},
        "shopify": {"errors": [{"message": "Too Many Requests"}]},
        "ga4": {"error": {"code": 429, "message": "Exhausted property tokens.", "status": "RESOURCE_EXHAUSTED"}},
        "jira": {"errorMessages": ["Rate limit exceeded."]},
    }
    headers = {"Retry-After": wait, **({"x-ogw-ratelimit-reset": wait} if vendor == "feishu" else {})}
    return SandboxResponse(429, bodies.get(vendor, {"error": "too many requests"}), headers)


def _vendor_error(vendor: str, u: float) -> SandboxResponse:
    """Transient errors as each vendor writes them (``/work/shared/reference/source_apis.md``)."""
    first = u < 0.5
    if vendor == "wecom":
        body = (
            {"errcode": -1, "errmsg": "system busy"}
            if first
            else {"errcode": 45033, "errmsg": "api concurrent out of limit"}
        )
        return SandboxResponse(200, body)
    if vendor == "dingtalk":
        body = {"errcode": -1, "errmsg": "系统繁忙"} if first else {"errcode": 90018, "errmsg": "请求过于频繁"}
        return SandboxResponse(200, body)
    if vendor == "feishu":
        body = {"code": 99991400, "msg": "request trigger frequency limit"}
        return SandboxResponse(200, body, {"x-ogw-ratelimit-limit": "50", "x-ogw-ratelimit-reset": "0"})
    if vendor == "shopify":
        cost = {
            "requestedQueryCost": 52,
            "actualQueryCost": None,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 50.0, "restoreRate": 50.0},
        }
        body = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}], "extensions": {"cost": cost}}
        return SandboxResponse(200, body)
    if vendor == "ga4":
        error = {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}
        return SandboxResponse(503, {"error": error})
    if vendor == "jira":
        return SandboxResponse(503, {"errorMessages": ["Service temporarily unavailable"]}, {"Retry-After": "0"})
    return SandboxResponse(503, {"error": "service unavailable"})


# ---- paging: where each paged endpoint keeps its cursor -------------------------------------------------------------

_GA4_REPORT = re.compile(r"^/v1beta/properties/[^/]+:runReport$")
_SHOPIFY_GRAPHQL = re.compile(r"^/admin/api/[^/]+/graphql\.json$")
_FEISHU_OKRS = re.compile(r"^/open-apis/okr/v1/users/[^/]+/okrs$")
_JIRA_SEARCH = "/rest/api/3/search/jql"
_JIRA_FEEDS = frozenset({"/rest/api/3/worklog/updated", "/rest/api/3/worklog/deleted"})
_FEISHU_PERIODS = "/open-apis/okr/v1/periods"


def _paging(vendor: str, request: SandboxRequest) -> tuple[str, str] | None:
    """``(stream, cursor)`` for a request to a paged endpoint: the query without its cursor, and the cursor."""
    try:
        if vendor == "shopify" and _SHOPIFY_GRAPHQL.match(request.path):
            body = request.json() or {}
            variables = dict(body.get("variables") or {})
            cursor = variables.pop("after", None)
            return _canonical([body.get("query"), variables]), str(cursor or "")
        if vendor == "jira" and request.path == _JIRA_SEARCH:
            body = dict(request.json() or {})
            token = str(body.pop("nextPageToken", "") or "")
            return _canonical(body), token
        if vendor == "ga4" and _GA4_REPORT.match(request.path):
            body = dict(request.json() or {})
            offset = str(int(body.pop("offset", 0) or 0))
            return _canonical(body), offset
    except (ValueError, AttributeError, TypeError):
        return None  # not a body this endpoint understands: the vendor answers it, not the injector
    if vendor == "jira" and request.method.upper() == "GET" and request.path in _JIRA_FEEDS:
        return "", str(request.query.get("since", ""))
    if vendor == "feishu" and request.path == _FEISHU_PERIODS:
        query = {k: v for k, v in request.query_lists.items() if k != "page_token"}
        return _canonical(query), request.query.get("page_token", "")
    if vendor == "feishu" and _FEISHU_OKRS.match(request.path):
        query = {k: v for k, v in request.query_lists.items() if k != "offset"}
        return _canonical(query), request.query.get("offset", "0")
    return None


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _claim_next_page(vendor: str, request: SandboxRequest, body: Any, token: str) -> tuple[Any, str, str] | None:
    """``body`` rewritten to announce one more page, and the (stream, cursor) the connector will ask it with."""
    stream, cursor = _paging(vendor, request) or ("", "")
    if not isinstance(body, dict):
        return None
    if vendor == "shopify":
        orders = (body.get("data") or {}).get("orders")
        if not isinstance(orders, dict):
            return None
        orders["pageInfo"] = {**(orders.get("pageInfo") or {}), "hasNextPage": True, "endCursor": token}
        return body, stream, token
    if vendor == "jira" and request.path == _JIRA_SEARCH:
        body.update(isLast=False, nextPageToken=token)
        return body, stream, token
    if vendor == "jira":  # worklog feeds: ``since`` is a time cursor; only the last page can be claimed safely
        if body.get("lastPage") is not True:
            return None
        since = int(cursor or 0)
        next_since = max(since, int(body.get("until") or since)) + 1
        body.update(lastPage=False, until=next_since, nextPage=f"?since={next_since}")
        return body, stream, str(next_since)
    if vendor == "ga4":  # offset paging: only the last page (anything else would make the replay hide a real page)
        rows = body.get("rows") or []
        offset = int(cursor or 0)
        if not rows or offset + len(rows) < int(body.get("rowCount", 0)):
            return None
        body["rowCount"] = offset + 2 * len(rows)
        return body, stream, str(offset + len(rows))
    data = body.get("data")
    if vendor != "feishu" or not isinstance(data, dict) or body.get("code") != 0:
        return None
    if request.path == _FEISHU_PERIODS:
        data.update(has_more=True, page_token=token)
        return body, stream, token
    okrs, total, offset = data.get("okr_list") or [], data.get("total"), int(cursor or 0)
    if not okrs or not isinstance(total, int) or offset + len(okrs) < total:
        return None
    data["total"] = offset + 2 * len(okrs)
    return body, stream, str(offset + len(okrs))
