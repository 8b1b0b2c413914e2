"""The `licensemint` command."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any
import asyncio
import logging
import os
import signal
import socket
import sys
from pathlib import Path

from adapters.catalog.yaml_catalog import CatalogError
from adapters.mail.rendering import TemplateError
from adapters.signing.ed25519 import SigningKeyError, generate_keypair, load_public_keys
from adapters.signing.verifier import load_public_key, public_key_text, verify, verify_lease
from adapters.sql import migrate
from adapters.sql.engine import is_sqlite
from entrypoints.cli_admin import add_admin_commands, runner
from entrypoints.container import Container, check, close
from entrypoints.diagnosis import database_problem
from entrypoints.logs import LogFormatError, announce, configure_logging, json_mode, refuse
from entrypoints.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("licensemint")


class StartupError(Exception):
    pass


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    try:
        check(container)
    except (CatalogError, SigningKeyError, TemplateError, SettingsError) as exc:
        raise StartupError(str(exc)) from None
    return container


def _describe_database(url: str) -> str:
    if is_sqlite(url):
        return f"sqlite ({url.split(':///', 1)[-1]})"
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    return f"postgresql ({parsed.host}:{parsed.port or 5432}/{parsed.database})"


def require_existing_sqlite(settings: Settings) -> None:
    """Only `migrate` creates a database (and `serve` its embedded default): a mistyped
    path must not become a fresh, empty database that answers "(none)"."""
    if not is_sqlite(settings.database_url):
        return
    import sqlalchemy as sa

    path = sa.make_url(settings.database_url).database
    if path and path != ":memory:" and not Path(path).exists():
        raise StartupError(
            f"DATABASE_URL: no SQLite database at {path}; check the path, or create it with "
            "`licensemint migrate`"
        )


def _prepare_database(settings: Settings, migrate_on_start: bool) -> None:
    if is_sqlite(settings.database_url) and os.environ.get("DATABASE_URL"):
        require_existing_sqlite(settings)  # the embedded default alone is created by serve
    if is_sqlite(settings.database_url) or migrate_on_start:
        migrate.upgrade(settings.database_url)


async def _require_current_schema(container: Container) -> None:
    current = await migrate.status(container.engine())
    if not current.up_to_date:
        raise StartupError(
            f"the database is at migration {current.current or 'none'}, the code needs "
            f"{current.head}: run `licensemint migrate` (or start with --migrate)"
        )


def _stop_on_signals() -> asyncio.Event:
    """Set on SIGINT or SIGTERM; installed before anything is announced, so a supervisor
    that signals as soon as it sees the banner still gets a clean stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


SQLITE_ONE_PROCESS = (
    "--processes above 1 needs PostgreSQL: SQLite takes one writer at a time, so more "
    "processes would only queue for its lock (run one process, or set DATABASE_URL to PostgreSQL)"
)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.processes < 1:
        raise StartupError("--processes: must be at least 1")
    if args.processes > 1 and is_sqlite(settings.database_url):
        raise StartupError(SQLITE_ONE_PROCESS)
    container = build_container(settings)
    _prepare_database(settings, args.migrate)
    if args.processes > 1:
        return _supervise(container, settings, args)
    return asyncio.run(
        _serve(container, settings, args.host, args.port, worker=not args.no_worker, child=args.child)
    )


def _supervise(container: Container, settings: Settings, args: argparse.Namespace) -> int:
    from entrypoints.supervisor import Supervisor, SupervisorError

    async def _check() -> None:
        try:
            await _require_current_schema(container)
        finally:
            await close(container)

    asyncio.run(_check())
    supervisor = Supervisor(
        processes=args.processes, host=args.host, port=args.port, worker=not args.no_worker,
        metrics_host=settings.metrics_host, metrics_port=settings.metrics_port,
    )
    layout = f"{args.processes} API processes" + ("; delivery worker: own process" if not args.no_worker else "")
    try:
        return supervisor.run(
            lambda port, metrics_url: _banner(
                container, settings, args.host, port, worker=not args.no_worker, layout=layout,
                metrics_url=metrics_url,
            )
        )
    except SupervisorError as exc:
        raise StartupError(str(exc)) from None


