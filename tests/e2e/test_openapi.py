"""The OpenAPI document: served as checked in, valid, every documented operation routed on
the running server; real responses of a processed meeting validate against its schemas.
(That the router's registered routes and the document agree both ways, and that the
document's error codes are `APIErrorCode`, is checked in Swift on the real router:
Tests/ParleyServerTests/OpenAPIRouteTests.swift.)"""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import requests
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from support import OPENAPI_FILE, TUS

METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def document() -> dict:
    return json.loads(OPENAPI_FILE.read_text())


def documented_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path) for path, item in document()["paths"].items() for method in item if method in METHODS
    }


# --- the document itself --------------------------------------------------------------------


def test_document_is_valid_openapi_3_1():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate_spec(spec)


def test_served_document_equals_checked_in_file(server):
    response = requests.get(server.url + "/api/v1/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content == OPENAPI_FILE.read_bytes()


def is_routing_miss(response: requests.Response) -> bool:
    """Hummingbird's own 404 for an unregistered route has no body and no Content-Type;
    every API error (even a HEAD's) says Content-Type: application/json."""
    return response.status_code in (404, 405) and "Content-Type" not in response.headers


def probe(server, token: str, method: str, path: str) -> requests.Response:
    url = server.url + re.sub(r"\{[^}]+\}", "probe-id", path)
    headers = {"Authorization": f"Bearer {token}", **TUS}
    response = requests.request(method, url, headers=headers, timeout=10, stream=True)
    response.close()  # the event stream never ends by itself
    return response


def test_routing_miss_is_recognisable(server, user):
    # The check below is only meaningful if an unregistered route looks different.
    assert is_routing_miss(probe(server, user.token, "GET", "/api/v1/meetings/{id}/nonexistent"))
    assert is_routing_miss(probe(server, user.token, "PUT", "/api/v1/meetings/{id}"))
    assert not is_routing_miss(probe(server, user.token, "GET", "/api/v1/meetings/{id}"))


@pytest.mark.parametrize(("method", "path"), sorted(documented_operations()))
def test_documented_operation_is_registered(server, user, method, path):
    response = probe(server, user.token, method, path)
    assert not is_routing_miss(response), f"{method} {path} answered a routing {response.status_code}"
    assert response.status_code < 500, response.text


# --- real responses against the document's schemas ------------------------------------------


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    spec = document()
    registry = Registry().with_resource("urn:parley-openapi", DRAFT202012.create_resource(spec))
    schema = {"$ref": f"urn:parley-openapi#/components/schemas/{name}"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def response_schema(method: str, path: str, status: int) -> dict:
    content = document()["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in content:
        content = document()["components"]["responses"][content["$ref"].rsplit("/", 1)[1]]
    return content["content"]["application/json"]["schema"]


def validate(body, method: str, path: str, status: int) -> None:
    schema = response_schema(method, path, status)
    name = schema["$ref"].rsplit("/", 1)[1]
    errors = sorted(schema_validator(name).iter_errors(body), key=str)
    assert not errors, f"{method} {path} {status} does not match {name}: {[e.message for e in errors[:5]]}"


def test_processed_meeting_responses_match_schemas(processed):
    owner, meeting_id, _ = processed
    base = "/api/v1/meetings"
    detail = owner.get(f"{base}/{meeting_id}")
    assert detail.status_code == 200
    assert detail.json().get("transcript", {}).get("segments"), "a processed meeting has a transcript"
    validate(detail.json(), "GET", "/api/v1/meetings/{id}", 200)
    validate(owner.get(f"{base}/{meeting_id}/status").json(), "GET", "/api/v1/meetings/{id}/status", 200)
    validate(
        owner.get(f"{base}/{meeting_id}/audio/metadata").json(), "GET", "/api/v1/meetings/{id}/audio/metadata", 200
    )
    validate(owner.get(f"{base}/summary").json(), "GET", "/api/v1/meetings/summary", 200)
    validate(owner.get(f"{base}/synced").json(), "GET", "/api/v1/meetings/synced", 200)
    validate(owner.get(f"{base}/check/processed-1").json(), "GET", "/api/v1/meetings/check/{id}", 200)
    validate(owner.get(f"{base}/check/unknown-id").json(), "GET", "/api/v1/meetings/check/{id}", 200)
    validate(owner.get(f"{base}/no-such-meeting").json(), "GET", "/api/v1/meetings/{id}", 404)
    validate(owner.get(f"{base}/summary", params={"limit": 0}).json(), "GET", "/api/v1/meetings/summary", 400)
    validate(owner.get(f"{base}/{meeting_id}/speakers").json(), "GET", "/api/v1/meetings/{id}/speakers", 200)
    validate(owner.get("/api/v1/search", params={"q": "country"}).json(), "GET", "/api/v1/search", 200)
    validate(owner.get("/api/v1/search").json(), "GET", "/api/v1/search", 400)
    voiceprints = owner.get("/api/v1/voiceprints").json()
    assert isinstance(voiceprints, list)
    for item in voiceprints:
        assert not list(schema_validator("Voiceprint").iter_errors(item))
    documented = document()["paths"]["/api/v1/meetings/{id}/export"]["get"]["responses"]["200"]["content"]
    for export in ("txt", "json", "srt", "vtt", "rttm", "md"):
        response = owner.get(f"{base}/{meeting_id}/export", params={"format": export})
        assert response.status_code == 200, export
        assert response.headers["Content-Type"].split(";")[0] in documented, export


def test_schema_validation_can_fail(processed):
    owner, meeting_id, _ = processed
    body = owner.get(f"/api/v1/meetings/{meeting_id}").json()
    body["meeting"]["unexpected"] = 1
    with pytest.raises(AssertionError):
        validate(body, "GET", "/api/v1/meetings/{id}", 200)
