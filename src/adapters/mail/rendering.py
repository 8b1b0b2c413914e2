"""License emails from Jinja2 templates: a subject, a text part and an autoescaped HTML part.

Templates live in a folder (config/templates/ by default) as `<set>/subject.txt`,
`<set>/body.txt` and `<set>/body.html`; the default set is `license`, and a product may
name its own set in the catalog (`template:`). A set may leave out any of the three files
to fall back to the default's.

Every license email also carries the key as `<product key>.lic` (the key's text, nothing
else) so an app can open it, and, when the product's catalog entry has `activation_link`,
templates get `activation_link`: that link with the key in place of `{key}`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from typing import Protocol

import jinja2

from core.domain.catalog import Product, Tier
from core.domain.model import License
from ports.mailer import Attachment, Email

DEFAULT_SET = "license"
LICENSE_FILE_TYPE = "application/octet-stream"


class PortalLinkMaker(Protocol):
    days: int

    def url(self, email: str) -> str: ...


class TemplateError(Exception):
    pass


class JinjaEmailRenderer:
    def __init__(self, directory: str | Path, *, portal_links: PortalLinkMaker | None = None) -> None:
        self._dir = Path(directory)
        self._portal = portal_links
        loader = jinja2.FileSystemLoader(str(self._dir))
        self._html = jinja2.Environment(
            loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
        )
        self._text = jinja2.Environment(
            loader=loader, autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
        )
        for name in ("subject.txt", "body.txt", "body.html"):
            if not (self._dir / DEFAULT_SET / name).is_file():
                raise TemplateError(f"{self._dir / DEFAULT_SET / name}: template missing")

    def check(self, template_sets: list[str]) -> None:
        """Compiles every template a catalog refers to, so a typo stops the start."""
        for name in [DEFAULT_SET, *template_sets]:
            for part in ("subject.txt", "body.txt", "body.html"):
                path = self._pick(name, part)
                try:
                    (self._html if part.endswith(".html") else self._text).get_template(path)
                except jinja2.TemplateError as exc:
                    raise TemplateError(f"{self._dir / path}: {exc}") from None

    def license_email(self, *, license: License, product: Product, tier: Tier, delivery_id: str) -> Email:
        context = {
            "licensee": license.licensee,
            "gifted_by": license.gifted_by,
            "email": license.email,
            "key": license.key,
            "product": product.name,
            "product_key": product.key,
            "tier": tier.name,
            "seats": license.seats,
            "test": license.test,
            "expires_at": license.expires_at,
            "activation": product.activation,
            "support_email": product.support_email,
            "license_id": license.id,
            "activation_link": activation_link(product.activation_link, license.key),
            # The buyer's signed link to their licenses (None when no portal is configured).
            "portal_url": self._portal.url(license.email) if self._portal else None,
            "portal_days": self._portal.days if self._portal else None,
        }
        name = product.template or DEFAULT_SET
        subject = self._text.get_template(self._pick(name, "subject.txt")).render(context)
        return Email(
            to=license.email,
            subject=" ".join(subject.split()),  # one line: no header injection, no folding
            text=self._text.get_template(self._pick(name, "body.txt")).render(context),
            html=self._html.get_template(self._pick(name, "body.html")).render(context),
            delivery_id=delivery_id,
            attachments=(
                Attachment(filename=f"{product.key}.lic", content_type=LICENSE_FILE_TYPE,
                           content=license.key.encode("ascii")),
            ),
        )

    def _pick(self, name: str, part: str) -> str:
        if (self._dir / name / part).is_file():
            return f"{name}/{part}"
        return f"{DEFAULT_SET}/{part}"


def activation_link(template: str | None, key: str) -> str | None:
    """The catalog's deep link with the key in place of `{key}` (percent-encoded, though a
    key's characters, A-Z a-z 0-9 - _ ., need none)."""
    return template.replace("{key}", quote(key, safe="")) if template else None
