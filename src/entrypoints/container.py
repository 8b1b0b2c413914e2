"""The dependency-injector container: every adapter and use case, built from Settings.

Tests override providers (`container.mailer.override(...)`) rather than building a
second container.
"""

from __future__ import annotations

import random

from dependency_injector import containers, providers

from adapters.catalog.yaml_catalog import YamlCatalog
from adapters.clock import RandomIds, SystemClock
from adapters.gumroad.encoder import GumroadNoticeEncoder
from adapters.gumroad.parser import GumroadParser
from adapters.gumroad.sales_api import GumroadSalesApi
from adapters.mail.file_mailer import FileMailer
from adapters.mail.postmark import PostmarkMailer
from adapters.mail.smtp import SmtpMailer, SmtpUrlError
from adapters.mail.rendering import JinjaEmailRenderer
from adapters.signing.portal_links import PortalLinks
from adapters.signing.ed25519 import Ed25519Signer, load_private_key, load_public_keys
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from adapters.wakeup import AsyncioWakeup
from core.domain.retry import RetryPolicy
from core.usecases.activate_machine import ActivateMachine
from core.usecases.change_seats import ChangeSeats
from core.usecases.deactivate_machine import DeactivateMachine
from core.usecases.list_activations import ListActivations
from core.usecases.release_activations import ReleaseActivations
from core.usecases.confirm_sale import ConfirmSaleWithApi
from core.usecases.reconcile import Reconcile
from core.usecases.retry_confirmations import RetryPendingConfirmations
from core.usecases.browse import ListDeliveries, ListEvents, ListLicenses, ShowEvent, ShowLicense
from core.usecases.change_license_status import ChangeLicenseStatus
from core.usecases.find_license import FindLicenses
from core.usecases.license_page import LicensePage
from core.usecases.mint_license import MintLicense
from core.usecases.overview import Overview
from core.usecases.portal import BuyerLicenses, BuyerReleaseMachine
from core.usecases.replay_events import ReplayEvent, ReplayFailedEvents
from core.usecases.retry_delivery import RetryDelivery
from core.usecases.deliver_pending import DeliverPending
from core.usecases.ledger import Ledger
from core.usecases.process_event import ProcessEvent
from core.usecases.record_event import RecordEvent
from core.usecases.resend_license import ResendLicense
from core.usecases.validate_license import ValidateLicense
from entrypoints.delivery_log import LoggedEmailRenderer, LoggedMailer
from entrypoints.settings import MailerKind, Settings, SettingsError
from ports.mailer import Mailer


def build_signer(settings: Settings) -> Ed25519Signer:
    return Ed25519Signer(
        load_private_key(settings.signing_key, "LICENSE_SIGNING_KEY"),
        load_public_keys(list(settings.verify_keys), "LICENSE_VERIFY_KEYS"),
    )


def build_portal_links(settings: Settings) -> PortalLinks:
    if not settings.portal_secret:
        raise SettingsError("PORTAL_SECRET: not set")
    return PortalLinks(settings.portal_secret, days=settings.portal_link_days, public_url=settings.public_url)


def build_mailer(settings: Settings) -> Mailer:
    """The mailer settings chose: Postmark when its token is set, else SMTP when its URL is
    set, else .eml files; MAILER says which when given."""
    if settings.mailer is MailerKind.POSTMARK:
        return PostmarkMailer(
            settings.postmark_token or "",
            settings.mail_from,
            message_stream=settings.postmark_message_stream,
            base_url=settings.postmark_api_url,
        )
    if settings.mailer is MailerKind.SMTP:
        try:
            return SmtpMailer(settings.smtp_url or "", settings.mail_from)
        except SmtpUrlError as exc:
            raise SettingsError(str(exc)) from None
    return FileMailer(settings.mail_dir, settings.mail_from)


def build_sales_api(settings: Settings) -> GumroadSalesApi | None:
    """Gumroad's Sales API when GUMROAD_ACCESS_TOKEN is set; None turns off reconciliation
    and confirmation."""
    if not settings.gumroad_access_token:
        return None
    return GumroadSalesApi(settings.gumroad_access_token, settings.gumroad_api_url)


def build_confirmer(settings: Settings, sales: GumroadSalesApi | None) -> ConfirmSaleWithApi | None:
    if not settings.confirm_sales or sales is None:
        return None
    return ConfirmSaleWithApi(sales=sales)


