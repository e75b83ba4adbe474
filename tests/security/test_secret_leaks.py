"""Credentials reach the connectors only through environment variables and never land anywhere the pipeline writes.

A distinctive value is planted in every credential variable the connectors, the notification channels and the
sandbox read; a one-week run of a small sample company goes through the whole graph, then an ingestion run meets vendors
that refuse the credentials and echo them back in their error bodies (as some real APIs do). Afterwards the secret
must not appear in the Dagster event log, any file under the home (warehouse bytes, exports, outbox, logs,
DAGSTER_HOME), the text of any warehouse table or the failure messages.
"""

from __future__ import annotations

import base64
import re
import secrets
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from sandbox.vendors.base import SandboxRequest, SandboxResponse

pytestmark = [pytest.mark.slow, pytest.mark.resilience, pytest.mark.trust("security", "secret leaks (whole run)")]

EMPLOYEES = 80  # as tests/integration/test_weekly_run.py: the sample every data check is tuned on
MARKER = "zqxleak" + secrets.token_hex(6)
"""Shared by every planted value: nothing else in the pipeline can contain it by chance."""
JIRA_EMAIL = "payroll-bot@example.com"

CONNECTOR_SECRETS = {
    "wecom_corpsecret": "HRHUB_WECOM_CORPSECRET",
    "dingtalk_appsecret": "HRHUB_DINGTALK_APPSECRET",
    "feishu_app_secret": "HRHUB_FEISHU_APP_SECRET",
    "shopify_access_token": "HRHUB_SHOPIFY_ACCESS_TOKEN",
    "ga4_access_token": "HRHUB_GA4_ACCESS_TOKEN",
    "jira_api_token": "HRHUB_JIRA_API_TOKEN",
}


def _channel_secret_variables() -> list[str]:
    """Every ``*_env`` variable the shipped exports config names (bot keys, signing secrets, SMTP password)."""
    text = (PROJECT_ROOT / "config" / "exports.yaml").read_text(encoding="utf-8")
    return re.findall(r"^\s*\w+_env:\s*([A-Z0-9_]+)", text, flags=re.MULTILINE)


def _refusing_vendor(vendor: str, request: SandboxRequest) -> SandboxResponse | None:
    """Every vendor rejects every call, quoting back what it was sent (URL query with WeCom's and DingTalk's
    secrets, Feishu's JSON body, Authorization and token headers) as some real APIs' error pages do."""
    echoed = f"invalid credentials: headers={request.headers} query={request.query} body={request.body!r}"
    status = {"jira": 401, "ga4": 401, "shopify": 403}.get(vendor, 400)
    return SandboxResponse(status, {"errorMessages": [echoed], "errors": echoed, "errcode": 40001, "errmsg": echoed})


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("hrhub_secret_home")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("HRHUB_HOME", str(home))
    monkeypatch.setenv("HRHUB_DUCKDB_PATH", str(home / "warehouse.duckdb"))
    monkeypatch.setenv("HRHUB_INBOX_DIR", str(home / "inbox"))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
    planted = {field: f"{MARKER}-{field}" for field in CONNECTOR_SECRETS}
    for variable in _channel_secret_variables():
        planted[variable] = f"{MARKER}-{variable.lower()}"
        monkeypatch.setenv(variable, planted[variable])
    for field, variable in CONNECTOR_SECRETS.items():
        monkeypatch.setenv(variable, planted[field])
    monkeypatch.setenv("HRHUB_JIRA_EMAIL", JIRA_EMAIL)

    from orchestration.local_run import (
        DEMO_FEISHU_OKR_CALLS_PER_MINUTE,
        SHOPIFY_PLUS_BUCKET,
        connector_environment,
        demo_instance,
        generate_and_write_sample,
        pipeline_job,
        render_inbox,
        run_backfill,
        run_week,
    )
    from orchestration.settings import load_settings
    from sandbox.sample import load_sample
    from sandbox.sample.people import zkbiotime_devices
    from sandbox.server import SandboxCredentials, SandboxServer
    from sandbox.zkbiotime import write_zkbiotime_database
    from scoring.weeks import parse_week

    week = parse_week("2026-03-02")
    settings = load_settings()
    _, tables = load_sample(generate_and_write_sample(7, EMPLOYEES, 1, week, settings.sample_dir))
    render_inbox(tables, [week], settings.inbox_dir, settings.timezone)
    zkbiotime_url = f"sqlite:///{home / 'zkbiotime' / 'biotime.sqlite'}"
    write_zkbiotime_database(zkbiotime_url, tables, zkbiotime_devices(tables["employees"]))
    # The sandbox checks the same variables the connectors read: a connector sending anything else is refused.
    credentials = SandboxCredentials.from_env()
    assert {getattr(credentials, field) for field in CONNECTOR_SECRETS} == {planted[f] for f in CONNECTOR_SECRETS}
    with SandboxServer(tables, credentials=credentials) as server:
        for variable, value in connector_environment(server).items():
            monkeypatch.setenv(variable, value)
        monkeypatch.setenv("HRHUB_ZKBIOTIME_URL", zkbiotime_url)
        server.shopify.set_throttle(*SHOPIFY_PLUS_BUCKET)
        server.feishu_okr.set_rate_limit(DEMO_FEISHU_OKR_CALLS_PER_MINUTE)
        with demo_instance(settings) as instance:
            job = pipeline_job()
            clean = list(run_backfill(job, [week], instance, home / "logs"))
            remove = server.add_interceptor(_refusing_vendor)
            try:
                refused = run_week(job, week, instance, home / "logs" / "refused.log")
            finally:
                remove()
            events = [repr(record) for run in instance.get_runs() for record in instance.all_logs(run.run_id)]
            yield {
                "home": home,
                "settings": settings,
                "planted": planted,
                "clean": clean,
                "refused": refused,
                "events": events,
            }
    monkeypatch.undo()


