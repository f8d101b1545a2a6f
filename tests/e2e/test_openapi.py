"""The OpenAPI document: served as checked in, valid, and in step with the router both ways;
real responses of a processed meeting validate against its schemas."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import requests
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from support import OPENAPI_FILE, REPO, TUS

ROUTES_DIR = REPO / "Sources" / "ParleyServer" / "Routes"
APP_FILE = REPO / "Sources" / "ParleyServer" / "Application" / "ParleyServerApp.swift"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def document() -> dict:
    return json.loads(OPENAPI_FILE.read_text())


def documented_operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document()["paths"].items() for method in item if method in METHODS}


# --- extracting the routes from the Swift sources -------------------------------------------

GROUP = re.compile(r'let\s+(\w+)\s*=\s*(\w+)\s*\.group\(\s*(?:"([^"]*)")?\s*\)')
REGISTER_CALL = re.compile(r'(\w+)\(dependencies:[^()]*(?:\([^()]*\)[^()]*)*\)\s*\.register\(([^)]*)\)')
REGISTER_FUNC = re.compile(r'func\s+register\(([^)]*)\)')
STRUCT = re.compile(r'^(?:struct|extension)\s+(\w+)', re.MULTILINE)
ROUTE = re.compile(r'\b(\w+)\.(get|post|put|patch|delete|head)\s*(?:\(\s*"([^"]*)"|\{|\(\s*\)|\(\s*options)')
ON_ROUTE = re.compile(r'\b(\w+)\.on\(\s*"([^"]*)"\s*,\s*method:\s*\.(\w+)')


def join(prefix: str, path: str | None) -> str:
    parts = [part for part in (prefix + "/" + (path or "")).split("/") if part]
    return "/" + "/".join(parts)


def swift_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of every API route registered in Sources/ParleyServer: the groups made
    in ParleyServerApp, the group each `Routes(...).register(on:…)` call passes, and the
    `.get/.post/.head/.patch/.delete("…")` and `.on("…", method:)` calls in Routes/*.swift.
    (The HTML web UI in Web/ is not part of the API document.)"""
    app = APP_FILE.read_text()
    prefixes = {"router": ""}
    for name, parent, path in GROUP.findall(app):
        assert parent in prefixes, f"ParleyServerApp: group {name} of unknown {parent}"
        prefixes[name] = join(prefixes[parent], path)
    passed: dict[str, dict[str, str]] = {}
    for struct, arguments in REGISTER_CALL.findall(app):
        labels = {}
        for argument in filter(None, (a.strip() for a in arguments.split(","))):
            label, _, variable = argument.partition(":")
            assert variable.strip() in prefixes, f"{struct}.register gets unknown group {variable}"
            labels[label.strip()] = prefixes[variable.strip()]
        passed[struct] = labels
    assert len(passed) >= 5, f"found only {sorted(passed)} route registrations in ParleyServerApp"

    routes: set[tuple[str, str]] = set()
    for file in sorted(ROUTES_DIR.glob("*.swift")):
        text = file.read_text()
        found = ROUTE.findall(text) + [(var, method, path) for var, path, method in ON_ROUTE.findall(text)]
        if not found:
            continue
        structs = [name for name in STRUCT.findall(text) if name in passed]
        assert len(structs) == 1, f"{file.name}: cannot tell which registered type declares its routes ({structs})"
        signature = REGISTER_FUNC.search(text)
        assert signature, f"{file.name} registers routes outside func register(…)"
        scope = {}
        for parameter in filter(None, (p.strip() for p in signature.group(1).split(","))):
            names = parameter.split(":")[0].split()
            label, name = (names[0], names[-1])
            assert label in passed[structs[0]], f"{file.name}: parameter {label} is not passed by ParleyServerApp"
            scope[name] = passed[structs[0]][label]
        for name, parent, path in GROUP.findall(text):
            assert parent in scope, f"{file.name}: group {name} of unknown {parent}"
            scope[name] = join(scope[parent], path)
        for variable, method, path in found:
            if variable not in scope:
                continue  # e.g. `request.head…`: not a router
            routes.add((method.upper(), join(scope[variable], path)))
    return routes


def test_swift_route_extraction_is_sane():
    routes = swift_routes()
    # A floor, so a change of code shape that blinds the regexes fails here, not silently.
    assert len(routes) >= 20, sorted(routes)
    assert ("GET", "/api/v1/meetings/{id}/audio/stream") in routes
    assert ("OPTIONS", "/api/v1/uploads") in routes
    assert ("POST", "/api/v1/meetings") in routes


def test_every_swift_route_is_documented():
    missing = swift_routes() - documented_operations()
    assert not missing, f"routes registered in Swift but not in openapi.json: {sorted(missing)}"


def test_every_documented_operation_is_in_the_swift_sources():
    extra = documented_operations() - swift_routes()
    assert not extra, f"operations in openapi.json that no Swift route registers: {sorted(extra)}"


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
    validate(owner.get(f"{base}/{meeting_id}/audio/metadata").json(), "GET", "/api/v1/meetings/{id}/audio/metadata", 200)
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


def test_error_codes_are_the_swift_enum():
    """The document's list of error codes is ParleyAPI.APIErrorCode, both ways: a code the
    server can send is documented, and a documented one exists."""
    swift = (REPO / "Sources" / "ParleyAPI" / "APIErrorCode.swift").read_text()
    codes = re.findall(r'case \w+ = "([a-z0-9_]+)"', swift)
    assert len(codes) > 20
    documented = document()["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert sorted(documented) == sorted(codes)
