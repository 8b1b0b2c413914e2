"""The admin CLI as an operator uses it: the same operations as the admin API."""

import json

from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body
from tests.e2e.test_server_process import Server, run_cli


def cli(tmp_path, *args, **env):
    result = run_cli(tmp_path, *args, **env)
    return result.returncode, result.stdout, result.stderr


def test_mint_find_show_revoke_reinstate_resend(tmp_path):
    code, out, _ = cli(tmp_path, "licenses", "mint", "--product", "acmesoft-cloud", "--tier", "pro",
                       "--email", "vip@example.com", "--seats", "2", "--order-id", "deal-1", "--json")
    lic = json.loads(out)
    assert code == 0 and lic["created"] is True and lic["seats"] == 2
    code, out, _ = cli(tmp_path, "licenses", "mint", "--product", "acmesoft-cloud", "--tier", "pro",
                       "--email", "vip@example.com", "--order-id", "deal-1")
    assert code == 0 and "exists already" in out

    code, out, _ = cli(tmp_path, "licenses", "list", "--email", "VIP@example.com")
    assert code == 0 and lic["id"] in out and out.splitlines()[0].startswith("ID")
    code, out, _ = cli(tmp_path, "licenses", "revoke", lic["id"], "--reason", "fraud", "--admin", "bob")
    assert code == 0 and "revoked" in out
    code, _, err = cli(tmp_path, "licenses", "revoke", lic["id"], "--reason", "again")
    assert code == 1 and "is revoked" in err
    assert cli(tmp_path, "licenses", "reinstate", lic["id"], "--reason", "ok")[0] == 0
    code, out, _ = cli(tmp_path, "licenses", "show", lic["id"], "--json")
    detail = json.loads(out)
    assert [(h["to"], h["actor_id"]) for h in detail["history"]][1] == ("revoked", "bob")
    code, out, _ = cli(tmp_path, "licenses", "resend", lic["id"])
    assert code == 0 and "already waiting" in out  # no worker ran: the first email still waits
    code, out, _ = cli(tmp_path, "deliveries", "list", "--status", "pending", "--json")
    assert [d["license_id"] for d in json.loads(out)["items"]] == [lic["id"]]


def test_bad_input_names_the_field_and_exits_non_zero(tmp_path):
    code, _, err = cli(tmp_path, "licenses", "mint", "--product", "nope", "--email", "a@example.com")
    assert code == 1 and "'product'" in err and "acmesoft-pro" in err
    code, _, err = cli(tmp_path, "licenses", "show", "lic_missing")
    assert code == 1 and "lic_missing" in err
    code, _, err = cli(tmp_path, "deliveries", "retry", "dlv_missing")
    assert code == 1 and "dlv_missing" in err


def test_failed_events_replayed_after_a_catalog_fix_with_progress_and_summary(tmp_path):
    broken = tmp_path / "products.yaml"
    broken.write_text((ROOT / "config/products.yaml").read_text().replace('"32-nPAicqbLj8B_WswVlMw=="', '"X=="'))
    server = Server(tmp_path, PRODUCTS_FILE=str(broken))
    try:
        for _ in range(3):
            assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", gumroad_body("01_sale_licensed_basic")) == 200
    finally:
        server.stop()
    code, out, _ = cli(tmp_path, "events", "list", "--status", "failed", "--json")
    failed = json.loads(out)["items"]
    assert len(failed) == 3 and "is not in the catalog" in failed[0]["outcome"]
    code, out, _ = cli(tmp_path, "events", "show", failed[0]["id"])
    assert "sale_id=FO8TXN" in out

    code, out, err = cli(tmp_path, "events", "replay", "--failed")  # the shipped catalog maps it
    assert code == 0 and "replayed 3: 3 processed, 0 still failed" in out
    assert "replaying [" in err and "3/3" in err
    code, out, _ = cli(tmp_path, "licenses", "list", "--json")
    assert len(json.loads(out)["items"]) == 1
    code, out, _ = cli(tmp_path, "events", "replay", "--failed")
    assert "replayed 0" in out
    code, out, _ = cli(tmp_path, "events", "replay", failed[0]["id"], "--json")
    assert json.loads(out)["status"] == "processed"
