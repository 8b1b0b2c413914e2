"""GET /metrics: behind the admin token on the API port, tokenless on METRICS_PORT; every
metric the dashboard and the alert rules query is there after a sale, a validation and an
email; the rules pass promtool."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from datetime import timedelta

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.bodies import sale_body
from tests.conftest import ADMIN_TOKEN, ROOT, WEBHOOK_SECRET
from tests.e2e.test_server_process import Server, wait_for_files

DASHBOARD = ROOT / "deploy/grafana/licensemint.json"
RULES = ROOT / "deploy/prometheus/alerts.yml"
PROMQL_NAME = re.compile(r"\b((?:licensemint|process|python)_[a-z0-9_]+)")
PROMQL_FUNCTIONS = {"histogram_quantile", "rate", "increase", "sum", "max", "min"}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from the exposition text."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(text: str, name: str, **labels) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def queried_metrics() -> set[str]:
    """Every metric name in the dashboard's and the rules' PromQL."""
    exprs = [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        exprs += [rule["expr"] for rule in group["rules"]]
    names = {n for e in exprs for n in PROMQL_NAME.findall(e)}
    assert len(names) >= 10, names  # the pattern found the queries
    return names


async def test_metrics_on_the_api_port_need_an_admin_token(start_service, sqlite_url):
    service = await start_service(sqlite_url)
    assert (await service.client.get("/metrics")).status == 401
    wrong = await service.client.get("/metrics", headers={"Authorization": "Bearer not-a-token-at-all"})
    assert wrong.status == 401
    response = await service.client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status == 200 and response.content_type == "text/plain"
    assert "licensemint_webhooks_received_total" in await response.text()


async def test_counters_and_backlog_follow_a_sale_a_validation_and_an_email(start_service, database_url):
    service = await start_service(database_url)

    async def scrape() -> str:
        response = await service.client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert response.status == 200
        return await response.text()

    before = await scrape()
    assert (await service.post_sale(sale_body())).status == 200
    assert (await service.post_sale(sale_body(), secret="wrong-secret-0123456789")).status == 404
    await service.wait_for_emails(1)
    [lic] = await service.licenses()
    assert (await service.client.post("/v1/licenses/validate", json={"key": lic.key})).status == 200
    assert (await service.client.post("/v1/licenses/validate", json={"key": "LIC1.x.y.z"})).status == 200
    machine = {"key": lic.key, "fingerprint": "metrics-machine-001"}
    assert (await service.client.post("/v1/licenses/activate", json=machine)).status == 201
    assert (await service.client.post("/v1/licenses/activate", json=machine)).status == 200
    assert (await service.client.post("/v1/licenses/deactivate", json=machine)).status == 200
    for _ in range(50):  # the worker counts after recording the attempt
        after = await scrape()
        if value(after, "licensemint_deliveries_total", outcome="sent") > value(before, "licensemint_deliveries_total", outcome="sent"):
            break
    delta = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert delta("licensemint_webhooks_received_total", outcome="stored") == 1
    assert delta("licensemint_webhooks_received_total", outcome="unauthorized") == 1
    assert delta("licensemint_event_processing_seconds_count", status="processed") == 1
    assert delta("licensemint_deliveries_total", outcome="sent") == 1
    assert delta("licensemint_validations_total", code="VALID") == 1
    assert delta("licensemint_validations_total", code="MALFORMED") == 1
    assert delta("licensemint_activations_total", outcome="activated") == 1
    assert delta("licensemint_activations_total", outcome="refreshed") == 1
    assert delta("licensemint_activations_total", outcome="deactivated") == 1
    # The backlog is the database's: this test's database holds exactly this one sale.
    assert value(after, "licensemint_backlog_read_ok") == 1
    assert value(after, "licensemint_events", status="processed") == 1
    assert value(after, "licensemint_events", status="failed") == 0
    assert value(after, "licensemint_outbox_pending") == 0
    assert value(after, "licensemint_deliveries_dead") == 0


async def test_the_outbox_gauges_show_a_waiting_email_and_its_age(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False)
    assert (await service.post_sale(sale_body())).status == 200
    response = await service.client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    text = await response.text()
    assert value(text, "licensemint_outbox_pending") == 1
    assert 0 <= value(text, "licensemint_outbox_oldest_pending_age_seconds") < 60


async def test_a_database_that_does_not_answer_costs_the_backlog_not_the_scrape(start_service, tmp_path):
    from tests.conftest import broken_sqlite_url

    service = await start_service(broken_sqlite_url(tmp_path), worker=False)
    response = await service.client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    text = await response.text()
    assert response.status == 200
    assert value(text, "licensemint_backlog_read_ok") == 0
    assert "licensemint_webhooks_received_total" in text and "licensemint_outbox_pending" not in text


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.fail("promtool (Debian package prometheus) is needed; ./scripts/test installs it as root")
    return found


def test_the_alert_rules_pass_promtool():
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 5 rules found" in result.stdout


def test_promtool_does_reject_a_broken_rule(tmp_path):
    broken = tmp_path / "alerts.yml"
    broken.write_text(RULES.read_text().replace("> 600", "> > 600"))
    result = subprocess.run([promtool(), "check", "rules", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0


def test_the_prometheus_configuration_passes_promtool(tmp_path):
    config = (ROOT / "deploy/prometheus/prometheus.yml").read_text()
    shutil.copy(RULES, tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(config.replace("/etc/prometheus/alerts.yml", str(tmp_path / "alerts.yml")))
    result = subprocess.run([promtool(), "check", "config", str(tmp_path / "prometheus.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_metric_the_dashboard_and_rules_query_is_served_by_a_running_server(tmp_path):
    server = Server(tmp_path, METRICS_PORT="0", ADMIN_TOKENS=f"ops:{ADMIN_TOKEN}")
    try:
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", sale_body()) == 200
        [eml] = wait_for_files(tmp_path / "var" / "mail", 1)
        key = re.search(r"LIC1\.[A-Za-z0-9_.-]+", eml.read_text()).group(0)
        request = urllib.request.Request(server.base + "/v1/licenses/validate", data=json.dumps({"key": key}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.load(answer)["code"] == "VALID"
        metrics_url = re.search(r"metrics \(no token\): (http://\S+)", "".join(server.banner)).group(1)
        with urllib.request.urlopen(metrics_url, timeout=10) as answer:
            text = answer.read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.base + "/metrics", timeout=10)
        assert refused.value.code == 401
        refused.value.close()
    finally:
        assert server.stop() == 0
    served = {family.name for family in text_string_to_metric_families(text)}
    served |= {s.name for family in text_string_to_metric_families(text) for s in family.samples}
    missing = queried_metrics() - served
    assert not missing, missing
    assert value(text, "licensemint_validations_total", code="VALID") == 1
    assert value(text, "licensemint_deliveries_total", outcome="sent") == 1
    assert value(text, "licensemint_events", status="processed") == 1


async def test_reconciliation_runs_and_recovered_sales_are_counted(start_service, sqlite_url, fake_gumroad):
    from tests.e2e.test_reconcile_http import PRO, gumroad_env

    service = await start_service(sqlite_url, worker=False, **gumroad_env(fake_gumroad))
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    before = await (await service.client.get("/metrics", headers=headers)).text()
    fake_gumroad.add_sale(product_id=PRO, email="a@example.com")
    assert (await service.client.post("/admin/reconcile", json={"dry_run": True}, headers=headers)).status == 200
    since = (fake_gumroad.now - timedelta(days=1)).date().isoformat()  # the sale is an hour old
    assert (await service.client.post("/admin/reconcile", json={"since": since}, headers=headers)).status == 200
    fake_gumroad.script = ["500"] * 4
    assert (await service.client.post("/admin/reconcile", json={}, headers=headers)).status == 200
    after = await (await service.client.get("/metrics", headers=headers)).text()
    delta = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert delta("licensemint_reconciliation_runs_total", outcome="completed") == 2
    assert delta("licensemint_reconciliation_runs_total", outcome="failed") == 1
    assert delta("licensemint_reconciliation_sales_recovered_total") == 1  # not the dry run's


async def test_every_answer_carries_a_request_id_and_a_callers_own_is_kept(start_service, sqlite_url):
    service = await start_service(sqlite_url)
    first = await service.client.get("/health")
    second = await service.client.get("/health")
    assert re.fullmatch(r"req_[0-9a-f]{16}", first.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    kept = await service.client.get("/no-such-path", headers={"X-Request-Id": "proxy-abc-12345"})
    assert kept.status == 404 and kept.headers["X-Request-Id"] == "proxy-abc-12345"
    replaced = await service.client.get("/health", headers={"X-Request-Id": "bad id\twith junk"})
    assert replaced.headers["X-Request-Id"].startswith("req_")


def test_the_worker_alone_serves_its_counters_on_metrics_port(tmp_path):
    from tests.e2e.test_server_process import LICENSEMINT, env_for

    subprocess.run([LICENSEMINT, "migrate"], cwd=tmp_path, env=env_for(tmp_path), check=True, capture_output=True)
    proc = subprocess.Popen([LICENSEMINT, "worker"], cwd=tmp_path, env=env_for(tmp_path, METRICS_PORT="0"),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        url = re.search(r"metrics \(no token\): (http://\S+)", "".join(lines)).group(1)
        with urllib.request.urlopen(url, timeout=10) as answer:
            text = answer.read().decode()
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
        proc.stdout.close()
    assert "licensemint_deliveries_total" in text and value(text, "licensemint_backlog_read_ok") == 1
