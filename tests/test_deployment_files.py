"""compose.yaml, Dockerfile and .env.example, checked without a Docker engine."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from entrypoints.cli import parser
from entrypoints.settings import VARIABLES

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())


def compose_binary() -> str:
    found = shutil.which("docker-compose")
    if not found:
        pytest.fail("docker-compose (Debian package docker-compose) is needed to validate compose.yaml; "
                    "./scripts/test installs it when run as root")
    return found


def test_compose_yaml_is_valid_for_compose():
    result = subprocess.run([compose_binary(), "-f", str(ROOT / "compose.yaml"), "config", "-q"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_the_validator_does_reject_a_broken_compose_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text((ROOT / "compose.yaml").read_text().replace("condition: service_healthy", "conditon: service_healthy"))
    result = subprocess.run([compose_binary(), "-f", str(broken), "config", "-q"], capture_output=True, text=True)
    assert result.returncode != 0


def test_compose_runs_postgres_16_migrate_api_worker_and_a_mail_catcher():
    services = COMPOSE["services"]
    assert services["db"]["image"] == "postgres:16"
    assert services["migrate"]["command"] == ["licensemint", "migrate"]
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "--no-worker" in services["api"]["command"]
    assert services["worker"]["command"] == ["licensemint", "worker"]
    assert "mailpit" in services


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_each_compose_command_is_one_the_cli_accepts(service):
    command = COMPOSE["services"][service]["command"]
    assert command[0] == "licensemint"
    parser().parse_args(command[1:])  # exits (fails the test) on an unknown command or flag


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_compose_sets_only_variables_the_code_reads(service):
    environment = COMPOSE["services"][service]["environment"]
    assert set(environment) <= set(VARIABLES)
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_env_example_names_every_variable_and_no_other():
    text = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    assert named == set(VARIABLES)


def test_the_settings_module_reads_exactly_the_listed_variables():
    source = (ROOT / "src/entrypoints/settings.py").read_text()
    read = set(re.findall(r'(?:env\.get\(|_positive_int\(env, )"([A-Z_]+)"', source))
    # Logging is set up before settings are read; prometheus-client reads its own variable.
    assert read == set(VARIABLES) - {"LOG_LEVEL", "LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR"}
    logs = (ROOT / "src/entrypoints/logs.py").read_text()
    assert 'os.environ.get("LOG_LEVEL"' in logs and '.get("LOG_FORMAT"' in logs
    assert 'MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"' in (ROOT / "src/entrypoints/metrics.py").read_text()


def test_the_dockerfile_runs_as_a_non_root_user_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1\d-slim", dockerfile, flags=re.M)
    user = re.search(r"^USER (\S+)", dockerfile, flags=re.M)
    assert user and user.group(1) not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*?/health", dockerfile, flags=re.M | re.S)
    cmd = re.search(r'^CMD \["licensemint", (.*)\]', dockerfile, flags=re.M)
    parser().parse_args([a.strip(' "') for a in cmd.group(1).split(",")])


def readme_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)} & set(VARIABLES)


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_compose_passes_every_setting_the_readme_lists(service):
    listed = readme_settings()
    assert {"PRODUCTS_FILE", "TEMPLATES_DIR", "DELIVERY_MAX_ATTEMPTS", "VALIDATE_RATE_LIMIT",
            "POSTMARK_MESSAGE_STREAM", "TRUSTED_PROXIES", "MAILER"} <= listed
    assert listed <= set(COMPOSE["services"][service]["environment"])


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_compose_mounts_the_catalog_templates_and_keys_instead_of_baking_them_in(service):
    config = COMPOSE["services"][service]
    mounts = {v.split(":")[-2] for v in config["volumes"]}
    environment = config["environment"]
    products = environment["PRODUCTS_FILE"].split(":-")[-1].rstrip("}")
    templates = environment["TEMPLATES_DIR"].split(":-")[-1].rstrip("}")
    assert any(products.startswith(m + "/") for m in mounts) and any(templates.startswith(m + "/") for m in mounts)
    assert "/run/licensemint/keys" in mounts
    assert all(v.endswith(":ro") for v in config["volumes"])
