"""Live behaviour over real sockets: formats, compression, limits, hostile clients, shutdown."""
import gzip
import io
import json
import signal
import socket
import threading
import time
import zlib

import numpy as np
import pytest
import requests


def raw_request(port, data: bytes, read_timeout=10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)


def test_json_forward_and_compression(server):
    x = np.linspace(-8, 8, 4001).tolist()
    r = requests.post(server.url + "/v1/activations/gelu/forward", json={"x": x}, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Vary"] == "Accept-Encoding"
    assert len(r.json()["y"]) == 4001
    plain = requests.post(server.url + "/v1/activations/gelu/forward", json={"x": x}, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.json() == r.json()


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_large_json_answer_compressed_is_the_identity_answer(server, coding):
    # 100k floats (> 64 KiB of JSON): the service's own Huffman-only DEFLATE encoder; decoded
    # here by Python's zlib, byte for byte against the identity answer.
    x = (np.random.default_rng(3).standard_normal(100_000) * 3).astype(np.float32).tolist()
    url = server.url + "/v1/activations/gelu/forward"
    packed = requests.post(url, json={"x": x}, headers={"Accept-Encoding": coding}, stream=True)
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == coding
    raw = packed.raw.read(decode_content=False)
    text = gzip.decompress(raw) if coding == "gzip" else zlib.decompress(raw)
    plain = requests.post(url, json={"x": x}, headers={"Accept-Encoding": "identity"})
    assert text == plain.content
    assert len(raw) < 0.6 * len(text)


def test_npy_in_npy_out(server):
    x = np.random.default_rng(1).normal(size=(4, 5, 6)).astype(np.float32)
    buf = io.BytesIO()
    np.save(buf, x)
    r = requests.post(server.url + "/v1/activations/silu/gradient", data=buf.getvalue(),
                      headers={"Content-Type": "application/x-npy"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/x-npy"
    dydx = np.load(io.BytesIO(r.content))
    assert dydx.shape == x.shape and dydx.dtype == np.float32
    x64 = x.astype(np.float64)
    s = 1 / (1 + np.exp(-x64))
    np.testing.assert_allclose(dydx, s + x64 * s * (1 - s), rtol=2e-6, atol=1e-7)


def test_float64_and_float16_npy_are_converted(server):
    for dtype in (np.float64, np.float16):
        x = np.array([[-1, 0], [1, 2]], dtype=dtype)
        buf = io.BytesIO()
        np.save(buf, x)
        r = requests.post(server.url + "/v1/activations/relu/forward", data=buf.getvalue(),
                          headers={"Content-Type": "application/x-npy"})
        assert r.status_code == 200, r.text
        np.testing.assert_array_equal(np.load(io.BytesIO(r.content)), np.maximum(x, 0).astype(np.float32))


def test_binary_with_query_parameters(server):
    x = np.linspace(-3, 3, 1000, dtype=np.float32)
    r = requests.post(server.url + "/v1/activations/softplus/forward?beta=2", data=x.tobytes(),
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200
    y = np.frombuffer(r.content, dtype="<f4")
    np.testing.assert_allclose(y, np.logaddexp(0, 2 * x.astype(np.float64)) / 2, rtol=2e-6, atol=1e-7)


def test_gzip_request_body(server):
    body = gzip.compress(json.dumps({"x": [1.0, -1.0]}).encode())
    r = requests.post(server.url + "/v1/activations/relu/forward", data=body,
                      headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 200 and r.json()["y"] == [1.0, 0.0]
    r = requests.post(server.url + "/v1/activations/relu/forward", data=body,
                      headers={"Content-Type": "application/json", "Content-Encoding": "br"})
    assert r.status_code == 415 and r.headers["Accept-Encoding"] == "gzip, deflate"


def test_bad_requests_leave_the_server_serving(server):
    for body in [b"{", b"[" * 100000, b'{"x": [[1],[2,3]]}', b'{"x": [1e40]}', b"\xff\xfe"]:
        r = requests.post(server.url + "/v1/activations/gelu/forward", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (body[:20], r.text)
        assert r.headers["Content-Type"] == "application/problem+json"
        assert r.json()["error"] == r.json()["detail"]
    assert requests.get(server.url + "/healthz").status_code == 200


def test_huge_content_length_is_refused_before_upload(make_server):
    s = make_server(MAX_BODY_BYTES=1024)
    head = (b"POST /v1/activations/relu/forward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n")
    answer = raw_request(s.port, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"1024" in answer


def test_chunked_upload_over_the_limit_gets_413(make_server):
    s = make_server(MAX_BODY_BYTES=4096)
    head = (b"POST /v1/activations/relu/forward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"1000\r\n" + b" " * 4096 + b"\r\n"
    answer = raw_request(s.port, head + chunk * 4 + b"0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert requests.get(s.url + "/healthz").status_code == 200


def test_api_key(make_server, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file\n")
    s = make_server(API_KEY_FILE=str(key_file))
    r = requests.post(s.url + "/v1/activations/relu/forward", json={"x": [1]})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.post(s.url + "/v1/activations/relu/forward", json={"x": [1]}, headers={"Authorization": "Bearer from-a-file"})
    assert r.status_code == 200
    assert requests.get(s.url + "/healthz").status_code == 200
    assert requests.get(s.url + "/readyz").status_code == 200
    s.stop()
    assert b"from-a-file" not in s.process.stderr.read()


def test_graceful_shutdown_completes_a_request_in_flight(make_server):
    s = make_server(DRAIN_TIMEOUT=10)
    body = json.dumps({"x": list(range(20000))}).encode()
    head = (f"POST /v1/activations/relu/forward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=20)
    sock.sendall(head)
    # "100 Continue" is the signal that the server holds the request: it is now in flight.
    assert sock.recv(64).startswith(b"HTTP/1.1 100")
    sock.sendall(body[: len(body) // 2])
    s.process.send_signal(signal.SIGTERM)
    sock.sendall(body[len(body) // 2:])
    answer = b""
    while True:
        b = sock.recv(65536)
        if not b:
            break
        answer += b
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    payload = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert len(payload["y"]) == 20000
    assert s.process.wait(timeout=30) == 0
    # no new connections after shutdown
    try:
        requests.get(s.url + "/healthz", timeout=1)
        raise AssertionError("server still accepting")
    except requests.ConnectionError:
        pass


def test_healthcheck_subcommand(server):
    import subprocess
    from conftest import BINARY
    ok = subprocess.run([BINARY, "healthcheck", "--host", "127.0.0.1", "--port", str(server.port)], capture_output=True)
    assert ok.returncode == 0
    from conftest import free_port
    bad = subprocess.run([BINARY, "healthcheck", "--port", str(free_port()), "--timeout", "1"], capture_output=True)
    assert bad.returncode != 0


def test_access_log_has_every_request_once_after_shutdown(make_server):
    """The access log is written in batches; none is lost when the service stops."""
    s = make_server(LOG_LEVEL="info")
    captured = []
    reader = threading.Thread(target=lambda: captured.append(s.process.stderr.read()))
    reader.start()  # drain stderr while the service runs (a full pipe would block its writes)
    ids = [f"log-test-{i:04d}" for i in range(600)]
    with requests.Session() as session:
        for rid in ids:
            r = session.post(s.url + "/v1/activations/relu/forward", json={"x": [1.0, -2.0]}, headers={"X-Request-Id": rid})
            assert r.status_code == 200
    assert s.stop() == 0
    reader.join(timeout=30)
    lines = captured[0].decode().splitlines()
    for rid in ids:
        matching = [l for l in lines if f"request_id={rid} " in l]
        assert len(matching) == 1, (rid, matching)
        assert " info activation-service: " in matching[0] and "status=200" in matching[0] and matching[0].endswith(" [App] request")
    assert any("HTTP server stopped" in l for l in lines)
