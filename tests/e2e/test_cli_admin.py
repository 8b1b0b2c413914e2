"""The admin CLI as an operator uses it: the same operations as the admin API."""

import json

from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body
from tests.e2e.test_server_process import Server, run_cli


def cli(tmp_path, *args, **env):
    result = run_cli(tmp_path, *args, **env)
    return result.returncode, result.stdout, result.stderr


def test_mint_find_show_revoke_reinstate_resend(tmp_path):
    assert cli(tmp_path, "migrate")[0] == 0  # only migrate creates a database
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
    assert cli(tmp_path, "migrate")[0] == 0
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


def test_activations_listed_deactivated_reset_and_seats_changed_from_the_shell(tmp_path):
    import urllib.request

    assert cli(tmp_path, "migrate")[0] == 0  # only migrate creates a database

    code, out, _ = cli(tmp_path, "licenses", "mint", "--product", "acmesoft-pro", "--email", "a@example.com",
                       "--seats", "3", "--json")
    lic = json.loads(out)
    server = Server(tmp_path)
    try:
        for i in range(3):
            request = urllib.request.Request(
                server.base + "/v1/licenses/activate", method="POST", headers={"Content-Type": "application/json"},
                data=json.dumps({"key": lic["key"], "fingerprint": f"cli-machine-{i}", "label": f"box {i}"}).encode())
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 201
    finally:
        server.stop()
    code, out, _ = cli(tmp_path, "activations", "list", lic["id"])
    assert code == 0 and "3 of 3 seat(s) taken" in out and "box 2" in out
    listed = json.loads(cli(tmp_path, "activations", "list", lic["id"], "--json")[1])
    first = listed["items"][0]["id"]
    code, out, _ = cli(tmp_path, "activations", "deactivate", lic["id"], first, "--admin", "bob")
    assert code == 0 and first in out
    code, _, err = cli(tmp_path, "activations", "deactivate", lic["id"], first)
    assert code == 1 and first in err
    code, out, _ = cli(tmp_path, "licenses", "seats", lic["id"], "5", "--admin", "bob")
    assert code == 0 and "5 seat(s)" in out
    code, _, err = cli(tmp_path, "licenses", "seats", lic["id"], "0")
    assert code == 1 and "'seats'" in err
    code, out, _ = cli(tmp_path, "activations", "reset", lic["id"], "--admin", "carol")
    assert code == 0 and "2 machine(s)" in out
    history = json.loads(cli(tmp_path, "activations", "list", lic["id"], "--json")[1])["history"]
    assert [(h["action"], h["actor_type"], h["actor_id"]) for h in history][3:] == [
        ("deactivated", "operator", "bob"), ("seats_changed", "operator", "bob"),
        ("deactivated", "operator", "carol"), ("deactivated", "operator", "carol")]
