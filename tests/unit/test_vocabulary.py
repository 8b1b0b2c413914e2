"""Words are enums in the code, and the OpenAPI document's enums and the CLI's choices are
those enums, value for value."""

import enum

import pytest

from core.domain.keys import ValidationCode
from core.domain.model import ActorType, DeliveryStatus, EventStatus, LicenseStatus, OutcomeCode
from core.domain.notices import NoticeKind
from entrypoints.cli import parser
from entrypoints.http.openapi import spec


def schema(name: str) -> dict:
    return spec()["components"]["schemas"][name]


def parameter(path: str, name: str) -> dict:
    [found] = [p for p in spec()["paths"][path]["get"]["parameters"] if p.get("name") == name]
    return found["schema"]


def values(kind: type[enum.Enum]) -> set[str]:
    return {k.value for k in kind}


@pytest.mark.parametrize(("where", "kind"), [
    (lambda: schema("License")["properties"]["status"]["enum"], LicenseStatus),
    (lambda: schema("Delivery")["properties"]["status"]["enum"], DeliveryStatus),
    (lambda: schema("Event")["properties"]["status"]["enum"], EventStatus),
    (lambda: [v for v in schema("Event")["properties"]["outcome_code"]["enum"] if v is not None], OutcomeCode),
    (lambda: parameter("/admin/licenses", "status")["enum"], LicenseStatus),
    (lambda: parameter("/admin/events", "status")["enum"], EventStatus),
    (lambda: parameter("/admin/events", "kind")["enum"], NoticeKind),
    (lambda: parameter("/admin/deliveries", "status")["enum"], DeliveryStatus),
    (lambda: schema("LicenseDetail")["allOf"][1]["properties"]["history"]["items"]["properties"]["actor_type"]["enum"],
     ActorType),
])
def test_the_openapi_enums_are_the_codes_enums(where, kind):
    assert set(where()) == values(kind)


def test_the_validation_codes_in_the_openapi_document_are_the_enum():
    assert set(schema("Validation")["properties"]["code"]["enum"]) == values(ValidationCode)


@pytest.mark.parametrize(("argv", "kind"), [
    (["licenses", "list", "--status"], LicenseStatus),
    (["events", "list", "--status"], EventStatus),
    (["events", "list", "--kind"], NoticeKind),
    (["deliveries", "list", "--status"], DeliveryStatus),
])
def test_the_cli_choices_are_the_enums(argv, kind):
    for member in kind:
        args = parser().parse_args([*argv, member.value])
        assert getattr(args, argv[-1].removeprefix("--")) is member
    with pytest.raises(SystemExit):
        parser().parse_args([*argv, "bogus"])
