"""nginx from Debian's package in front of `parley serve`, for the proxy tests: the deployed
site files with only ports, certificate and snippet paths replaced, run as a foreground
child with its own prefix, logs and temporary directories. The `proxy` fixture runs each
test twice: Parley at the root of its own server {} (parley.conf), and under /parley/ in a
server {} shared with another application (parley-subpath.conf, PARLEY_BASE_PATH=/parley).
Everything listens and connects on 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import re
import signal
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from support import REPO, TUS, Api, ParleyServer, free_port, make_audio, wait_for

NGINX = Path("/usr/sbin/nginx")
SITE = REPO / "deploy" / "nginx" / "parley.conf"
SUBPATH = REPO / "deploy" / "nginx" / "parley-subpath.conf"
SNIPPET = REPO / "deploy" / "nginx" / "parley-proxy.conf"
SNIPPET_PATH = "/etc/nginx/snippets/parley-proxy.conf"
PREFIX = "/parley"
CHUNK = 64 * 1024

needs_nginx = pytest.mark.skipif(
    not NGINX.is_file(),
    reason="nginx is not installed (/usr/sbin/nginx missing; scripts/system-packages.sh installs it)",
)


def render_site(
    template: str,
    *,
    upstream_port: int,
    http_port: int,
    https_port: int,
    cert: Path,
    key: Path,
    acme_root: Path,
    snippet: Path,
) -> str:
    """The deployed site file with test values. Every replaced text must be there exactly as
    expected, so that a change to parley.conf that the test no longer covers fails here."""
    replacements = [
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/parley.example.com/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/parley.example.com/privkey.pem", str(key)),
        ("/var/www/letsencrypt", str(acme_root)),
        (SNIPPET_PATH, str(snippet)),
    ]
    for old, new in replacements:
        assert template.count(old) == 1, f"{SITE} should contain {old!r} exactly once"
        template = template.replace(old, new)
    # IPv6 listeners are left out: the test talks to 127.0.0.1 only.
    lines = [line for line in template.splitlines() if not line.strip().startswith("listen [::]:")]
    return "\n".join(lines) + "\n"


def render_subpath_site(*, upstream_port: int, https_port: int, cert: Path, key: Path, snippet: Path, tmp: Path) -> str:
    """A server {} of another application (everything outside /parley/ is its) that takes
    parley-subpath.conf as the deployment instructions say: the upstream block from
    parley.conf, the snippet, client_header_timeout at server level."""
    upstream = re.search(r"^upstream parley \{.*?^\}", SITE.read_text(), re.S | re.M).group(0)
    upstream = upstream.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};")
    locations = SUBPATH.read_text()
    assert locations.count(SNIPPET_PATH) == 1, f"{SUBPATH} should include {SNIPPET_PATH} once"
    included = tmp / "parley-subpath.conf"
    included.write_text(locations.replace(SNIPPET_PATH, str(snippet)))
    return f"""{upstream}
server {{
    listen 127.0.0.1:{https_port} ssl http2;
    server_name _;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    client_header_timeout 30s;
    location / {{
        return 200 "another application\\n";
    }}
    include {included};
}}
"""


def main_config(tmp: Path, site: Path) -> str:
    """A stand-in for Debian's /etc/nginx/nginx.conf (same http-level settings that matter:
    sendfile, gzip on) that includes the site and keeps every file nginx writes in `tmp`."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must reach files in tmp
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
error_log {tmp / 'error.log'} info;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    gzip on;
    access_log {tmp / 'access.log'};
{temp}
    include {site};
}}
"""


@dataclass
class Proxy:
    server: ParleyServer
    https_port: int
    http_port: int
    cert: Path
    tmp: Path
    prefix: str = ""  # where nginx serves Parley: "" or PREFIX

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def url(self) -> str:
        """Parley's root as a browser sees it; Parley's own paths go after it."""
        return self.origin + self.prefix

    def app_path(self, location: str) -> str:
        """A path Parley wrote (a tus Location) without the prefix, which it must carry."""
        assert location.startswith(self.prefix + "/"), f"{location!r} lacks the prefix {self.prefix!r}"
        return location.removeprefix(self.prefix)

    def log_tail(self) -> str:
        parts = []
        for name in ("nginx.out", "error.log"):
            path = self.tmp / name
            if path.exists():
                parts.append(f"--- {name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:]))
        parts.append("--- parley\n" + self.server.log_tail())
        return "\n".join(parts)

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def connection(self, source: str = "127.0.0.1", timeout: float = 30) -> http.client.HTTPSConnection:
        """A raw HTTPS connection to nginx from `source` (any 127.x address is loopback)."""
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, timeout=timeout, context=self.tls(), source_address=(source, 0)
        )


class ProxiedApi:
    """A user's requests through nginx: HTTPS, the test certificate as the only trusted CA."""

    def __init__(self, proxy: Proxy, api: Api):
        self.proxy, self.api = proxy, api
        self.session = requests.Session()
        # Not from the environment: REQUESTS_CA_BUNDLE would override session.verify, and a
        # proxy setting would send loopback traffic elsewhere.
        self.session.trust_env = False
        self.session.headers.update(api.auth)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("verify", str(self.proxy.cert))
        return self.session.request(method, self.proxy.url + path, **kwargs)

    def head_upload(self, location: str) -> requests.Response:
        return self.request("HEAD", location, headers=TUS)