def _banner(
    container: Container, settings: Settings, host: str, port: int, *, worker: bool, layout: str = "",
    metrics_url: str | None = None,
) -> None:
    shown = host if host not in ("0.0.0.0", "::") else socket.gethostname()
    base = f"http://{shown}:{port}"
    # On a terminal, development shows its own secret and token to copy; JSON lines are
    # shipped and kept like any log line, so they name where the values are instead.
    shown_secrets = not settings.production and not json_mode()
    if shown_secrets:
        secret = settings.webhook_secrets[0]
    elif settings.production or os.environ.get("GUMROAD_WEBHOOK_SECRETS", "").strip():
        secret = "<one of GUMROAD_WEBHOOK_SECRETS>"
    else:
        secret = f"<the secret in {settings.var_dir / 'dev-webhook-secret'}>"
    announce(f"licensemint listening on {base}" + (f" ({layout})" if layout else ""))
    announce(f"Gumroad webhook URL (Settings → Advanced → Ping): {base}/webhooks/gumroad?secret={secret}")
    if settings.dev_admin_token:
        token = settings.dev_admin_token if shown_secrets else "<not shown in JSON logs>"
        announce(f"Admin token (development, kept in {settings.var_dir / 'dev-admin-token'}): {token}")
    if metrics_url is None and settings.metrics_port:
        metrics_url = f"http://{settings.metrics_host}:{settings.metrics_port}/metrics"
    if metrics_url:
        announce(f"metrics (no token): {metrics_url}")
    announce(
        f"database: {_describe_database(settings.database_url)}; mailer: {container.mailer().describe()}; "
        f"delivery worker: {'on' if worker else 'off'}; signing key: "
        f"{'development' if settings.uses_dev_signing_key else 'configured'} (kid {container.signer().signing_kid}); "
        f"gumroad sales api: {_describe_sales_api(settings, worker)}"
    )


