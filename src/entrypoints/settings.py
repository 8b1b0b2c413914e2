"""Settings from the environment (12-factor). Every problem names the variable."""

from __future__ import annotations

import base64
import binascii
import enum
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from entrypoints.published import published_in_repository

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
    "MAILER", "TRUSTED_PROXIES",
    "LICENSEMINT_VAR_DIR", "LOG_LEVEL", "PUBLIC_URL", "PORTAL_SECRET", "PORTAL_LINK_DAYS",
    "METRICS_PORT", "METRICS_HOST", "LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR",
)

MIN_SECRET_LENGTH = 16


class MailerKind(str, enum.Enum):
    POSTMARK = "postmark"
    SMTP = "smtp"
    FILE = "file"


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
    mailer: MailerKind = MailerKind.FILE
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    dev_admin_token: str | None = None
    """Outside production with no ADMIN_TOKENS: the generated token kept in var/ (printed at start)."""

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
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"GUMROAD_WEBHOOK_SECRETS: each secret needs at least {MIN_SECRET_LENGTH} characters"
            )
    admin_tokens = _list(env.get("ADMIN_TOKENS"))
    for entry in admin_tokens:
        _check_admin_token(entry)
    signing_key = env.get("LICENSE_SIGNING_KEY", "").strip()
    _check_signing_key_path(signing_key)
    mailer = _mailer(env)

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
        if mailer is MailerKind.FILE and env.get("MAILER", "").strip().lower() != "file":
            raise SettingsError(
                "APP_ENV=production needs a real mailer: set POSTMARK_TOKEN or SMTP_URL "
                "(or MAILER=file to write emails as files on purpose)"
            )
        _refuse_published(env, webhook_secrets, admin_tokens, signing_key)
    if env.get("POSTMARK_TOKEN") and not (env.get("POSTMARK_FROM") or env.get("MAIL_FROM")):
        raise SettingsError("POSTMARK_FROM: needed with POSTMARK_TOKEN (a confirmed sender signature)")
    if not webhook_secrets:
        webhook_secrets = (_dev_secret(var_dir, "dev-webhook-secret", 24),)
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
    dev_admin_token = None
    if not admin_tokens and app_env == "development":
        dev_admin_token = _dev_secret(var_dir, "dev-admin-token", 24)
        admin_tokens = (f"dev:{dev_admin_token}",)

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
        mailer=mailer,
        trusted_proxies=_networks(env.get("TRUSTED_PROXIES")),
        dev_admin_token=dev_admin_token,
    )


def _check_admin_token(entry: str) -> None:
    name, sep, token = entry.partition(":")
    if not sep:
        name, token = "", entry
    who = f"the token named {name!r}" if name else "a token"
    if not token.strip():
        raise SettingsError(f"ADMIN_TOKENS: {who} is empty; give each name a token (name:token)")
    if len(token.strip()) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"ADMIN_TOKENS: {who} is shorter than {MIN_SECRET_LENGTH} characters "
            "(make one with `openssl rand -hex 24`)"
        )


def _check_signing_key_path(value: str) -> None:
    """A value that can only be a path (not PEM text, not a base64 seed) must name a file."""
    if not value or "-----BEGIN" in value:
        return
    try:
        if len(base64.b64decode(value, validate=True)) == 32:
            return  # a seed, which may well contain a "/"
    except (binascii.Error, ValueError):
        pass
    looks_like_path = "/" in value or value.startswith(".") or value.endswith((".pem", ".key"))
    if looks_like_path and not Path(value).is_file():
        raise SettingsError(
            f"LICENSE_SIGNING_KEY: no file at {value} (give the path of a PEM file, "
            "e.g. one written by `licensemint keygen`)"
        )


def _mailer(env: Mapping[str, str]) -> MailerKind:
    """MAILER when given (its setting must be there too); else Postmark, SMTP, files."""
    given = env.get("MAILER", "").strip().lower()
    needs = {MailerKind.POSTMARK: "POSTMARK_TOKEN", MailerKind.SMTP: "SMTP_URL"}
    if given:
        try:
            explicit = MailerKind(given)
        except ValueError:
            choices = ", ".join(k.value for k in MailerKind)
            raise SettingsError(f"MAILER: {given!r} is not one of {choices}") from None
        if explicit in needs and not env.get(needs[explicit]):
            raise SettingsError(f"MAILER={explicit.value} needs {needs[explicit]}")
        return explicit
    if env.get("POSTMARK_TOKEN"):
        return MailerKind.POSTMARK
    if env.get("SMTP_URL"):
        return MailerKind.SMTP
    return MailerKind.FILE


def _networks(value: str | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in _list(value):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                f"TRUSTED_PROXIES: {item!r} is not an address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1)"
            ) from None
    return tuple(networks)


def _refuse_published(
    env: Mapping[str, str], webhook_secrets: tuple[str, ...], admin_tokens: tuple[str, ...], signing_key: str
) -> None:
    """A secret that is in the repository (a compose fallback, an example, a test) is public."""
    candidates = [("GUMROAD_WEBHOOK_SECRETS", s) for s in webhook_secrets]
    candidates += [("ADMIN_TOKENS", entry.partition(":")[2] or entry) for entry in admin_tokens]
    candidates.append(("PORTAL_SECRET", env.get("PORTAL_SECRET", "").strip()))
    for name in ("POSTMARK_TOKEN", "GUMROAD_ACCESS_TOKEN"):
        if env.get(name):
            candidates.append((name, env[name]))
    key_text = signing_key
    if "-----BEGIN" not in signing_key and Path(signing_key).is_file():
        key_text = Path(signing_key).read_text(errors="replace")
    candidates.append(("LICENSE_SIGNING_KEY", _pem_body(key_text)))
    for name, value in candidates:
        if value and published_in_repository(value):
            raise SettingsError(
                f"{name}: this value is published in the licensemint repository (an example, "
                "a default or a test); APP_ENV=production needs one of your own"
            )


def _pem_body(text: str) -> str:
    """The base64 lines of a PEM key (what stays the same however it is wrapped or quoted)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    body = [line for line in lines if not line.startswith("-----")]
    return "".join(body) if len(lines) > 1 else text.strip()


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
