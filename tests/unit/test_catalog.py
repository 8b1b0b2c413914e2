from pathlib import Path

import pytest
import yaml

from adapters.catalog.yaml_catalog import CatalogError, YamlCatalog

SHIPPED = Path(__file__).parents[2] / "config" / "products.yaml"

BASE = {
    "products": {
        "app": {
            "name": "App",
            "tiers": {"basic": {"name": "Basic"}, "pro": {"name": "Pro", "expires_after_days": 365}},
            "sources": {
                "gumroad": [
                    {"product_id": "P==", "tier": "basic"},
                    {"product_id": "P==", "variants": {"Tier": "Pro"}, "tier": "pro"},
                ]
            },
        }
    }
}


def write(tmp_path, data) -> Path:
    path = tmp_path / "products.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_the_shipped_catalog_maps_the_sample_products():
    catalog = YamlCatalog.load(SHIPPED)
    pro = catalog.resolve("gumroad", "32-nPAicqbLj8B_WswVlMw==", {})
    assert (pro.product.key, pro.tier.key) == ("acmesoft-pro", "desktop")
    cloud = catalog.resolve("gumroad", "Yh3qk7Rz0pL9mWx2Vb8cJA==", {"Tier": "Pro"})
    assert (cloud.product.key, cloud.tier.key) == ("acmesoft-cloud", "pro")


def test_the_most_specific_variant_rule_wins_and_plain_rule_is_the_fallback(tmp_path):
    catalog = YamlCatalog.load(write(tmp_path, BASE))
    assert catalog.resolve("gumroad", "P==", {"Tier": "Pro", "Seats": "5"}).tier.key == "pro"
    assert catalog.resolve("gumroad", "P==", {"Tier": "Lite"}).tier.key == "basic"
    assert catalog.resolve("gumroad", "P==", {}).tier.key == "basic"
    assert catalog.resolve("gumroad", "other==", {}) is None
    assert catalog.resolve("paddle", "P==", {}) is None
    assert catalog.product("app").tiers["pro"].expires_after_days == 365


def broken(**path_value):
    import copy

    data = copy.deepcopy(BASE)
    for path, value in path_value.items():
        node = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = keys[-1]
        if value is ...:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "product", "field"),
    [
        (broken(products__app__name=...), "app", "name"),
        (broken(products__app__tiers={}), "app", "tiers"),
        (broken(products__app__tiers__pro__expires_after_days=0), "app", "tiers.pro.expires_after_days"),
        (broken(products__app__tiers__pro__expires_after_days="soon"), "app", "tiers.pro.expires_after_days"),
        (broken(products__app__sources__gumroad__1__tier="gold"), "app", "sources.gumroad[1].tier"),
        (broken(products__app__sources__gumroad__0__product_id=...), "app", "sources.gumroad[0].product_id"),
        (broken(products__app__sources__gumroad__0__product_id=12), "app", "sources.gumroad[0].product_id"),
        (broken(products__app__sources__paddle=[]), "app", "sources.paddle"),
        (broken(products__app__price=10), "app", "price"),
        (broken(products__app__support_email="nobody"), "app", "support_email"),
        (broken(products__app__sources__gumroad__1__variants={}), "app", "sources.gumroad"),
        (broken(products__app__tiers__pro__seats=0), "app", "tiers.pro.seats"),
        (broken(products__app__tiers__pro__seats="five"), "app", "tiers.pro.seats"),
        (broken(products__app__tiers__pro__seats=True), "app", "tiers.pro.seats"),
    ],
)
def test_a_mistake_names_the_file_the_product_and_the_field(tmp_path, data, product, field):
    path = write(tmp_path, data)
    with pytest.raises(CatalogError) as caught:
        YamlCatalog.load(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert f"product {product!r}" in message and field in message, message


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("products: [", "not valid YAML"),
        ("", "products"),
        ("products: {}", "no products"),
        ("products: {Bad Key: {name: x, tiers: {a: {}}}}", "(key)"),
        ("products: {a: {name: x, tiers: {a: {}}}}\nextra: 1", "extra"),
    ],
)
def test_whole_file_mistakes_name_the_file(tmp_path, text, named):
    path = write(tmp_path, text)
    with pytest.raises(CatalogError, match=str(path)) as caught:
        YamlCatalog.load(path)
    assert named in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CatalogError, match="file not found"):
        YamlCatalog.load(tmp_path / "nope.yaml")


def test_key_name_and_activation_link_are_read_with_their_defaults(tmp_path):
    catalog = YamlCatalog.load(write(tmp_path, BASE))
    assert (catalog.product("app").key_name, catalog.product("app").activation_link) == (True, None)
    data = broken(products__app__key_name=False, products__app__activation_link="myapp://activate?key={key}")
    catalog = YamlCatalog.load(write(tmp_path, data))
    assert catalog.product("app").key_name is False
    assert catalog.product("app").activation_link == "myapp://activate?key={key}"
    assert catalog.product("app").name_in_key("Jane Doe") is None


@pytest.mark.parametrize("value", ["no", 0, None, "false"])
def test_key_name_must_be_a_boolean(tmp_path, value):
    with pytest.raises(CatalogError, match="field 'key_name'"):
        YamlCatalog.load(write(tmp_path, broken(products__app__key_name=value)))


@pytest.mark.parametrize("value", [
    "myapp://activate", "myapp://activate?key={key}&again={key}", "activate?key={key}", "myapp://a b?key={key}",
    "myapp://activate?key={KEY}", "myapp://activate?key={key}&x={other}", 5, "https://example.com/ü?k={key}",
])
def test_an_activation_link_needs_a_scheme_and_one_key_placeholder(tmp_path, value):
    with pytest.raises(CatalogError, match="field 'activation_link'"):
        YamlCatalog.load(write(tmp_path, broken(products__app__activation_link=value)))


def test_a_tier_gives_one_seat_unless_the_catalog_says_more(tmp_path):
    data = broken(products__app__tiers__pro__seats=5)
    catalog = YamlCatalog.load(write(tmp_path, data))
    tiers = catalog.product("app").tiers
    assert (tiers["basic"].seats, tiers["pro"].seats) == (1, 5)
