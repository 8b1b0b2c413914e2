"""Settings from the environment (12-factor). Every problem names the variable."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_SIGNING_KEY = ROOT / "config" / "dev-signing-key.pem"


# Every environment variable licensemint reads (compose.yaml and .env.example are checked
# against this list).
VARIABLES = (
    "APP_ENV", "DATABASE_URL", "GUMROAD_WEBHOOK_SECRETS", "ADMIN_TOKENS", "LICENSE_SIGNING_KEY",
    "LICENSE_VERIFY_KEYS", "PRODUCTS_FILE", "TEMPLATES_DIR", "MAIL_FROM", "MAIL_DIR",
    "POSTMARK_TOKEN", "POSTMARK_FROM", "POSTMARK_MESSAGE_STREAM", "POSTMARK_API_URL", "SMTP_URL",
    "DELIVERY_MAX_ATTEMPTS", "VALIDATE_RATE_LIMIT", "ACTIVATION_RATE_LIMIT",
    "GUMROAD_ACCESS_TOKEN", "GUMROAD_API_URL", "CONFIRM_SALES", "RECONCILE_EVERY",
    "LICENSEMINT_VAR_DIR", "LOG_LEVEL", "PUBLIC_URL", "PORTAL_SECRET", "PORTAL_LINK_DAYS",
    "METRICS_PORT", "METRICS_HOST", "LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR",
)


class SettingsError(Exception):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    app_env: str
    database_url: str
    webhook_secrets: tuple[str, ...]
    admin_tokens: tuple[str, ...]
    signing_key: str
    verify_keys: tuple[str, ...]
    products_file: Path
    templates_dir: Path
    mail_from: str
    mail_dir: Path
    postmark_token: str | None
    postmark_from: str | None
    postmark_message_stream: str
    postmark_api_url: str
    smtp_url: str | None
    delivery_max_attempts: int
    validate_rate_limit: int
    activation_rate_limit: int
    metrics_port: int | None = None
    """Serve /metrics without a token on this port too (on metrics_host); None: do not."""
    metrics_host: str = "127.0.0.1"
    var_dir: Path
    gumroad_access_token: str | None = None
    gumroad_api_url: str = "https://api.gumroad.com"
    confirm_sales: bool = False
    reconcile_every_minutes: int = 15
    public_url: str = "http://localhost:8080"
    """Where buyers reach this server: the base of the portal links in emails."""
    portal_secret: str = ""
    portal_link_days: int = 7

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def uses_dev_signing_key(self) -> bool:
        return self.signing_key == str(DEV_SIGNING_KEY)



def _list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development").strip() or "development"
    if app_env not in ("development", "production", "test"):
        raise SettingsError(f"APP_ENV: {app_env!r} is not development, production or test")
    var_dir = Path(env.get("LICENSEMINT_VAR_DIR", "var"))
    database_url = env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'licensemint.db'}"
    if "://" not in database_url:
        raise SettingsError("DATABASE_URL: not a URL (e.g. postgresql+asyncpg://user:pass@host/db)")
    scheme = database_url.split("://", 1)[0]
    if scheme in ("postgres", "postgresql"):
        database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
    elif scheme == "sqlite":
        database_url = "sqlite+aiosqlite://" + database_url.split("://", 1)[1]
    elif scheme not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        raise SettingsError(f"DATABASE_URL: unsupported scheme {scheme!r} (postgresql or sqlite)")

    webhook_secrets = _list(env.get("GUMROAD_WEBHOOK_SECRETS"))
    for secret in webhook_secrets:
        if len(secret) < 16:
            raise SettingsError("GUMROAD_WEBHOOK_SECRETS: each secret needs at least 16 characters")
    admin_tokens = _list(env.get("ADMIN_TOKENS"))
    signing_key = env.get("LICENSE_SIGNING_KEY", "").strip()

    if app_env == "production":
        if signing_key and Path(signing_key) == DEV_SIGNING_KEY:
            raise SettingsError("LICENSE_SIGNING_KEY: the development key is not for production")
        missing = [
            name
            for name, value in (
                ("LICENSE_SIGNING_KEY", signing_key),
                ("GUMROAD_WEBHOOK_SECRETS", webhook_secrets),
                ("ADMIN_TOKENS", admin_tokens),
                ("PORTAL_SECRET", env.get("PORTAL_SECRET", "").strip()),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"APP_ENV=production needs {', '.join(missing)}")
    if env.get("POSTMARK_TOKEN") and not (env.get("POSTMARK_FROM") or env.get("MAIL_FROM")):
        raise SettingsError("POSTMARK_FROM: needed with POSTMARK_TOKEN (a confirmed sender signature)")
    if not webhook_secrets:
        webhook_secrets = (_dev_webhook_secret(var_dir),)
    gumroad_token = (env.get("GUMROAD_ACCESS_TOKEN") or "").strip() or None
    gumroad_api_url = (env.get("GUMROAD_API_URL") or "").strip() or "https://api.gumroad.com"
    if not gumroad_api_url.startswith(("https://", "http://")):
        raise SettingsError(f"GUMROAD_API_URL: {gumroad_api_url!r} is not an http(s) URL")
    confirm = (env.get("CONFIRM_SALES") or "").strip().lower()
    if confirm not in ("", "on", "off"):
        raise SettingsError(f"CONFIRM_SALES: {confirm!r} is not on or off")
    if confirm == "on" and not gumroad_token:
        raise SettingsError("CONFIRM_SALES=on needs GUMROAD_ACCESS_TOKEN (a token with the view_sales scope)")
    portal_secret = env.get("PORTAL_SECRET", "").strip()
    if portal_secret and len(portal_secret) < 32:
        raise SettingsError("PORTAL_SECRET: needs at least 32 characters")
    if not portal_secret:
        portal_secret = _dev_secret(var_dir, "dev-portal-secret", 32)

    return Settings(
        app_env=app_env,
        database_url=database_url,
        webhook_secrets=webhook_secrets,
        admin_tokens=admin_tokens,
        signing_key=signing_key or str(DEV_SIGNING_KEY),
        verify_keys=_list(env.get("LICENSE_VERIFY_KEYS")),
        products_file=Path(env.get("PRODUCTS_FILE") or ROOT / "config" / "products.yaml"),
        templates_dir=Path(env.get("TEMPLATES_DIR") or ROOT / "config" / "templates"),
        mail_from=(
            (env.get("POSTMARK_FROM") if env.get("POSTMARK_TOKEN") else None)
            or env.get("MAIL_FROM")
            or "licensemint <licenses@localhost>"
        ),
        mail_dir=Path(env.get("MAIL_DIR") or var_dir / "mail"),
        postmark_token=env.get("POSTMARK_TOKEN") or None,
        postmark_from=env.get("POSTMARK_FROM") or None,
        postmark_message_stream=env.get("POSTMARK_MESSAGE_STREAM") or "outbound",
        postmark_api_url=env.get("POSTMARK_API_URL") or "https://api.postmarkapp.com",
        smtp_url=env.get("SMTP_URL") or None,
        delivery_max_attempts=_positive_int(env, "DELIVERY_MAX_ATTEMPTS", 20),
        validate_rate_limit=_positive_int(env, "VALIDATE_RATE_LIMIT", 120, allow_zero=True),
        activation_rate_limit=_positive_int(env, "ACTIVATION_RATE_LIMIT", 30, allow_zero=True),
        metrics_port=_metrics_port(env),
        metrics_host=env.get("METRICS_HOST", "").strip() or "127.0.0.1",
        var_dir=var_dir,
        gumroad_access_token=gumroad_token,
        gumroad_api_url=gumroad_api_url.rstrip("/"),
        confirm_sales=bool(gumroad_token) and confirm != "off",
        reconcile_every_minutes=_positive_int(env, "RECONCILE_EVERY", 15, allow_zero=True),
        public_url=_public_url(env.get("PUBLIC_URL")),
        portal_secret=portal_secret,
        portal_link_days=_positive_int(env, "PORTAL_LINK_DAYS", 7),
    )


def _positive_int(env: Mapping[str, str], name: str, default: int, *, allow_zero: bool = False) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not a whole number") from None
    if number < (0 if allow_zero else 1):
        raise SettingsError(f"{name}: must be at least {0 if allow_zero else 1}")
    return number


def _public_url(value: str | None) -> str:
    url = (value or "http://localhost:8080").strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or "?" in url or "#" in url:
        raise SettingsError(f"PUBLIC_URL: {url!r} is not an http(s) base URL (e.g. https://licenses.example.com)")
    return url


def _metrics_port(env: Mapping[str, str]) -> int | None:
    if not env.get("METRICS_PORT"):
        return None
    port = _positive_int(env, "METRICS_PORT", 0, allow_zero=True)  # 0: any free port
    if port > 65535:
        raise SettingsError("METRICS_PORT: must be a TCP port, 0 to 65535")
    return port


def _dev_webhook_secret(var_dir: Path) -> str:
    return _dev_secret(var_dir, "dev-webhook-secret", 24)


def _dev_secret(var_dir: Path, name: str, size: int) -> str:
    """Outside production, a random secret kept in var/ so URLs survive restarts."""
    path = var_dir / name
    if path.is_file():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(size)
    path.touch(mode=0o600)
    path.write_text(secret + "\n")
    return secret
