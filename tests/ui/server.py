"""Starts the real `parley serve` for the browser tests: a free loopback port, a temporary
data directory, accounts made with `parley user add`. Nothing here imports server code;
the server handling is the end-to-end suite's (tests/e2e/support.py)."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from support import BINARY, EVAL_DIR, ParleyServer, wait_for  # noqa: E402,F401

CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "ui"


class Server(ParleyServer):
    """The e2e suite's server, with accounts returned as (name, token) pairs for the
    sign-in form."""

    def __init__(self, data_dir: Path | None = None, env: dict[str, str] | None = None):
        super().__init__(data_dir=data_dir, env=env, binary=BINARY, prefix="parley-ui-")

    def add_user(self, name: str | None = None) -> tuple[str, str]:
        name = name or f"u{uuid.uuid4().hex[:8]}"
        token = self.cli("user", "add", name)
        assert token.startswith("prl_"), token
        return name, token
