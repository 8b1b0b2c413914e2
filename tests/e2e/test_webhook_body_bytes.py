"""The stored webhook body is the body as it arrived, to the byte: surrounding whitespace,
line breaks and all. Replays and audits depend on it."""

from tests.conftest import gumroad_body

SALE = gumroad_body("01_sale_licensed_basic")


async def test_the_stored_body_keeps_surrounding_whitespace_byte_for_byte(service):
    sent = b" \r\n\t" + SALE + b"\n \n"
    response = await service.post_sale(sent)
    assert response.status == 200
    [event] = await service.events()
    assert bytes(event.body) == sent
