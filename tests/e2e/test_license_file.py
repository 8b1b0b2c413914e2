"""From a sale ping to the email on disk: the key as a .lic attachment and the catalog's deep
link, and the key verifying with the public key the server publishes."""

import email as email_parser
from email import policy

import yaml

from adapters.signing.verifier import load_public_key, verify
from tests.bodies import sale_body
from tests.conftest import ROOT


async def test_the_email_attaches_the_key_and_links_to_the_app(start_service, sqlite_url, tmp_path):
    catalog = yaml.safe_load((ROOT / "config/products.yaml").read_text())
    catalog["products"]["acmesoft-pro"]["activation_link"] = "acmesoft://activate?key={key}"
    catalog["products"]["acmesoft-pro"]["key_name"] = False
    (tmp_path / "products.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True))
    service = await start_service(sqlite_url, PRODUCTS_FILE=str(tmp_path / "products.yaml"))
    assert (await service.post_sale(sale_body())).status == 200
    [lic] = await service.licenses()
    [eml] = await service.wait_for_emails(1)

    message = email_parser.message_from_bytes(eml.read_bytes(), policy=policy.default)
    parts = {p.get_content_type(): p for p in message.walk() if not p.is_multipart()}
    attached = parts["application/octet-stream"]
    assert attached.get_filename() == "acmesoft-pro.lic" and attached.get_content().decode("ascii") == lic.key
    assert f"acmesoft://activate?key={lic.key}" in parts["text/plain"].get_content()
    assert f'href="acmesoft://activate?key={lic.key}"' in parts["text/html"].get_content()

    published = (await (await service.client.get("/v1/keys")).json())["keys"]
    result = verify(attached.get_content().decode("ascii"), [load_public_key(k["public_key"]) for k in published])
    assert result.valid and result.claims["lid"] == lic.id and "name" not in result.claims


async def test_a_bad_activation_link_stops_the_start_naming_the_field(tmp_path):
    import pytest

    from entrypoints.cli import StartupError, build_container
    from entrypoints.settings import load_settings
    from tests.conftest import make_env

    catalog = yaml.safe_load((ROOT / "config/products.yaml").read_text())
    catalog["products"]["acmesoft-pro"]["activation_link"] = "acmesoft://activate"
    (tmp_path / "products.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True))
    settings = load_settings(make_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/db.sqlite",
                                      PRODUCTS_FILE=str(tmp_path / "products.yaml")))
    with pytest.raises(StartupError, match="activation_link"):
        build_container(settings)
