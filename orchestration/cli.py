"""``hrhub``: the command line for the sample company, the sandbox, the demo, the UI, the benchmark, payroll approval
and the incentive plan's versions."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _week(value: str) -> date:
    from scoring.weeks import parse_week

    try:
        return parse_week(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _cmd_sample(args: argparse.Namespace) -> int:
    from orchestration.local_run import default_start_week, generate_and_write_sample

    start = args.start_week or default_start_week(args.weeks)
    out = generate_and_write_sample(args.seed, args.employees, args.weeks, start, args.out)
    print(f"sample company written to {out}")
    return 0


def _fault_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fault-rate", type=float, default=None, help="inject vendor faults into this share of API requests (0..1)"
    )
    parser.add_argument("--fault-seed", type=int, default=None, help="seed of the injected faults (default 0)")


def _apply_fault_options(args: argparse.Namespace) -> None:
    """The sandbox reads its fault settings from the environment (``sandbox/faults.py``): the flags set them."""
    import os

    if args.fault_rate is not None:
        os.environ["HRHUB_SANDBOX_FAULT_RATE"] = str(args.fault_rate)
    if args.fault_seed is not None:
        os.environ["HRHUB_SANDBOX_FAULT_SEED"] = str(args.fault_seed)


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox.server import run_sandbox

    _apply_fault_options(args)
    run_sandbox(args.sample_dir, host=args.host, port=args.port)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.demo import run_demo

    _apply_fault_options(args)
    return run_demo(employees=args.employees, weeks=args.weeks, seed=args.seed)


def _cmd_dev(args: argparse.Namespace) -> int:
    from orchestration.local_run import run_dev

    _apply_fault_options(args)
    return run_dev(port=args.port)


def _cmd_bench(args: argparse.Namespace) -> int:
    from orchestration.bench import run_benchmark

    return run_benchmark(employees=args.employees, weeks=args.weeks, seed=args.seed)


def _cmd_dbt_vars(args: argparse.Namespace) -> int:
    import json

    from orchestration.lib.dbt_vars import settings_rule_vars
    from orchestration.settings import load_settings

    print(json.dumps(settings_rule_vars(load_settings())))
    return 0


def _cmd_payroll_status(args: argparse.Namespace) -> int:
    from exports.payroll_ledger import PayrollLedger
    from orchestration.settings import load_settings

    events = PayrollLedger(load_settings().payroll_ledger_path).events(args.target, args.period)
    if not events:
        print("no payroll drafts yet: run the pipeline (make demo) first")
    for event in events:
        print(
            f"{event.at}  {event.event:<9} {event.target:<12} {event.pay_period:<10} {event.kind:<10} "
            f"{event.file_name}  sha256 {event.sha256[:12]}  by {event.actor}"
        )
    return 0


def _cmd_payroll_approve(args: argparse.Namespace) -> int:
    from exports.payroll_ledger import ApprovalError
    from orchestration.lib.payroll_approval import approve_and_release

    try:
        released = approve_and_release(args.target, args.period, args.approver, args.sha256)
    except ApprovalError as error:
        print(f"not approved: {error}", file=sys.stderr)
        return 2
    for path in released:
        print(f"released {path}")
    return 0


def _cmd_plan_versions(args: argparse.Namespace) -> int:
    from orchestration.settings import load_settings
    from scoring.plan import PlanError, load_plan_history

    try:
        history = load_plan_history(load_settings().plan_path)
    except PlanError as error:
        print(error, file=sys.stderr)
        return 2
    for plan in history.plans:
        print(f"{plan.effective_from}  {plan.version:<12} sha256 {plan.content_hash[:12]}  {plan.source}")
    return 0


def _cmd_plan_diff(args: argparse.Namespace) -> int:
    from orchestration.plan_diff import PlanDiffError, format_report, parse_weeks, run_plan_diff, write_csv
    from orchestration.settings import load_settings
    from scoring.plan import PlanError

    settings = load_settings()
    try:
        weeks = parse_weeks(args.weeks) if args.weeks else None
        report = run_plan_diff(settings.duckdb_path, args.old, args.new, weeks, settings.timezone, settings.plan_path)
    except (PlanDiffError, PlanError) as error:
        print(f"plan diff: {error}", file=sys.stderr)
        return 2
    print(format_report(report, show_all=args.all))
    if args.csv is not None:
        write_csv(report, args.csv)
        print(f"every week, employee and component: {args.csv}")
    return 0


def _cmd_recommendations_evaluate(args: argparse.Namespace) -> int:
    from orchestration.local_run import default_start_week
    from orchestration.recommendation_eval import evaluate, format_evaluation
    from scoring.plan import load_plan

    rules = load_plan().activity_points.recommendations
    start = args.start_week or default_start_week(args.weeks)
    result = evaluate(args.employees, args.weeks, args.holdout, start, rules, seed=args.seed)
    print(format_evaluation(result, rules))
    return 0


def _cmd_trust_report(args: argparse.Namespace) -> int:
    from orchestration.settings import load_settings
    from orchestration.trust_report import TrustReportError, run_trust_report

    home = load_settings().home
    try:
        return run_trust_report(args.out or home / "trust", [home / "sandbox_faults.json"], fast=args.fast)
    except TrustReportError as error:
        print(f"trust report: {error}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hrhub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="generate the deterministic sample company (Parquet)")
    sample.add_argument("--employees", type=int, default=500)
    sample.add_argument("--weeks", type=int, default=4)
    sample.add_argument("--start-week", type=_week, default=None, help="a Monday; default: the latest complete weeks")
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--out", type=Path, default=None, help="default: $HRHUB_HOME/sample")
    sample.set_defaults(func=_cmd_sample)

    sandbox = commands.add_parser("sandbox", help="serve a sample company over the vendors' real wire formats")
    sandbox.add_argument("--sample-dir", type=Path, default=None, help="default: $HRHUB_HOME/sample")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    _fault_options(sandbox)
    sandbox.set_defaults(func=_cmd_sandbox)

    demo = commands.add_parser("demo", help="run the whole pipeline for the latest weeks of the sample company")
    demo.add_argument("--employees", type=int, default=500)
    demo.add_argument("--weeks", type=int, default=4)
    demo.add_argument("--seed", type=int, default=42)
    _fault_options(demo)
    demo.set_defaults(func=_cmd_demo)

    dev = commands.add_parser("dev", help="the Dagster UI on the demo's instance, with the sandbox running")
    dev.add_argument("--port", type=int, default=3000)
    _fault_options(dev)
    dev.set_defaults(func=_cmd_dev)

    bench = commands.add_parser("bench", help="time each stage of the weekly run and report peak memory")
    bench.add_argument("--employees", type=int, default=5000)
    bench.add_argument("--weeks", type=int, default=1)
    bench.add_argument("--seed", type=int, default=42)
    bench.set_defaults(func=_cmd_bench)

    dbt_vars = commands.add_parser(
        "dbt-vars", help="the rule vars every dbt run gets, as JSON (make manifest parses with them)"
    )
    dbt_vars.set_defaults(func=_cmd_dbt_vars)

    payroll = commands.add_parser("payroll", help="payroll drafts: status, and HR's approval that releases them")
    payroll_commands = payroll.add_subparsers(dest="payroll_command", required=True)
    status = payroll_commands.add_parser("status", help="drafted, approved and released payroll files")
    status.add_argument("--target", default=None)
    status.add_argument("--period", default=None, help="a pay period: YYYY-MM (monthly) or a Monday (weekly)")
    status.set_defaults(func=_cmd_payroll_status)
    approve = payroll_commands.add_parser("approve", help="approve a period's pending draft and release it")
    approve.add_argument("--target", required=True, help="a payroll target from the exports config")
    approve.add_argument("--period", required=True, help="YYYY-MM (monthly) or the week's Monday (weekly)")
    approve.add_argument("--approver", required=True, help="your name, recorded in the ledger")
    approve.add_argument("--sha256", default=None, help="the draft you reviewed (refused if it is not the pending one)")
    approve.set_defaults(func=_cmd_payroll_approve)

    plan = commands.add_parser("plan", help="the incentive plan's versions, and what a change would have paid")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    versions = plan_commands.add_parser("versions", help="the versions in HRHUB_PLAN_PATH and when each takes effect")
    versions.set_defaults(func=_cmd_plan_versions)
    diff = plan_commands.add_parser(
        "diff", help="re-score past weeks from the warehouse with two plans and show what the change would have paid"
    )
    diff.add_argument("--from", dest="old", required=True, help="a plan file, or a version (history or warehouse)")
    diff.add_argument("--to", dest="new", required=True, help="a plan file (or a version)")
    diff.add_argument("--weeks", default=None, help="Mondays FIRST..LAST (inclusive); default: every scored week")
    diff.add_argument("--csv", type=Path, default=None, help="also write every week, employee and component here")
    diff.add_argument("--all", action="store_true", help="list unchanged employees and components too")
    diff.set_defaults(func=_cmd_plan_diff)
    recommendations = commands.add_parser("recommendations", help="activity recommendations: how well they predict")
    recommendation_commands = recommendations.add_subparsers(dest="recommendations_command", required=True)
    evaluate = recommendation_commands.add_parser(
        "evaluate", help="hit rate on held-out weeks of a generated sample company, against popularity alone"
    )
    evaluate.add_argument("--employees", type=int, default=500)
    evaluate.add_argument("--weeks", type=int, default=8)
    evaluate.add_argument("--holdout", type=int, default=2, help="the last weeks to predict")
    evaluate.add_argument("--seed", type=int, default=42)
    evaluate.add_argument("--start-week", type=_week, default=None, help="a Monday; default: the latest complete weeks")
    evaluate.set_defaults(func=_cmd_recommendations_evaluate)
    trust = commands.add_parser(
        "trust-report", help="run every bad-input, fault, security, gate and freshness test and list each outcome"
    )
    trust.add_argument("--fast", action="store_true", help="skip the slow end-to-end cases (listed as skipped)")
    trust.add_argument("--out", type=Path, default=None, help="default: $HRHUB_HOME/trust (junit.xml, report.md)")
    trust.set_defaults(func=_cmd_trust_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "sample_dir", "unset") is None:
        from orchestration.settings import load_settings

        args.sample_dir = load_settings().sample_dir
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
