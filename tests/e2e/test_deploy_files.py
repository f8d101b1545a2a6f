"""The deployment files in deploy/: the systemd units pass `systemd-analyze verify` and keep
their sandbox, the Prometheus alert rules are valid, covered by promtool unit tests, and use
only metrics that a real `parley serve` exports (or Prometheus / node_exporter provide), and the
Grafana dashboard's queries parse and select only such metrics, labels and values.

(deploy/nginx/parley.conf is run for real by test_proxy.py.)"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests
import yaml

from support import BINARY, OFFSET_STREAM, REPO, TUS, ParleyServer, sha256, tus_metadata, wait_for

DEPLOY = REPO / "deploy"
UNITS = ["parley.service", "parley-worker.service"]
INSTALLED_BINARY = "/opt/parley/bin/parley"  # ExecStart in the units, replaced by the test binary
RULES = DEPLOY / "prometheus" / "alerts.yml"
RULE_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"


# --- systemd -----------------------------------------------------------------------------------


def unit_settings(text: str) -> dict[str, dict[str, list[str]]]:
    """section -> key -> values (a key may repeat, e.g. Environment=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        assert current is not None, f"setting outside a section: {raw}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def rendered_unit(name: str, folder: Path) -> Path:
    """The unit with its ExecStart binary replaced by one that exists here: verify checks
    that the command is executable. The unit keeps its name (verify derives the type from it)."""
    text = (DEPLOY / "systemd" / name).read_text()
    text, found = re.subn(
        rf"^ExecStart={re.escape(INSTALLED_BINARY)} ", f"ExecStart={BINARY.resolve()} ", text, flags=re.M
    )
    assert found == 1, f"{name}: one ExecStart should run {INSTALLED_BINARY}"
    path = folder / name
    path.write_text(text)
    return path


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if not tool:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    return tool


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # No running systemd is needed: verify and `security --offline` read unit files only.
    env = {**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
    return subprocess.run([systemd_analyze(), *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


@pytest.mark.parametrize("name", UNITS)
def test_unit_passes_systemd_analyze_verify(name, tmp_path):
    assert BINARY.is_file(), f"{BINARY} is missing (set PARLEY_BINARY)"
    unit = rendered_unit(name, tmp_path)
    result = analyze("verify", "--man=no", str(unit), cwd=tmp_path)
    output = (result.stdout + result.stderr).strip()
    # verify exits 0 after unknown keys or unparsable values ("…, ignoring"): any line about
    # the unit is a finding.
    findings = [line for line in output.splitlines() if name in line or str(tmp_path) in line]
    assert result.returncode == 0 and not findings, output

    # The check is not blind here: a bad line in the same unit is reported.
    broken = tmp_path / "broken" / name
    broken.parent.mkdir()
    broken.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSystem=strict\nProtectSytem=yes"))
    result = analyze("verify", "--man=no", str(broken), cwd=tmp_path)
    assert "ProtectSytem" in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.parametrize("name", UNITS)
def test_unit_sandbox_exposure_is_low(name, tmp_path):
    unit = rendered_unit(name, tmp_path)
    result = analyze("security", "--offline=yes", "--no-pager", str(unit), cwd=tmp_path)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    # 0 = fully sandboxed … 10 = not at all; systemd calls up to 3.9 "OK".
    assert float(match.group(1)) <= 2.5, result.stdout


@pytest.mark.parametrize("name", UNITS)
def test_unit_has_its_sandbox_and_service_settings(name):
    text = (DEPLOY / "systemd" / name).read_text()
    service = unit_settings(text)["Service"]

    def one(key: str) -> str:
        assert key in service, f"{name}: {key}= is missing"
        return service[key][-1]

    assert one("NoNewPrivileges") == "yes"
    assert one("ProtectSystem") == "strict"
    assert one("PrivateTmp") == "yes"
    assert one("ProtectHome") == "yes"
    assert re.fullmatch(r"\d+[KMGT]?", one("MemoryMax")), one("MemoryMax")
    assert one("Restart") == "on-failure"
    assert one("User") not in ("", "root") and one("Group") == one("User")
    assert "EnvironmentFile" in service
    assert one("CapabilityBoundingSet") == ""
    # The data directory named to Parley is the one the sandbox leaves writable.
    environment = dict(item.split("=", 1) for value in service["Environment"] for item in value.split())
    data = environment["PARLEY_DATA"]
    assert data in one("ReadWritePaths").split(), (data, one("ReadWritePaths"))
    assert data == "/var/lib/" + one("StateDirectory")
    command = one("ExecStart").split()
    assert command[0] == INSTALLED_BINARY
    if name == "parley.service":
        assert command[1:] == ["serve"]
        assert environment["PARLEY_HOST"] == "127.0.0.1"  # the public side is nginx
    else:
        assert command[1:] == ["worker", "--server", "${PARLEY_SERVER_URL}", "--token", "${PARLEY_WORKER_TOKEN}"]
        assert "arrives with the workers feature" in text


# --- Prometheus rules --------------------------------------------------------------------------


def promtool() -> str | None:
    return os.environ.get("PROMTOOL") or shutil.which("promtool")


def rules() -> list[dict]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_alert_rules_pass_promtool():
    tool = promtool()
    if not tool:
        pytest.skip(
            "promtool is not installed (Debian package prometheus, or set PROMTOOL); "
            "test_alert_rules_are_well_formed checks the structure instead"
        )
    checked = subprocess.run([tool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        [tool, "test", "rules", str(RULE_TESTS)], capture_output=True, text=True, timeout=60, cwd=RULE_TESTS.parent
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_alert_rules_are_well_formed():
    document = yaml.safe_load(RULES.read_text())
    assert set(document) == {"groups"}
    names = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"} and group["rules"], group
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
            names.append(rule["alert"])
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"])
            assert isinstance(rule["expr"], str) and rule["expr"].strip()
            assert re.fullmatch(r"\d+[smhd]", str(rule.get("for", "0m"))), rule.get("for")
            assert rule["labels"]["severity"] in ("critical", "warning")
            assert rule["annotations"]["summary"] and rule["annotations"]["description"]
            assert balanced(rule["expr"]), rule["expr"]
    assert len(names) == len(set(names)), names
    # Every alert has a promtool unit test.
    tested = {
        case["alertname"]
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    }
    assert set(names) <= tested, set(names) - tested


def balanced(expr: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for char in re.sub(r'"(?:\\.|[^"\\])*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack


# PromQL, just enough to find the series selectors of an expression.
TOKEN = re.compile(
    r"""\s+|(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
    |(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])*)
    |(?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
    |(?P<op>=~|!~|!=|==|>=|<=|[-+*/%^<>={}()\[\],])""",
    re.X,
)
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "offset", "bool", "atan2", "inf", "nan"}
# May be followed by `by (…)` / `without (…)` before their parenthesis.
AGGREGATIONS = {
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
}


def tokens(expr: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(expr):
        match = TOKEN.match(expr, position)
        assert match, f"cannot read {expr[position : position + 20]!r} in {expr}"
        position = match.end()
        if match.lastgroup:
            found.append((match.lastgroup, match.group(match.lastgroup)))
    return found


def selectors(expr: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(metric name, [(label, operator, value), …])] for every selector in `expr`."""
    items, result, index = tokens(expr), [], 0

    def skip_group(start: int, close: str) -> int:
        depth = 0
        for position in range(start, len(items)):
            if items[position][1] in "([{":
                depth += 1
            elif items[position][1] in ")]}":
                depth -= 1
                if depth == 0:
                    assert items[position][1] == close
                    return position + 1
        raise AssertionError(f"unbalanced: {expr}")

    while index < len(items):
        kind, text = items[index]
        following = items[index + 1][1] if index + 1 < len(items) else None
        if text == "[":
            index = skip_group(index, "]")
        elif kind == "ident" and text in LABEL_LISTS:
            index = skip_group(index + 1, ")") if following == "(" else index + 1
        elif kind == "ident" and (text in KEYWORDS or text in AGGREGATIONS or following == "("):
            index += 1  # an operator, or a function / aggregation name
        elif kind == "ident":
            matchers, index = [], index + 1
            if following == "{":
                end = skip_group(index, "}")
                inner = [token for token in items[index + 1 : end - 1] if token[1] != ","]
                assert len(inner) % 3 == 0, f"cannot read the matchers of {text} in {expr}"
                for position in range(0, len(inner), 3):
                    (_, label), (_, operator), (_, value) = inner[position : position + 3]
                    matchers.append((label, operator, value[1:-1].encode().decode("unicode_escape")))
                index = end
            result.append((text, matchers))
        else:
            index += 1
    return result


def test_selector_reader_reads_promql():
    expr = (
        'histogram_quantile(0.99, sum by (le) (rate(x_bucket{job="parley", route!~"/a|/b"}[5m]))) > 0.2 '
        'and sum(y offset 1h) or vector(0) - on (instance) group_left (stage) z{state="failed"}'
    )
    assert selectors(expr) == [
        ("x_bucket", [("job", "=", "parley"), ("route", "!~", "/a|/b")]),
        ("y", []),
        ("z", [("state", "=", "failed")]),
    ]


PROMETHEUS_NAMES = {"up"}
NODE_EXPORTER_NAMES = {
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_filesystem_free_bytes",
    "node_filesystem_readonly",
}
NODE_EXPORTER_LABELS = {"device", "fstype", "mountpoint"}
SCRAPE_LABELS = {"job", "instance"}  # added by Prometheus to every scraped series


def exposition(text: str) -> dict[str, list[dict[str, str]]]:
    """Prometheus text format -> sample name -> the label sets it was exported with."""
    samples: dict[str, list[dict[str, str]]] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            samples.setdefault(line.split()[2], [])
        elif line and not line.startswith("#"):
            match = re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s", line)
            assert match, line
            labels = dict(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="((?:\\.|[^"\\])*)"', match.group(2) or ""))
            samples.setdefault(match.group(1), []).append(labels)
    return samples


def alternatives(pattern: str) -> list[str]:
    """The top-level `|` branches of a regular expression."""
    branches, depth, current = [], 0, ""
    for char in pattern:
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            branches.append(current)
            current = ""
        else:
            current += char
    return branches + [current]


@pytest.fixture(scope="module")
def exported():
    """/metrics of a real server after the traffic the rules and the dashboard look at: API
    calls, an upload through tus, one refused for a wrong checksum, a direct upload whose
    processing fails, audio streaming and an event stream."""
    backups = tempfile.mkdtemp(prefix="parley-alert-backups-")
    # Scheduled backups on: the first runs at start-up (none exists yet) and sets the gauge.
    server = ParleyServer(
        env={"PARLEY_SSE_HEARTBEAT_SECONDS": "1", "PARLEY_BACKUP_TO": backups, "PARLEY_BACKUP_EVERY": "1h"}
    ).start()
    try:
        user = server.add_user()
        assert user.get("/api/v1/meetings/summary").status_code == 200
        junk = user.upload(b"RIFF" + bytes(4000), title="Not audio")  # fails in normalize, for good
        data = bytes(range(256)) * 8
        created = user.post(
            "/api/v1/uploads",
            headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": tus_metadata(sha256=sha256(data))},
        )
        location = created.headers["Location"]
        assert user.request("HEAD", location, headers=TUS).status_code == 200
        finished = user.request(
            "PATCH", location, data=data, headers={**TUS, "Upload-Offset": "0", "Content-Type": OFFSET_STREAM}
        )
        meeting_id = finished.headers["Parley-Meeting-Id"]
        user.cancel(meeting_id)
        # Bytes that do not hash to the declared sha256: refused, parley_upload_failures_total appears.
        mismatched = user.post(
            "/api/v1/uploads",
            headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": tus_metadata(sha256=sha256(b"other"))},
        )
        refused = user.request(
            "PATCH",
            mismatched.headers["Location"],
            data=data,
            headers={**TUS, "Upload-Offset": "0", "Content-Type": OFFSET_STREAM},
        )
        assert refused.status_code == 460, refused.text
        assert (
            user.get(
                f"/api/v1/meetings/{meeting_id}/audio/stream",
                params={"variant": "original"},
                headers={"Range": "bytes=0-9"},
            ).status_code
            == 206
        )
        events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        events.request("GET", "/api/v1/events", headers=user.auth)
        assert events.getresponse().status == 200
        events.close()
        assert user.wait_status(junk["id"], timeout=60)["status"] == "failed"

        def scraped():
            samples = exposition(requests.get(server.url + "/metrics", timeout=10).text)
            routes = {labels.get("http_route") for labels in samples.get("hb_requests", [])}
            backed_up = any(Path(backups).glob("snapshots/*/manifest.json"))
            # The stream is recorded once it ended; the backup gauge once a backup finished.
            return samples if "/api/v1/events" in routes and backed_up else None

        yield wait_for(scraped, 30, interval=0.5, what="the event stream to show up in /metrics")
    finally:
        server.stop()
        server.remove()
        shutil.rmtree(backups, ignore_errors=True)


def allowed_labels(name: str, exported: dict[str, list[dict[str, str]]]) -> set[str] | None:
    """The labels a series of `name` can have once scraped, or None if nothing exports it."""
    if name in PROMETHEUS_NAMES:
        return SCRAPE_LABELS
    if name in NODE_EXPORTER_NAMES:
        return SCRAPE_LABELS | NODE_EXPORTER_LABELS
    if name in exported:
        return SCRAPE_LABELS | {label for labels in exported[name] for label in labels}
    return None


def unexported(where: str, expr: str, exported: dict[str, list[dict[str, str]]]) -> list[str]:
    """What `expr` selects that no server exports: metric names, labels, label values."""
    problems = []
    for name, matchers in selectors(expr):
        here = f"{where}: {name}"
        allowed = allowed_labels(name, exported)
        if allowed is None:
            problems.append(f"{here} is not exported by parley serve (nor a Prometheus/node_exporter metric)")
            continue
        for label, operator, value in matchers:
            if label not in allowed:
                problems.append(f"{here} has no label {label!r} (it has {sorted(allowed)})")
                continue
            if name not in exported or label in SCRAPE_LABELS:
                continue
            values = {labels[label] for labels in exported[name] if label in labels}
            # Values the expression names must be values Parley uses, and every branch of an
            # exclusion must exclude something real (no silently stale route names).
            if operator == "=" and value not in values:
                problems.append(f"{here}{{{label}={value!r}}} matches nothing exported: {sorted(values)}")
            elif operator in ("=~", "!~"):
                for branch in alternatives(value):
                    if not any(re.fullmatch(branch, candidate) for candidate in values):
                        problems.append(
                            f"{here}{{{label}{operator}…{branch!r}…}} matches no exported value: {sorted(values)}"
                        )
    return problems


def test_alert_rules_use_only_exported_metrics(exported):
    problems = [problem for rule in rules() for problem in unexported(rule["alert"], rule["expr"], exported)]
    assert not problems, "\n".join(problems)


# --- Grafana dashboard -------------------------------------------------------------------------

DASHBOARD = DEPLOY / "grafana" / "parley.json"
# Grafana's own interval variables, which stand where PromQL wants a duration.
GRAFANA_DURATIONS = re.compile(
    r"\$(?:__rate_interval|__interval|__range)\b|\$\{(?:__rate_interval|__interval|__range)\}"
)
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def dashboard_panels(document: dict) -> list[dict]:
    """Every panel, rows and the panels of collapsed rows included."""
    found = []
    for panel in document["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def dashboard_queries(document: dict) -> list[tuple[str, str, str]]:
    """(where, PromQL, legend) for every panel target and every query variable; Grafana's
    interval variables become 5m, `label_values(S, l)` becomes `count by (l) (S)`."""
    found = []
    for panel in dashboard_panels(document):
        for target in panel.get("targets", []):
            found.append(
                (
                    f"panel {panel['id']} {panel['title']!r} {target.get('refId')}",
                    GRAFANA_DURATIONS.sub("5m", target.get("expr", "")),
                    target.get("legendFormat", ""),
                )
            )
    for variable in document["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            match = re.fullmatch(r"label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", query.strip(), re.S)
            assert match, f"variable {variable['name']}: expected label_values(selector, label), got {query}"
            found.append((f"variable {variable['name']}", f"count by ({match.group(2)}) ({match.group(1)})", ""))
    return found


def grouping_labels(expr: str) -> set[str]:
    """The labels named in by (…), without (…), on (…), ignoring (…), group_left/right (…)."""
    items, found = tokens(expr), set()
    for index, (kind, text) in enumerate(items):
        if kind == "ident" and text in LABEL_LISTS and index + 1 < len(items) and items[index + 1][1] == "(":
            position = index + 2
            while items[position][1] != ")":
                if items[position][0] == "ident":
                    found.add(items[position][1])
                position += 1
    return found


def replaced_labels(expr: str) -> set[str]:
    """The labels label_replace / label_join create (their second argument)."""
    items, found = tokens(expr), set()
    for index, (kind, text) in enumerate(items):
        if kind == "ident" and text in ("label_replace", "label_join") and items[index + 1][1] == "(":
            depth, argument = 0, 0
            for kind_, text_ in items[index + 1 :]:
                if text_ in ("(", "[", "{"):
                    depth += 1
                elif text_ in (")", "]", "}"):
                    depth -= 1
                    if depth == 0:
                        break
                elif text_ == "," and depth == 1:
                    argument += 1
                elif argument == 1 and depth == 1 and kind_ == "string":
                    found.add(text_[1:-1])
                    break
    return found


def test_dashboard_is_well_formed():
    document = dashboard()
    assert document["title"] and document["uid"] and 36 <= document["schemaVersion"] <= 41
    assert 3 <= len(document["description"].splitlines()) <= 5, document["description"]
    variables = {variable["name"]: variable for variable in document["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource" and variables["DS_PROMETHEUS"]["query"] == "prometheus"
    instance = variables["instance"]["query"]
    assert (instance["query"] if isinstance(instance, dict) else instance) == 'label_values(up{job="parley"}, instance)'

    panels = dashboard_panels(document)
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), sorted(ids)
    for panel in panels:
        where = f"panel {panel['id']} {panel.get('title')!r}"
        position = panel["gridPos"]
        assert position["x"] >= 0 and position["w"] > 0 and position["x"] + position["w"] <= 24, where
        if panel["type"] == "row":
            assert not panel.get("targets"), where
            continue
        assert panel["title"] and panel["targets"], f"{where} has no target"
        assert panel["datasource"] == DATASOURCE, where
        references = [target["refId"] for target in panel["targets"]]
        assert len(references) == len(set(references)), where
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE and target["expr"].strip(), where
            assert balanced(target["expr"]), f"{where}: {target['expr']}"

    # Every $variable a query or title names is defined (or Grafana's, or a regex group).
    text = json.dumps(document["panels"]) + json.dumps(document["templating"])
    for name in re.findall(r"\$\{?([A-Za-z0-9_]+)", text):
        assert name in variables or name.startswith("__") or name.isdigit(), f"${name} is not a variable"


def test_dashboard_queries_pass_promtool(tmp_path):
    tool = promtool()
    if not tool:
        pytest.skip(
            "promtool is not installed (Debian package prometheus, or set PROMTOOL); "
            "test_dashboard_uses_only_exported_metrics reads the queries instead"
        )
    recorded = [
        {"record": f"dashboard:query_{index}", "expr": expr}
        for index, (_, expr, _) in enumerate(dashboard_queries(dashboard()))
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recorded}]}))
    checked = subprocess.run([tool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_dashboard_uses_only_exported_metrics(exported):
    document = dashboard()
    queries = dashboard_queries(document)
    assert queries
    problems = []
    for where, expr, legend in queries:
        problems += unexported(where, expr, exported)
        found = selectors(expr)
        assert found, f"{where}: no series selector in {expr}"
        # Labels grouped by or shown in the legend are labels of the series selected.
        allowed = set().union(*(allowed_labels(name, exported) or set() for name, _ in found)) | replaced_labels(expr)
        for label in grouping_labels(expr) | set(re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", legend)):
            if label not in allowed:
                problems.append(f"{where}: no selected series has the label {label!r} ({sorted(allowed)})")
        if not where.startswith("panel"):
            continue
        # Panels show the chosen server (and host): job and instance, as the alerts assume.
        for name, matchers in found:
            job = "node" if name in NODE_EXPORTER_NAMES else "parley"
            host = "$node" if job == "node" else "$instance"
            if ("job", "=", job) not in matchers or ("instance", "=~", host) not in matchers:
                problems.append(f'{where}: {name} should select job="{job}", instance=~"{host}"')
    # Latency panels leave out the same long-lived routes as the ParleyApiSlow alert.
    slow = next(rule for rule in rules() if rule["alert"] == "ParleyApiSlow")

    def routes(expr: str) -> set[tuple[str, str, str]]:
        return {
            matcher
            for name, matchers in selectors(expr)
            if name == "http_server_request_duration_bucket"
            for matcher in matchers
            if matcher[0] == "http_route"
        }

    expected = routes(slow["expr"])
    latency = [(where, expr) for where, expr, _ in queries if "http_server_request_duration_bucket" in expr]
    assert latency and expected
    for where, expr in latency:
        if routes(expr) != expected:
            problems.append(
                f"{where}: http_route matchers {sorted(routes(expr))} differ from ParleyApiSlow's {sorted(expected)}"
            )
    assert not problems, "\n".join(problems)
