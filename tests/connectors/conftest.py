"""Contract-test fixtures: a real sandbox HTTP server on an ephemeral port, and a fake clock for waits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import pytest

from sandbox.server import SandboxCredentials, SandboxServer
from sandbox.vendors.base import SandboxRequest, SandboxResponse
from tests.connectors.tiny_company import tiny_company


@dataclass
class FakeClock:
    """Stands in for both ``time.monotonic`` and ``time.sleep``: sleeping moves time forward, instantly."""

    now: float = 1_000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Recorder:
    """An interceptor that records each request to one vendor and can answer the next ones from a script."""

    vendor: str
    requests: list[SandboxRequest] = field(default_factory=list)
    script: list[SandboxResponse] = field(default_factory=list)
    path_contains: str = ""

    def __call__(self, vendor: str, request: SandboxRequest) -> SandboxResponse | None:
        if vendor != self.vendor or self.path_contains not in request.path:
            return None
        self.requests.append(request)
        return self.script.pop(0) if self.script else None

    def bodies(self) -> list[dict]:
        return [json.loads(r.body) for r in self.requests]


@pytest.fixture(scope="session")
def company() -> dict[str, pd.DataFrame]:
    return tiny_company(3)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def credentials() -> SandboxCredentials:
    return SandboxCredentials()


@pytest.fixture
def sandbox(
    company: dict[str, pd.DataFrame], clock: FakeClock, credentials: SandboxCredentials
) -> Iterator[SandboxServer]:
    with SandboxServer(company, credentials=credentials, clock=clock) as server:
        yield server
