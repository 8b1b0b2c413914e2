"""Settings refuse what would leave a door open, naming the variable and the fix."""

from __future__ import annotations

import ipaddress
import secrets

import pytest

from entrypoints.settings import MailerKind, SettingsError, load_settings
from tests.conftest import ADMIN_TOKEN, ROOT, WEBHOOK_SECRET

# Made at run time: a value written here would be in the repository, hence refused.
OWN_SECRET = secrets.token_hex(16)
OWN_TOKEN = secrets.token_hex(16)
OWN_PORTAL_SECRET = secrets.token_hex(24)


@pytest.fixture
def production(tmp_path):
    key = tmp_path / "signing-key.pem"
    from adapters.signing.ed25519 import generate_keypair

    private, _, _ = generate_keypair(tmp_path / "keys")
    key = private

    def env(**changes: str) -> dict[str, str]:
        values = {
            "APP_ENV": "production",
            "LICENSEMINT_VAR_DIR": str(tmp_path / "var"),
            "LICENSE_SIGNING_KEY": str(key),
            "GUMROAD_WEBHOOK_SECRETS": OWN_SECRET,
            "ADMIN_TOKENS": f"alice:{OWN_TOKEN}",
            "SMTP_URL": "smtp://mail.example.com:587",
            "PORTAL_SECRET": OWN_PORTAL_SECRET,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    return env


def refused(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    return str(caught.value)


def test_a_complete_production_configuration_starts(production):
    settings = load_settings(production())
    assert settings.production and settings.mailer is MailerKind.SMTP and settings.dev_admin_token is None


@pytest.mark.parametrize("app_env", ["development", "test", "production"])
@pytest.mark.parametrize("tokens", ["alice:", "alice:   ", "alice:short", "short", f"alice:{OWN_TOKEN},bob:"])
def test_an_empty_or_short_admin_token_is_refused_in_every_mode(production, tmp_path, app_env, tokens):
    message = refused(production(APP_ENV=app_env, ADMIN_TOKENS=tokens))
    assert message.startswith("ADMIN_TOKENS:") and ("empty" in message or "16 characters" in message)


def test_an_empty_token_names_its_owner(production):
    assert "'alice'" in refused(production(ADMIN_TOKENS="alice:"))


def test_production_without_a_real_mailer_is_refused(production):
    message = refused(production(SMTP_URL=None))
    assert "POSTMARK_TOKEN or SMTP_URL" in message and "MAILER=file" in message


def test_production_may_write_emails_as_files_when_told_so(production):
    assert load_settings(production(SMTP_URL=None, MAILER="file")).mailer is MailerKind.FILE


def test_mailer_insists_on_the_one_it_names(production):
    both = production(POSTMARK_TOKEN=secrets.token_hex(16), POSTMARK_FROM="l@acmesoft.example")
    assert load_settings(both).mailer is MailerKind.POSTMARK
    assert load_settings({**both, "MAILER": "smtp"}).mailer is MailerKind.SMTP
    assert refused(production(MAILER="postmark")) == "MAILER=postmark needs POSTMARK_TOKEN"


def test_a_base64_seed_with_a_slash_is_not_taken_for_a_path(production):
    import base64

    seed = base64.b64encode(bytes([255] * 32)).decode()
    assert "/" in seed
    assert load_settings(production(APP_ENV="development", LICENSE_SIGNING_KEY=seed)).signing_key == seed


def test_an_unknown_mailer_is_refused(production):
    assert refused(production(MAILER="pigeon")).startswith("MAILER:")


@pytest.mark.parametrize("variable, value", [
    ("GUMROAD_WEBHOOK_SECRETS", "local-compose-secret-change-me"),
    ("GUMROAD_WEBHOOK_SECRETS", WEBHOOK_SECRET),
    ("ADMIN_TOKENS", f"alice:{ADMIN_TOKEN}"),
    ("ADMIN_TOKENS", "old-token-0123456789abcdef"),
])
def test_production_refuses_a_secret_that_appears_in_the_repository(production, variable, value):
    message = refused(production(**{variable: value}))
    assert message.startswith(f"{variable}:") and "published in the licensemint repository" in message


def test_production_refuses_a_signing_key_that_is_in_the_repository(production, tmp_path):
    copied = tmp_path / "copied.pem"
    copied.write_text((ROOT / "config" / "dev-signing-key.pem").read_text())
    assert refused(production(LICENSE_SIGNING_KEY=str(copied))).startswith("LICENSE_SIGNING_KEY:")


def test_the_compose_fallback_secret_is_refused_even_without_the_repository_files(production, monkeypatch):
    import entrypoints.published as published

    monkeypatch.setattr(published, "_repository_text", lambda: ())
    assert "published" in refused(production(GUMROAD_WEBHOOK_SECRETS="local-compose-secret-change-me"))


def test_a_signing_key_path_that_does_not_exist_is_named(production, tmp_path):
    missing = tmp_path / "keys" / "nope.pem"
    message = refused(production(APP_ENV="development", LICENSE_SIGNING_KEY=str(missing)))
    assert message.startswith("LICENSE_SIGNING_KEY: no file at") and str(missing) in message


def test_trusted_proxies_are_parsed_as_networks(production):
    settings = load_settings(production(TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8,::1"))
    assert ipaddress.ip_address("10.1.2.3") in settings.trusted_proxies[1]
    assert refused(production(TRUSTED_PROXIES="10.0.0.0/8,proxy")).startswith("TRUSTED_PROXIES:")


def test_development_without_admin_tokens_creates_one_and_keeps_it(tmp_path):
    env = {"LICENSEMINT_VAR_DIR": str(tmp_path / "var")}
    first = load_settings(env)
    assert first.dev_admin_token and len(first.dev_admin_token) >= 16
    assert first.admin_tokens == (f"dev:{first.dev_admin_token}",)
    assert (tmp_path / "var" / "dev-admin-token").read_text().strip() == first.dev_admin_token
    assert oct((tmp_path / "var" / "dev-admin-token").stat().st_mode & 0o777) == "0o600"
    assert load_settings(env).dev_admin_token == first.dev_admin_token


def test_no_development_token_is_made_when_tokens_are_configured_or_in_production(production, tmp_path):
    assert load_settings(production(APP_ENV="development")).dev_admin_token is None
    assert load_settings(production()).dev_admin_token is None
    assert not (tmp_path / "var" / "dev-admin-token").exists()


def test_the_operators_own_env_file_beside_compose_yaml_is_not_the_repository(production, monkeypatch, tmp_path):
    import entrypoints.published as published

    project = tmp_path / "checkout"
    (project / "docs").mkdir(parents=True)
    (project / ".env").write_text(f"GUMROAD_WEBHOOK_SECRETS={OWN_SECRET}\n")
    (project / "docs" / "example.md").write_text("GUMROAD_WEBHOOK_SECRETS=a-documented-example-secret\n")
    monkeypatch.setattr(published, "ROOT", project)
    published._repository_text.cache_clear()
    try:
        assert load_settings(production()).webhook_secrets == (OWN_SECRET,)
        assert "published" in refused(production(GUMROAD_WEBHOOK_SECRETS="a-documented-example-secret"))
    finally:
        published._repository_text.cache_clear()
