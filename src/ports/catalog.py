"""The seller's catalog: which of our products and tiers a platform's product is."""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from typing import Protocol

from core.domain.catalog import Mapping, Product


class Catalog(Protocol):
    def resolve(
        self, source: str, product_id: str, variants: MappingType[str, str]
    ) -> Mapping | None:
        """The product and tier a sale of `product_id` (with these variant options) maps
        to, or None when the catalog does not know it."""

    def resolve_option(self, source: str, product_id: str, option: str) -> Mapping | None:
        """The tier a plan change to variant option `option` (e.g. Gumroad's
        `new_plan[tier][name]`) lands on, when exactly one tier of that product has it."""

    def product(self, key: str) -> Product | None: ...

    def product_keys(self) -> list[str]: ...
