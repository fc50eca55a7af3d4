"""Ralph (ralph-malph, an open-source LRS) as a subprocess for the tests: its own
virtualenv (`make lrs`: .lrs-venv/, or SIGNAAL_LRS_VENV), the filesystem backend in a
temporary folder, HTTP Basic credentials made with `ralph auth`, on a free port."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("SIGNAAL_LRS_VENV", ROOT / ".lrs-venv"))
PYTHON = VENV / "bin" / "python"
RALPH = VENV / "bin" / "ralph"
USERNAME = "signaal-test"
PASSWORD = "lrs-wachtwoord-42"


def installed() -> bool:
    return PYTHON.exists() and RALPH.exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="signaal-ralph-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.env = os.environ | {
            "RALPH_APP_DIR": str(self.folder),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data"),
        }
        (self.folder / "data").mkdir()
        subprocess.run(
            [RALPH, "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
             "-M", "mailto:lrs@example.nl", "-w"],
            env=self.env, cwd=self.folder, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.url}/xAPI/"

    def start(self) -> None:
        log = open(self.folder / "ralph.log", "ab")  # noqa: SIM115 (kept open by the process)
        self.process = subprocess.Popen(
            # -P: not this folder on sys.path (its ralph.py would hide the package).
            [PYTHON, "-P", Path(__file__).with_name("ralph_server.py"), str(self.port)],
            env=self.env, cwd=self.folder, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph stopped: {(self.folder / 'ralph.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/__heartbeat__", timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError("Ralph did not start within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def clear(self) -> None:
        """Forget every statement (between tests)."""
        for path in (self.folder / "data").iterdir():
            path.write_text("")

    def stored_lines(self) -> list[dict]:
        """What the filesystem backend holds, line by line (to count duplicates)."""
        return [
            json.loads(line)
            for path in (self.folder / "data").iterdir()
            for line in path.read_text().splitlines()
            if line.strip()
        ]

    def get(self, **params) -> dict:
        """GET /xAPI/statements through the LRS API, following 'more' links."""
        auth = b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        url = f"{self.url}/xAPI/statements?{urllib.parse.urlencode(params)}"
        statements = []
        while url:
            request = urllib.request.Request(  # noqa: S310 (our own http URL)
                url,
                headers={"Authorization": f"Basic {auth}", "X-Experience-API-Version": "1.0.3"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                body = json.loads(response.read())
            if "statements" not in body:
                return body
            statements += body["statements"]
            more = body.get("more")
            url = urllib.parse.urljoin(self.url, more) if more else ""
        return {"statements": statements}
