"""A stand-in for huggingface.co on loopback: just the routes huggingface_hub's
snapshot_download / hf_hub_download call, serving local files in the hub's layout.

    with FakeHub({"Systran/faster-whisper-small.en": {"model.bin": path, ...}}) as hub:
        snapshot_download(..., endpoint=hub.url)

Routes: GET /api/models/{repo}/revision/{rev} (repo info: sha, siblings),
GET /api/models/{repo}/tree/{rev} (file listing with sizes and LFS sha256),
HEAD/GET /{repo}/resolve/{rev}/{file} (ETag, X-Repo-Commit, X-Linked-Size/-Etag for LFS
files, Content-Length, Range). Files are LFS when larger than 1 MB, as on the hub.
"""

import hashlib
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

LFS_MIN = 1 << 20


class _File:
    def __init__(self, path: str, size: int | None = None):
        self.path = path
        self.size = os.path.getsize(path) if size is None else size  # size: serve a prefix
        h, g = hashlib.sha256(), hashlib.sha1()
        with open(path, "rb") as f:
            left = self.size
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                left -= len(chunk)
                h.update(chunk)
                g.update(chunk)
        self.sha256, self.oid = h.hexdigest(), g.hexdigest()
        self.lfs = self.size > LFS_MIN


class FakeHub:
    def __init__(self, repos: dict, commit: str = "a" * 40):
        """repos: {repo id: {filename: path or (path, bytes to serve)}}."""
        self.commit = commit
        self.repos = {
            repo: {name: _File(*(src if isinstance(src, tuple) else (src,))) for name, src in files.items()}
            for repo, files in repos.items()
        }
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output clean
                pass

            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Repo-Commit", hub.commit)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _not_found(self, what):
                body = json.dumps({"error": f"{what} not found"}).encode()
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Error-Code", "RepoNotFound" if what == "repo" else "EntryNotFound")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                path = unquote(urlparse(self.path).path)
                hub.requests.append(f"{self.command} {path}")
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)(/.*)?", path)
                if m:
                    files = hub.repos.get(m.group(1))
                    if files is None:
                        return self._not_found("repo")
                    if m.group(2) == "revision":
                        return self._json(
                            {
                                "id": m.group(1),
                                "modelId": m.group(1),
                                "sha": hub.commit,
                                "private": False,
                                "siblings": [{"rfilename": n} for n in files],
                            }
                        )
                    return self._json(
                        [
                            {
                                "type": "file",
                                "path": n,
                                "size": f.size,
                                "oid": f.oid,
                                **({"lfs": {"oid": f.sha256, "size": f.size, "pointerSize": 134}} if f.lfs else {}),
                            }
                            for n, f in files.items()
                        ]
                    )
                m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
                if not m:
                    return self._not_found("route")
                files = hub.repos.get(m.group(1))
                if files is None:
                    return self._not_found("repo")
                f = files.get(m.group(3))
                if f is None:
                    return self._not_found("file")
                self._send_file(f)

            def _send_file(self, f: _File):
                start, end = 0, f.size - 1
                rng = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
                if rng:
                    start = int(rng.group(1))
                    end = int(rng.group(2)) if rng.group(2) else end
                self.send_response(206 if rng else 200)
                etag = f'"{f.sha256 if f.lfs else f.oid}"'
                self.send_header("ETag", etag)
                self.send_header("X-Repo-Commit", hub.commit)
                if f.lfs:
                    self.send_header("X-Linked-Etag", etag)
                    self.send_header("X-Linked-Size", str(f.size))
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{f.size}")
                self.send_header("Content-Length", str(end - start + 1))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if self.command == "HEAD":
                    return
                with open(f.path, "rb") as src:
                    src.seek(start)
                    left = end - start + 1
                    while left > 0:
                        chunk = src.read(min(left, 1 << 20))
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                        left -= len(chunk)

        return Handler