def _settle_garbage_collector() -> None:
    """Everything imported and built at start lives as long as the process: moved out of
    the collector's sight (gc.freeze), it is not traversed again by every full collection;
    and a larger first generation spares a collection every 700 allocations a request
    makes by the hundred (SQLAlchemy, aiohttp). Cycles are still collected."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _child_ready() -> None:
    """Tells the supervisor this child serves, then lets go of the pipe it reads."""
    print("ready", flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _metrics_url(settings: Settings, runner: web.AppRunner | None) -> str | None:
    if runner is None:
        return None
    port = runner.addresses[0][1] if runner.addresses else settings.metrics_port
    return f"http://{settings.metrics_host}:{port}/metrics"


async def _start_metrics(container: Container, settings: Settings, *, shared: bool) -> web.AppRunner | None:
    if settings.metrics_port is None:
        return None
    from entrypoints.http.metrics import start_metrics_site

    try:
        return await start_metrics_site(
            container.engine(), settings.metrics_host, settings.metrics_port, reuse_port=shared
        )
    except OSError as exc:
        raise StartupError(str(exc.strerror)) from None


async def _serve(
    container: Container, settings: Settings, host: str, port: int, *, worker: bool, child: bool = False
) -> int:
    from aiohttp import web

    from entrypoints.http.app import RUNNER_OPTIONS, create_app

    stop = _stop_on_signals()
    await _require_current_schema(container)
    app = create_app(container, worker=worker)
    runner = web.AppRunner(app, handle_signals=False, **RUNNER_OPTIONS)
    await runner.setup()
    _settle_garbage_collector()
    # A child of `serve --processes N` shares the port with its siblings (SO_REUSEPORT).
    site = web.TCPSite(runner, host, port, reuse_port=True if child else None)
    try:
        await site.start()
        metrics_runner = await _start_metrics(container, settings, shared=child)
    except (OSError, StartupError) as exc:
        await runner.cleanup()
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise StartupError(f"cannot listen on {host}:{port}: {reason}") from None
    server: Any = site._server
    bound = server.sockets[0].getsockname()[1] if server else port  # port 0 → real port
    if child:
        _child_ready()
    else:
        _banner(container, settings, host, bound, worker=worker, metrics_url=_metrics_url(settings, metrics_runner))
    log.info("mailer: %s", container.mailer().describe())
    await stop.wait()
    log.info("shutting down")
    if metrics_runner is not None:
        await metrics_runner.cleanup()
    await runner.cleanup()
    return 0


def _describe_sales_api(settings: Settings, worker: bool) -> str:
    if not settings.gumroad_access_token:
        return "off (no GUMROAD_ACCESS_TOKEN: pings are not confirmed, nothing reconciles)"
    every = settings.reconcile_every_minutes
    reconcile = f"reconcile every {every} min" if worker and every else "no periodic reconciliation here"
    return f"confirm {'on' if settings.confirm_sales else 'off'}, {reconcile}"


def cmd_worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    require_existing_sqlite(settings)
    container = build_container(settings)
    return asyncio.run(_worker(container, settings, child=args.child))


async def _worker(container: Container, settings: Settings, *, child: bool = False) -> int:
    from entrypoints.worker import DeliveryWorker

    stop = _stop_on_signals()
    await _require_current_schema(container)
    from entrypoints.sales_jobs import sales_jobs

    worker = DeliveryWorker(container.deliver_pending(), container.wakeup())
    # Under the supervisor the API processes serve METRICS_PORT; the worker's counters
    # reach them through PROMETHEUS_MULTIPROC_DIR.
    metrics_runner = None if child else await _start_metrics(container, settings, shared=False)
    worker.start()
    jobs = sales_jobs(container)
    jobs.start()
    log.info("mailer: %s", container.mailer().describe())
    if child:
        _child_ready()
    else:
        announce(f"licensemint delivery worker {worker.worker_id} running; mailer: {container.mailer().describe()}")
        if metrics_runner is not None:
            announce(f"metrics (no token): {_metrics_url(settings, metrics_runner)}")
    await stop.wait()
    await jobs.stop()
    await worker.stop()
    if metrics_runner is not None:
        await metrics_runner.cleanup()
    await close(container)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.check:
        require_existing_sqlite(settings)
        container = Container(settings=settings)

        async def _check() -> migrate.MigrationStatus:
            try:
                return await migrate.status(container.engine())
            finally:
                await container.engine().dispose()

        status = asyncio.run(_check())
        if status.up_to_date:
            print(f"database is up to date (migration {status.head})")
            return 0
        print(f"database is behind: at {status.current or 'none'}, head is {status.head}; run `licensemint migrate`")
        return 1
    migrate.upgrade(settings.database_url)
    print(f"database migrated to head ({_describe_database(settings.database_url)})")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    try:
        private_path, public_path, kid = generate_keypair(Path(args.out))
    except SigningKeyError as exc:
        raise StartupError(str(exc)) from None
    public = public_key_text(load_public_key(public_path.read_text(encoding="ascii")))
    print(f"signing key (keep secret): {private_path}")
    print(f"public key (PEM): {public_path}")
    print(f"public key (paste into your app): {public}")
    print(f"kid: {kid}")
    print(f"Set LICENSE_SIGNING_KEY={private_path}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    if args.public_key:
        keys = load_public_keys(args.public_key, "--public-key")
    else:
        from entrypoints.container import build_signer

        signer = build_signer(load_settings())
        keys = [k.public_key for k in signer.published]
    token = args.key if args.key != "-" else sys.stdin.read()
    result = (verify_lease if args.lease else verify)(token, keys, now=args.now)
    if result.code not in ("VALID", "EXPIRED"):
        print(f"{result.code}: {result.reason}", file=sys.stderr)
        return 1
    claims = result.claims
    what = (
        f"lease for license {claims['lid']} ({claims['product']}/{claims['tier']}) on machine {claims['machine']}"
        if args.lease
        else f"license {claims['lid']} for {claims['product']}/{claims['tier']}, {claims['seats']} seat(s), "
        + (f"licensee {claims['name']!r}" if "name" in claims else "no licensee name")
    )
    print(
        f"{result.code}: {what}{', TEST' if claims.get('test') else ''}, kid {result.kid}"
        f"{', expires ' + str(claims['exp']) if claims.get('exp') is not None else ''}"
    )
    return 0 if result.valid else 1


def _admin_container() -> Container:
    settings = load_settings()
    require_existing_sqlite(settings)
    container = build_container(settings)
    if is_sqlite(settings.database_url):
        migrate.upgrade(settings.database_url)
    return container


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0 to 65535)")
    return port


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="licensemint", description="Gumroad sales to signed license keys.")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API (and, by default, the delivery worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8080, help="0 picks a free port")
    serve.add_argument("--no-worker", action="store_true", help="run only the API")
    serve.add_argument("--migrate", action="store_true", help="migrate PostgreSQL before serving")
    serve.add_argument(
        "--processes", type=int, default=1,
        help="API processes sharing the port (PostgreSQL only); above 1 the delivery worker runs in "
             "a process of its own",
    )
    serve.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # started by --processes
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run only the delivery worker")
    worker.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    mig = sub.add_parser("migrate", help="bring the database schema up to date")
    mig.add_argument("--check", action="store_true", help="exit 1 when the database is behind")
    mig.set_defaults(func=cmd_migrate)

    keygen = sub.add_parser("keygen", help="write a new Ed25519 signing keypair")
    keygen.add_argument("--out", default="keys", help="directory for the key files (default: ./keys)")
    keygen.set_defaults(func=cmd_keygen)

    ver = sub.add_parser(
        "verify", help="check a license key (or, with --lease, a machine lease) offline; prints its code"
    )
    ver.add_argument("key", help="the key, or - to read it from standard input")
    ver.add_argument(
        "--public-key", action="append",
        help="public key (base64url as published, base64, or a PEM file); default: the configured keys",
    )
    ver.add_argument("--lease", action="store_true", help="the token is a LEASE1 machine lease")
    ver.add_argument("--now", type=int, help="verify as at this Unix time in seconds (default: now)")
    ver.set_defaults(func=cmd_verify)

    add_admin_commands(sub, runner(_admin_container, _require_current_schema))
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        configure_logging()
        result: int = args.func(args)
        return result
    except (SettingsError, StartupError, SigningKeyError, LogFormatError) as exc:
        refuse(f"licensemint: {exc}")
        return 2
    except Exception as exc:
        problem = _database_problem(exc)
        if problem is None:
            raise
        refuse(f"licensemint: {problem}")
        return 2


def _database_problem(exc: BaseException) -> str | None:
    try:
        url = load_settings().database_url
    except SettingsError:
        return None
    return database_problem(exc, url)


if __name__ == "__main__":
    sys.exit(main())
