#!/usr/bin/env python3
"""Benchmark of the dashboard (issue 7: "the county dashboard on the demo data renders in under 300 ms server time
warm, and under 1.5 s cold"; a benchmark, not a test).

    .venv/bin/python bench/dashboard.py [--runs 7] [--db PATH] [--keep PATH] [--json PATH]

Loads the demo county (`manage.py load_demo`: 12 towns, 202 villages, 22,000 people, 865 representatives,
174 pairings, 676 activities) into a fresh SQLite file in a temporary folder, then, in this one process,
requests pages through Django's test client as the demo's department staff (county_staff, the whole county):
the time from request to response through the whole middleware stack, templates included — server time,
without a network or a browser. Each figure is the median of --runs requests:

- baseline: the workbench (/), the page everyone lands on, rendered in the same run on the same machine;
- dashboard cold: /dashboard/ (the county, this year) with Django's cache cleared before each request, so
  every figure is computed;
- dashboard warm: the same page again, its figures from the cache;
- for information: the same for a town officer (town02, 东溪镇); the duty-list section, which the page loads
  after itself (htmx) because assessing every unit's duty list takes seconds; the big screen, which computes
  everything at once; one chart's Excel download.

The table gives each median with its spread (min–max), the SQL queries of one request and the ratio to the
baseline; the targets are judged on the medians. Settings are tongxin.settings.dev with a throwaway
TONGXIN_VAR_DIR, keys and DATABASE_URL (WAL, as configured for production) and Django's default cache
(LocMemCache). `--db PATH` measures an existing database with the demo data instead of loading it (the demo
load takes about 10 s); `--keep PATH` copies the loaded database there for later runs. No network.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_WARM_MS = 300
TARGET_COLD_MS = 1500
STAFF, TOWN_OFFICER = "county_staff", "town02"


def configure(tmp, database):
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "tongxin.settings.dev",
        "TONGXIN_VAR_DIR": str(tmp / "var"),
        "SECRET_KEY": secrets.token_hex(32),
        "FIELD_ENCRYPTION_KEY": os.environ.get("BENCH_FIELD_ENCRYPTION_KEY") or secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{database}",
        "ALLOWED_HOSTS": "localhost",
    })
    (tmp / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)  # WhiteNoise warns without it
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_demo():
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0)
    return time.perf_counter() - started


class Timer:
    """Requests one URL as one user, `runs` times, and keeps the server times and the queries of the last."""

    def __init__(self, username):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.client = Client(HTTP_HOST="localhost")
        self.client.force_login(get_user_model().objects.get(username=username))

    def measure(self, url, runs, before=None):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        times, queries = [], 0
        for _ in range(runs):
            if before is not None:
                before()
            connection.queries_log.clear()  # a full log (9,000 entries) would capture nothing
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = self.client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            queries = len(captured.captured_queries)
        return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
                "queries": queries, "runs": runs}


def run(runs):
    from django.core.cache import cache
    from django.utils import timezone

    from core.metrics import Period

    staff, town = Timer(STAFF), Timer(TOWN_OFFICER)
    period = Period.current_year().key
    dashboard, screen = f"/dashboard/?period={period}", f"/dashboard/screen/?period={period}"
    duties = f"/dashboard/section/duties/?period={period}"
    export = f"/dashboard/export/people_by_unit/?period={period}"
    staff.measure("/", 2)  # first requests of the process (imports, template loading) are not measured
    staff.measure(dashboard, 1, before=cache.clear)
    results = {"period": period, "today": timezone.localdate().isoformat()}
    results["baseline"] = staff.measure("/", runs)
    results["cold"] = staff.measure(dashboard, runs, before=cache.clear)
    staff.measure(dashboard, 1)
    results["warm"] = staff.measure(dashboard, runs)
    results["town_cold"] = town.measure(dashboard, runs, before=cache.clear)
    town.measure(dashboard, 1)
    results["town_warm"] = town.measure(dashboard, runs)
    slow_runs = max(1, min(runs, 3))  # the duty lists take seconds cold: fewer runs
    results["duties_cold"] = staff.measure(duties, slow_runs, before=cache.clear)
    results["duties_warm"] = staff.measure(duties, runs)
    results["screen_cold"] = staff.measure(screen, slow_runs, before=cache.clear)
    results["screen_warm"] = staff.measure(screen, runs)
    results["export_warm"] = staff.measure(export, runs)
    return results


def environment():
    import sqlite3

    import django

    return {"python": platform.python_version(), "django": django.get_version(), "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(), "load": os.getloadavg()[0]}


def print_table(results, env):
    base = results["baseline"]["median_ms"]
    rows = [
        ("baseline: workbench /", "baseline"),
        ("dashboard, county, cold (cache cleared)", "cold"),
        ("dashboard, county, warm", "warm"),
        ("dashboard, town02, cold", "town_cold"),
        ("dashboard, town02, warm", "town_warm"),
        ("duty-list section (after the page), cold", "duties_cold"),
        ("duty-list section (after the page), warm", "duties_warm"),
        ("big screen, county (all sections), cold", "screen_cold"),
        ("big screen, county, warm", "screen_warm"),
        ("Excel download of one chart, warm", "export_warm"),
    ]
    lines = [
        "",
        f"== Dashboard on the demo county — period {results['period']} (today {results['today']}), "
        f"median of {results['baseline']['runs']} requests ({results['duties_cold']['runs']} for the slow ones) ==",
        f"Python {env['python']}, Django {env['django']}, SQLite {env['sqlite']}, {env['cpus']} CPUs, "
        f"load {env['load']:.2f} at the start",
        f"{'measurement':<44}{'median ms':>10}{'min–max ms':>16}{'queries':>9}{'× baseline':>12}",
    ]
    for label, key in rows:
        r = results[key]
        spread = f"{r['min_ms']:.0f}–{r['max_ms']:.0f}"
        lines.append(f"{label:<44}{r['median_ms']:>10.1f}{spread:>16}{r['queries']:>9}"
                     f"{r['median_ms'] / base:>12.2f}")
    checks = [
        (f"county dashboard warm < {TARGET_WARM_MS} ms", results["warm"]["median_ms"], TARGET_WARM_MS),
        (f"county dashboard cold < {TARGET_COLD_MS} ms", results["cold"]["median_ms"], TARGET_COLD_MS),
    ]
    lines.append(f"{'target':<44}{'value':>10}  result")
    for label, value, limit in checks:
        lines.append(f"{label:<44}{value:>8.0f} ms  {'PASS' if value < limit else 'FAIL'}")
    print("\n".join(lines), flush=True)
    return all(value < limit for _, value, limit in checks)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Dashboard server-time benchmark (issue 7).")
    parser.add_argument("--runs", type=int, default=7, help="requests per measurement (the median is reported)")
    parser.add_argument("--db", metavar="PATH", help="an SQLite database already holding the demo data")
    parser.add_argument("--keep", metavar="PATH", help="copy the database with the demo data to PATH")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="tongxin-bench-dashboard-"))
    try:
        database = tmp / "demo.sqlite3"
        if args.db:
            shutil.copyfile(args.db, database)
        env = environment()
        configure(tmp, database)
        if not args.db:
            seconds = load_demo()
            print(f"[bench] demo data loaded in {seconds:.1f} s: {database}", file=sys.stderr, flush=True)
            if args.keep:
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                shutil.copyfile(database, args.keep)
        results = run(args.runs)
        print_table(results, env)
        if args.json:
            Path(args.json).write_text(json.dumps({**results, "environment": env}, indent=2) + "\n")
        return 0  # every measurement ran; the verdicts are in the table
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
