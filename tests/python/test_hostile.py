"""Hostile clients over real sockets: slow headers and bodies are timed out and do not starve
others, the connection limit holds and recovers, and heavy work is shed with 503 + Retry-After
instead of queueing without bound. (A huge Content-Length is covered in test_live.py.)"""
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import requests

SLOW_HEAD = b"POST /v1/activations/gelu/forward HTTP/1.1\r\nHost: x\r\nContent-Type: applic"
SLOW_BODY = (b"POST /v1/activations/gelu/forward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 1000\r\n\r\n{\"x\": [1, 2,")


def open_slow(port, prefix: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(prefix)
    return s


def seconds_until_closed(s: socket.socket, limit: float) -> float:
    """Waits for the server to close `s` (EOF or reset); returns the time it took."""
    start = time.monotonic()
    s.settimeout(limit)
    try:
        while s.recv(4096):
            pass  # a 408 or similar before the close is fine
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise AssertionError(f"the server kept a silent connection open for more than {limit} s")
    finally:
        s.close()
    return time.monotonic() - start


def forward(url: str, session=None) -> requests.Response:
    return (session or requests).post(url + "/v1/activations/gelu/forward", json={"x": [0.5, 1, -1, 2, 0, 3, -3, 4]},
                                      timeout=5)


def test_slow_header_and_slow_body_clients_are_timed_out(make_server):
    s = make_server(CONNECTION_TIMEOUT=2)
    clients = [open_slow(s.port, SLOW_HEAD), open_slow(s.port, SLOW_BODY)]
    with ThreadPoolExecutor(len(clients)) as pool:
        waited = list(pool.map(lambda c: seconds_until_closed(c, 8), clients))
    assert all(1.0 <= w <= 6.0 for w in waited), waited
    assert forward(s.url).status_code == 200
    assert s.stop() == 0  # under test-asan this also runs LeakSanitizer over the abandoned requests


def test_slow_clients_do_not_starve_others(make_server):
    s = make_server(CONNECTION_TIMEOUT=6, THREADS=2)
    slow = [open_slow(s.port, SLOW_HEAD if i % 2 else SLOW_BODY) for i in range(40)]
    # Trickling clients (a header byte every 0.3 s) stay under the idle timeout: libmicrohttpd's
    # timeout is per inactivity, so these are bounded by MAX_CONNECTIONS, not timed out (see
    # docs/RELIABILITY.md). They must not slow anyone down either.
    trickle = [open_slow(s.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") for _ in range(10)]
    stop = threading.Event()

    def drip():
        while not stop.wait(0.3):
            for t in trickle:
                t.sendall(b"X")

    dripper = threading.Thread(target=drip)
    dripper.start()
    started = time.monotonic()
    session = requests.Session()
    latencies = []
    for _ in range(20):
        t = time.monotonic()
        r = forward(s.url, session if len(latencies) % 2 else None)  # kept-alive and fresh connections
        latencies.append(time.monotonic() - t)
        assert r.status_code == 200, r.text
        assert len(r.json()["y"]) == 8
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"normal requests took {elapsed:.1f} s while slow clients hung"
    assert max(latencies) < 1, latencies
    stop.set()
    dripper.join()
    for t in trickle:
        t.close()
    # The slow clients were still hanging meanwhile, and are all closed by the timeout.
    with ThreadPoolExecutor(len(slow)) as pool:
        waited = list(pool.map(lambda c: seconds_until_closed(c, 12), slow))
    assert max(waited) <= 10, waited
    assert s.stop() == 0


def test_connection_limit_refuses_the_extra_connection_and_recovers(make_server):
    s = make_server(MAX_CONNECTIONS=8, CONNECTION_TIMEOUT=2, THREADS=1)
    keep = [requests.Session() for _ in range(4)]
    for k in keep:
        assert forward(s.url, k).status_code == 200  # four kept-alive connections
    slow = [open_slow(s.port, SLOW_HEAD) for _ in range(4)]  # and four hanging ones: 8 in all
    time.sleep(0.2)

    # The 9th gets no answer while the limit is reached: closed at once or left in the backlog.
    ninth = socket.create_connection(("127.0.0.1", s.port), timeout=0.8)
    ninth.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        answer = ninth.recv(4096)
    except (socket.timeout, ConnectionResetError):
        answer = b""
    ninth.close()
    assert answer == b"", answer[:100]

    # The connections already open are still served.
    for k in keep:
        assert forward(s.url, k).status_code == 200

    # Once the hanging clients time out, new connections are served again.
    with ThreadPoolExecutor(len(slow)) as pool:
        list(pool.map(lambda c: seconds_until_closed(c, 8), slow))
    deadline = time.monotonic() + 5
    while True:
        try:
            assert forward(s.url).status_code == 200
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the server did not serve again after the slow clients timed out"
            time.sleep(0.2)
    for k in keep:
        k.close()
    assert s.stop() == 0


def test_heavy_work_is_shed_with_503_and_retry_after(make_server):
    # One offloaded evaluation at a time: concurrent heavy requests must be answered at once
    # with 503 + Retry-After rather than queued.
    s = make_server(MAX_INFLIGHT=1)
    x = np.random.default_rng(1).normal(size=1 << 20).astype("<f4").tobytes()  # 4 MiB ≥ offload threshold
    headers = {"Content-Type": "application/octet-stream", "Accept": "application/json"}
    barrier = threading.Barrier(6)

    def heavy(_):
        barrier.wait()
        return requests.post(s.url + "/v1/activations/gelu/gradient", data=x, headers=headers, timeout=60)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(heavy, range(6)))
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert 200 in statuses and 503 in statuses, statuses
    for r in answers:
        if r.status_code == 503:
            assert r.headers["Retry-After"] == "1"
            assert r.headers["Content-Type"].startswith("application/problem+json")
            problem = r.json()
            assert problem["type"].endswith("/overloaded"), problem
            assert "max in-flight 1" in problem["detail"]
        else:
            assert len(r.json()["dydx"]) == 1 << 20
    # The budget is released: the next heavy request and small requests are served.
    assert requests.post(s.url + "/v1/activations/gelu/forward", data=x, headers=headers, timeout=60).status_code == 200
    assert forward(s.url).status_code == 200
    metrics = requests.get(s.url + "/metrics", timeout=5).text
    assert 'status="503"' in metrics
    assert s.stop() == 0
