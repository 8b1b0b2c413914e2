"""The product catalog from YAML, validated as a whole at start.

Every mistake is reported as `<file>: product '<key>': field '<path>': <what is wrong>`,
so a seller can find it without reading code. See config/products.yaml for the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.domain.catalog import Mapping, Product, Tier

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_PRODUCT_FIELDS = {"name", "support_email", "activation", "template", "tiers", "sources", "key_name", "activation_link"}
_LINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]*$")
_TIER_FIELDS = {"name", "expires_after_days", "seats", "lease_days", "grace_days", "release_after_days"}
_SOURCE_FIELDS = {"product_id", "variants", "tier"}
SOURCES = ("gumroad",)


class CatalogError(Exception):
    """The catalog file is wrong; the message names the file, the product and the field."""


@dataclass(frozen=True, slots=True)
class _Rule:
    product_id: str
    variants: tuple[tuple[str, str], ...]
    mapping: Mapping


class YamlCatalog:
    def __init__(self, products: dict[str, Product], rules: dict[str, list[_Rule]]) -> None:
        self._products = products
        self._rules = rules

    @classmethod
    def load(cls, path: str | Path) -> YamlCatalog:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CatalogError(f"{path}: file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: cannot be read: {exc}") from None
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: not valid YAML: {exc}") from None
        return cls.from_data(data, str(path))

    @classmethod
    def from_data(cls, data: object, where: str) -> YamlCatalog:
        if not isinstance(data, dict) or not isinstance(data.get("products"), dict):
            raise CatalogError(f"{where}: field 'products': must be a mapping of product keys")
        unknown = set(data) - {"products"}
        if unknown:
            raise CatalogError(f"{where}: field {sorted(unknown)[0]!r}: unknown top-level field")
        if not data["products"]:
            raise CatalogError(f"{where}: field 'products': no products defined")
        products: dict[str, Product] = {}
        rules: dict[str, list[_Rule]] = {s: [] for s in SOURCES}
        for key, spec in data["products"].items():
            products[str(key)] = _product(where, str(key), spec, rules)
        for source, source_rules in rules.items():
            seen: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
            for rule in source_rules:
                ident = (rule.product_id, rule.variants)
                if ident in seen:
                    raise CatalogError(
                        f"{where}: product {rule.mapping.product.key!r}: field 'sources.{source}': "
                        f"product_id {rule.product_id!r} with the same variants is already mapped "
                        f"by product {seen[ident]!r}"
                    )
                seen[ident] = rule.mapping.product.key
        return cls(products, rules)

    def resolve(self, source: str, product_id: str, variants: MappingType[str, str]) -> Mapping | None:
        best: _Rule | None = None
        for rule in self._rules.get(source, ()):
            if rule.product_id != product_id:
                continue
            if all(variants.get(k) == v for k, v in rule.variants):
                if best is None or len(rule.variants) > len(best.variants):
                    best = rule
        return best.mapping if best else None

    def resolve_option(self, source: str, product_id: str, option: str) -> Mapping | None:
        found = {
            (rule.mapping.product.key, rule.mapping.tier.key): rule.mapping
            for rule in self._rules.get(source, ())
            if rule.product_id == product_id and option in (v for _, v in rule.variants)
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def product(self, key: str) -> Product | None:
        return self._products.get(key)

    def product_keys(self) -> list[str]:
        return list(self._products)

    @property
    def products(self) -> dict[str, Product]:
        return dict(self._products)


def _product(where: str, key: str, spec: object, rules: dict[str, list[_Rule]]) -> Product:
    def fail(field: str, problem: str) -> CatalogError:
        return CatalogError(f"{where}: product {key!r}: field {field!r}: {problem}")

    if not _KEY.match(key):
        raise fail("(key)", "use lowercase letters, digits, '-' and '_' (at most 63)")
    if not isinstance(spec, dict):
        raise fail("(product)", "must be a mapping")
    for field in sorted(set(spec) - _PRODUCT_FIELDS):
        raise fail(field, f"unknown field (known: {', '.join(sorted(_PRODUCT_FIELDS))})")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "required, a non-empty string")
    for optional in ("support_email", "activation", "template"):
        if optional in spec and not isinstance(spec[optional], str):
            raise fail(optional, "must be a string")
    support = spec.get("support_email")
    if support is not None and "@" not in support:
        raise fail("support_email", f"not an email address: {support!r}")
    key_name = spec.get("key_name", True)
    if not isinstance(key_name, bool):
        raise fail("key_name", "must be true or false (false leaves the buyer's name out of the key)")
    link = spec.get("activation_link")
    if link is not None and (not isinstance(link, str) or link.count("{key}") != 1 or not _LINK.match(link)
                             or "{" in link.replace("{key}", "") or "}" in link.replace("{key}", "")):
        raise fail("activation_link", "must be a URL with a scheme, no spaces, and {key} exactly once "
                                      "(e.g. \"myapp://activate?key={key}\")")

    tiers_spec = spec.get("tiers")
    if not isinstance(tiers_spec, dict) or not tiers_spec:
        raise fail("tiers", "required, a mapping with at least one tier")
    tiers: dict[str, Tier] = {}
    for tier_key, tier_spec in tiers_spec.items():
        tier_key = str(tier_key)
        path = f"tiers.{tier_key}"
        if not _KEY.match(tier_key):
            raise fail(path, "tier keys use lowercase letters, digits, '-' and '_'")
        if tier_spec is None:
            tier_spec = {}
        if not isinstance(tier_spec, dict):
            raise fail(path, "must be a mapping")
        for field in sorted(set(tier_spec) - _TIER_FIELDS):
            raise fail(f"{path}.{field}", "unknown field")
        days = tier_spec.get("expires_after_days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
            raise fail(f"{path}.expires_after_days", "must be a whole number of days, at least 1")
        terms = {}
        for field, minimum in (("lease_days", 1), ("grace_days", 0), ("release_after_days", 0)):
            value = tier_spec.get(field)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise fail(f"{path}.{field}", f"must be a whole number of days, at least {minimum}")
            terms[field] = value
        seats = tier_spec.get("seats", 1)
        if not isinstance(seats, int) or isinstance(seats, bool) or not 1 <= seats <= 10_000:
            raise fail(f"{path}.seats", "must be a whole number of seats, 1 to 10000")
        tier_name = tier_spec.get("name", tier_key)
        if not isinstance(tier_name, str) or not tier_name.strip():
            raise fail(f"{path}.name", "must be a non-empty string")
        tiers[tier_key] = Tier(key=tier_key, name=tier_name, expires_after_days=days, seats=seats, **terms)

    product = Product(
        key=key,
        name=name.strip(),
        tiers=tiers,
        support_email=support,
        activation=spec.get("activation"),
        template=spec.get("template"),
        key_name=key_name,
        activation_link=link,
    )

    sources = spec.get("sources", {})
    if not isinstance(sources, dict):
        raise fail("sources", "must be a mapping of source name to a list of mappings")
    for source, entries in sources.items():
        if source not in SOURCES:
            raise fail(f"sources.{source}", f"unknown source (known: {', '.join(SOURCES)})")
        if not isinstance(entries, list) or not entries:
            raise fail(f"sources.{source}", "must be a non-empty list")
        for i, entry in enumerate(entries):
            path = f"sources.{source}[{i}]"
            if not isinstance(entry, dict):
                raise fail(path, "must be a mapping with product_id and tier")
            for field in sorted(set(entry) - _SOURCE_FIELDS):
                raise fail(f"{path}.{field}", "unknown field")
            product_id = entry.get("product_id")
            if not isinstance(product_id, str) or not product_id:
                raise fail(f"{path}.product_id", "required, a string (Gumroad's product_id)")
            tier_key = entry.get("tier")
            if tier_key is None and len(tiers) == 1:
                tier_key = next(iter(tiers))
            if tier_key not in tiers:
                raise fail(f"{path}.tier", f"{tier_key!r} is not one of this product's tiers")
            variants = entry.get("variants", {}) or {}
            if not isinstance(variants, dict) or not all(
                isinstance(v, str) for v in variants.values()
            ):
                raise fail(f"{path}.variants", "must map variant categories to option names")
            rules[source].append(
                _Rule(
                    product_id=product_id,
                    variants=tuple(sorted((str(k), v) for k, v in variants.items())),
                    mapping=Mapping(product=product, tier=tiers[tier_key]),
                )
            )
    return product