@pytest.fixture(scope="module", params=["root", "subpath"])
def proxy(request, tmp_path_factory):
    subpath = request.param == "subpath"
    tmp = tmp_path_factory.mktemp("nginx")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    server = ParleyServer(
        env={
            "PARLEY_TRUSTED_PROXIES": "127.0.0.1",
            # Limits on (so that failed sign-ins are counted per address), generous for the rest.
            "PARLEY_RATE_LIMIT": "50",
            # Frequent heartbeats: they show the event stream is not held back by the proxy.
            "PARLEY_SSE_HEARTBEAT_SECONDS": "1",
            **({"PARLEY_BASE_PATH": PREFIX} if subpath else {}),
        }
    ).start()
    nginx = None
    try:
        (tmp / "acme").mkdir()
        https_port, http_port = free_port(), free_port()
        site = tmp / "parley.conf"
        snippet = tmp / "parley-proxy.conf"
        snippet.write_text(SNIPPET.read_text())
        if subpath:
            site.write_text(
                render_subpath_site(
                    upstream_port=server.port, https_port=https_port, cert=cert, key=key, snippet=snippet, tmp=tmp
                )
            )
        else:
            site.write_text(
                render_site(
                    SITE.read_text(),
                    upstream_port=server.port,
                    http_port=http_port,
                    https_port=https_port,
                    cert=cert,
                    key=key,
                    acme_root=tmp / "acme",
                    snippet=snippet,
                )
            )
        conf = tmp / "nginx.conf"
        conf.write_text(main_config(tmp, site))
        command = [
            str(NGINX),
            "-p",
            str(tmp),
            "-c",
            str(conf),
            "-e",
            str(tmp / "error.log"),
            "-g",
            f"daemon off; pid {tmp / 'nginx.pid'};",
        ]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused the rendered config:\n{check.stderr}"
        with open(tmp / "nginx.out", "wb") as out:
            nginx = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        instance = Proxy(server, https_port, http_port, cert, tmp, PREFIX if subpath else "")

        def answering() -> bool:
            assert nginx.poll() is None, f"nginx exited:\n{instance.log_tail()}"
            try:
                return requests.get(instance.url + "/health", verify=str(cert), timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(answering, 20, interval=0.1, what="nginx to answer /health over HTTPS")
        yield instance
    finally:
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful: workers finish, then the master exits
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(10)
        server.stop()
        server.remove()


@pytest.fixture
def user(proxy) -> ProxiedApi:
    return ProxiedApi(proxy, proxy.server.add_user())


@pytest.fixture
def audio(tmp_path):
    def make(seconds: float) -> Path:
        return make_audio(tmp_path / f"speech-{seconds}-{time.monotonic_ns()}.wav", seconds)

    return make


def meeting_of(user: ProxiedApi, location: str) -> str:
    response = user.head_upload(location)
    assert response.status_code == 200, response.text
    assert response.headers["Upload-Offset"] == response.headers["Upload-Length"]
    return response.headers["Parley-Meeting-Id"]


def original(user: ProxiedApi, meeting_id: str) -> bytes:
    response = user.request("GET", f"/api/v1/meetings/{meeting_id}/audio/stream", params={"variant": "original"})
    assert response.status_code == 200, response.text
    return response.content
