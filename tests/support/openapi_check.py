"""Checks real responses against the served OpenAPI document."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator

from entrypoints.http.openapi import spec


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _operation(method: str, path: str) -> tuple[str, dict]:
    for template, item in spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def check(method: str, path: str, status: int, content_type: str, body) -> None:
    template, operation = _operation(method, path)
    responses = operation["responses"]
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
    assert key in responses, f"{method} {template} answered {status}, which the document does not list"
    response = responses[key]
    pointer = f"#/paths/{_escape(template)}/{method.lower()}/responses/{key}"
    if "$ref" in response:
        pointer = response["$ref"]
        response = spec()["components"]["responses"][pointer.rsplit("/", 1)[1]]
    media = content_type.split(";")[0].strip()
    assert media in response.get("content", {}), f"{method} {template} {status}: {media} not documented"
    schema_pointer = f"{pointer}/content/{_escape(media)}/schema"
    if media == "application/json":
        root = {**spec(), "$ref": schema_pointer}
        errors = sorted(Draft202012Validator(root).iter_errors(body), key=str)
        assert not errors, f"{method} {template} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"
