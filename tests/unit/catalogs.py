"""Catalogs for tests: the sample catalog, and versions a seller has since changed."""

from __future__ import annotations

from collections.abc import Mapping as MappingType

from core.domain.catalog import Mapping, Product
from adapters.catalog.yaml_catalog import YamlCatalog
from tests.unit.world import ROOT

SAMPLE = (ROOT / "config/products.yaml").read_text()

# The sample with a Gold tier for the membership, as a seller adds it after a failed sale.
WITH_GOLD = SAMPLE.replace(
    """      pro:
        name: Pro
""",
    """      pro:
        name: Pro
      gold:
        name: Gold
        seats: 5
""",
).replace(
    """          variants: {Tier: Pro}
          tier: pro
""",
    """          variants: {Tier: Pro}
          tier: pro
        - product_id: "Yh3qk7Rz0pL9mWx2Vb8cJA=="
          variants: {Tier: Gold}
          tier: gold
""",
)


def catalog(text: str) -> YamlCatalog:
    import yaml

    return YamlCatalog.from_data(yaml.safe_load(text), "test catalog")


class EditableCatalog:
    """A catalog the test can swap, as a seller edits the file and restarts."""

    def __init__(self, text: str = SAMPLE) -> None:
        self.current = catalog(text)

    def edit(self, text: str) -> None:
        self.current = catalog(text)

    def resolve(self, source: str, product_id: str, variants: MappingType[str, str]) -> Mapping | None:
        return self.current.resolve(source, product_id, variants)

    def resolve_option(self, source: str, product_id: str, option: str) -> Mapping | None:
        return self.current.resolve_option(source, product_id, option)

    def product(self, key: str) -> Product | None:
        return self.current.product(key)

    def product_keys(self) -> list[str]:
        return self.current.product_keys()

    @property
    def products(self) -> dict[str, Product]:
        return self.current.products