def _needles(planted: dict[str, str]) -> list[str]:
    """The marker itself, and each secret as base64 (alone, and as Jira's Basic ``email:token`` pair)."""
    encoded = [base64.b64encode(value.encode()).decode("ascii") for value in planted.values()]
    basic = base64.b64encode(f"{JIRA_EMAIL}:{planted['jira_api_token']}".encode()).decode("ascii")
    return [MARKER, basic, *encoded]


def _leaks(text: str, needles: list[str]) -> list[str]:
    """Each place a needle occurs, with some context, so a failure shows where the secret went."""
    return [text[max(0, m.start() - 80) : m.end() + 40] for n in needles for m in re.finditer(re.escape(n), text)]


def test_the_run_used_the_planted_credentials_and_met_the_refusals(leaky_run):
    assert all(outcome.success for outcome in leaky_run["clean"]), [o.problems for o in leaky_run["clean"]]
    refused = leaky_run["refused"]
    assert not refused.success
    for source in ("wecom", "dingtalk", "feishu", "shopify", "ga4", "jira"):
        assert any(source in problem for problem in refused.problems), (source, refused.problems)


def test_no_secret_in_the_dagster_event_log_or_failure_messages(leaky_run):
    assert len(leaky_run["events"]) > 100  # the whole log was read, not an empty instance
    needles = _needles(leaky_run["planted"])
    found = [leak for record in leaky_run["events"] for leak in _leaks(record, needles)]
    outcomes = [*leaky_run["clean"], leaky_run["refused"]]
    found += [leak for outcome in outcomes for problem in outcome.problems for leak in _leaks(problem, needles)]
    assert found == []


def test_no_secret_in_any_file_the_run_wrote(leaky_run):
    home: Path = leaky_run["home"]
    files = [path for path in home.rglob("*") if path.is_file() and not path.is_symlink()]
    settings = leaky_run["settings"]
    assert settings.duckdb_path in files and settings.outbox_path in files  # the outputs exist to be searched
    assert any(settings.payroll_drafts_dir in path.parents for path in files)
    assert any(settings.dagster_home in path.parents for path in files)
    needles = [needle.encode() for needle in _needles(leaky_run["planted"])]
    leaking = [str(path.relative_to(home)) for path in files if any(n in path.read_bytes() for n in needles)]
    assert leaking == []


def test_no_secret_in_any_warehouse_table(leaky_run):
    path = leaky_run["settings"].duckdb_path
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        assert len(tables) > 10
        found = {}
        needles = _needles(leaky_run["planted"])
        for schema, table in tables:
            text = repr(con.execute(f'select * from "{schema}"."{table}"').fetchall())
            if _leaks(text, needles):
                found[f"{schema}.{table}"] = _leaks(text, needles)[:3]
    assert found == {}


def test_the_connectors_redact_what_the_vendor_echoed(leaky_run):
    """The refusals quoted the credentials back: the logged failure keeps the vendor's words, minus the secret."""
    echoed = [record for record in leaky_run["events"] if "invalid credentials" in record]
    assert echoed, "the vendors' refusals never reached the event log"
    assert all(MARKER not in record for record in echoed)


def test_pay_files_and_messages_are_private_after_a_real_run(leaky_run):
    """Everything the run wrote under exports/ and outbox/ (payroll drafts, manifests, statements, the ledger, the
    outbox) is readable by the owner only, and so are the folders holding them."""
    settings = leaky_run["settings"]
    written = [p for root in (settings.exports_dir, settings.outbox_path.parent) for p in [root, *root.rglob("*")]]
    assert any(p.suffix == ".html" for p in written) and any(p.name.endswith(".manifest.json") for p in written)
    wrong = {
        str(path.relative_to(leaky_run["home"])): oct(stat.S_IMODE(path.stat().st_mode))
        for path in written
        if stat.S_IMODE(path.stat().st_mode) != (0o700 if path.is_dir() else 0o600)
    }
    assert wrong == {}