class Container(containers.DeclarativeContainer):
    # The request-path use cases keep no state between calls, so each is built once
    # (Singleton); override providers before the app or worker is created.
    settings = providers.Dependency(instance_of=Settings)

    engine = providers.Singleton(create_engine, settings.provided.database_url)
    wakeup = providers.Singleton(AsyncioWakeup)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine, wakeup=wakeup)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIds)
    rand = providers.Object(random.random)
    catalog = providers.Singleton(YamlCatalog.load, settings.provided.products_file)
    signer = providers.Singleton(build_signer, settings)
    parsers = providers.Dict(gumroad=providers.Singleton(GumroadParser))
    portal_links = providers.Singleton(build_portal_links, settings)
    renderer = providers.Singleton(JinjaEmailRenderer, settings.provided.templates_dir, portal_links=portal_links)
    mailer = providers.Singleton(build_mailer, settings)
    sales_api = providers.Singleton(build_sales_api, settings)
    confirmer = providers.Singleton(build_confirmer, settings, sales_api)
    encoder = providers.Singleton(GumroadNoticeEncoder)

    record_event = providers.Singleton(RecordEvent, uow=uow, clock=clock, ids=ids)
    ledger = providers.Singleton(Ledger, catalog=catalog, signer=signer, clock=clock, ids=ids, parsers=parsers)
    process_event = providers.Singleton(
        ProcessEvent, uow=uow, parsers=parsers, catalog=catalog, ledger=ledger, clock=clock, confirmer=confirmer,
    )
    validate_license = providers.Singleton(ValidateLicense, uow=uow, verifier=signer, clock=clock)
    activate_machine = providers.Singleton(
        ActivateMachine, uow=uow, verifier=signer, signer=signer, catalog=catalog, clock=clock, ids=ids
    )
    deactivate_machine = providers.Singleton(DeactivateMachine, uow=uow, verifier=signer, clock=clock)
    list_activations = providers.Factory(ListActivations, uow=uow)
    release_activations = providers.Factory(ReleaseActivations, uow=uow, clock=clock)
    change_seats = providers.Factory(ChangeSeats, uow=uow, clock=clock)
    resend_license = providers.Singleton(ResendLicense, uow=uow, clock=clock, ids=ids)
    list_licenses = providers.Factory(ListLicenses, uow=uow)
    find_licenses = providers.Singleton(FindLicenses, uow=uow, verifier=signer, clock=clock)
    license_page = providers.Singleton(LicensePage, uow=uow, parsers=parsers)
    overview = providers.Singleton(Overview, uow=uow, clock=clock)
    buyer_licenses = providers.Singleton(BuyerLicenses, uow=uow)
    buyer_release_machine = providers.Singleton(BuyerReleaseMachine, uow=uow, clock=clock)
    list_events = providers.Factory(ListEvents, uow=uow)
    list_deliveries = providers.Factory(ListDeliveries, uow=uow)
    show_license = providers.Factory(ShowLicense, uow=uow)
    show_event = providers.Factory(ShowEvent, uow=uow)
    mint_license = providers.Factory(
        MintLicense, uow=uow, catalog=catalog, signer=signer, clock=clock, ids=ids
    )
    change_license_status = providers.Factory(ChangeLicenseStatus, uow=uow, clock=clock, ids=ids)
    replay_event = providers.Factory(ReplayEvent, process=process_event)
    replay_failed = providers.Factory(ReplayFailedEvents, uow=uow, process=process_event, clock=clock)
    retry_delivery = providers.Factory(RetryDelivery, uow=uow, clock=clock, wakeup=wakeup)
    reconcile = providers.Factory(
        Reconcile, uow=uow, sales=sales_api, parsers=parsers, encoder=encoder, process=process_event,
        clock=clock, ids=ids,
    )
    retry_confirmations = providers.Factory(RetryPendingConfirmations, uow=uow, process=process_event, clock=clock)
    retry_policy = providers.Singleton(RetryPolicy, max_attempts=settings.provided.delivery_max_attempts)
    # The worker's mailer and renderer log each email with its license and delivery ids.
    logged_mailer = providers.Factory(LoggedMailer, mailer)
    logged_renderer = providers.Factory(LoggedEmailRenderer, renderer)
    deliver_pending = providers.Factory(
        DeliverPending, uow=uow, mailer=logged_mailer, renderer=logged_renderer, catalog=catalog, clock=clock,
        policy=retry_policy, rand=rand,
    )


async def close(container: Container) -> None:
    """Releases what the container opened: mail connections, both database engines."""
    await container.mailer().close()
    sales = container.sales_api()
    if sales is not None:
        await sales.close()
    container.uow().dispose()
    await container.engine().dispose()


def check(container: Container) -> None:
    """Builds everything that reads configuration, so a mistake stops the start with its
    own message (CatalogError, SigningKeyError, TemplateError) instead of a first request
    failing."""
    catalog = container.catalog()
    container.signer()
    container.renderer().check(sorted({p.template for p in catalog.products.values() if p.template}))
    container.mailer()
