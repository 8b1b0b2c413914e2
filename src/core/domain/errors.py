"""One error family for the core: each error carries a stable machine-readable code."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedEvent(DomainError):
    """A webhook body that its source's parser cannot understand; names the field."""

    code = "malformed_event"


class UnmappedProduct(DomainError):
    """A sale for a product the catalog does not map to one of ours."""

    code = "unmapped_product"


class UnmappedTier(DomainError):
    """A plan change to a tier the catalog does not map: nothing can be applied until it does."""

    code = "unmapped_tier"


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    """A request that names something wrong: the field and what is wrong with it."""

    code = "invalid_input"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field!r}: {problem}")
        self.field = field
