"""Starts the release binary on a free loopback port for the live tests."""
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("ACTIVATION_SERVICE_BIN", os.path.join(ROOT, ".build", "release", "activation-service"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, **env):
        if not os.path.exists(BINARY):
            pytest.skip(f"{BINARY} is not built (make test builds it)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = dict(os.environ, HOST="127.0.0.1", PORT=str(self.port), LOG_LEVEL="warning")
        environment.update({k: str(v) for k, v in env.items()})
        self.process = subprocess.Popen([BINARY], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)  # the port is not open yet: nothing to wait on but the socket
        raise RuntimeError("server did not become ready")

    def stop(self, sig=signal.SIGTERM, timeout=30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    assert s.stop() == 0


@pytest.fixture
def make_server():
    started = []

    def start(**env):
        s = Server(**env)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.process.poll() is None:
            s.stop(signal.SIGKILL)
