"""Training jobs over real sockets: SSE with curl -N semantics, cancel, evaluation during jobs."""
import json
import subprocess
import time

import requests

MOONS = {
    "dataset": {"name": "moons", "samples": 300, "noise": 0.1, "seed": 0},
    "model": {"hidden": [32, 32], "activation": {"name": "golu"}},
    "training": {"epochs": 20, "batch_size": 32, "learning_rate": 0.01, "seed": 0},
}


def read_sse(response):
    """Yields (event, id, data) from a streaming requests response."""
    event, ident, data = None, None, []
    for raw in response.iter_lines(decode_unicode=True):
        if raw is None:
            continue
        if raw == "":
            if event or data:
                yield event, ident, "\n".join(data)
            event, ident, data = None, None, []
        elif raw.startswith(":"):
            continue
        elif raw.startswith("event:"):
            event = raw[6:].strip()
        elif raw.startswith("id:"):
            ident = int(raw[3:].strip())
        elif raw.startswith("data:"):
            data.append(raw[5:].lstrip())


def test_submit_stream_and_fetch(server):
    r = requests.post(server.url + "/v1/jobs", json=MOONS)
    assert r.status_code == 202
    location = r.headers["Location"]
    with requests.get(server.url + location + "/events", stream=True, timeout=120) as s:
        assert s.headers["Content-Type"] == "text/event-stream"
        events = list(read_sse(s))
    kinds = [e for e, _, _ in events]
    assert kinds.count("progress") == 20 and kinds[-1] == "done"
    progress = [json.loads(d) for e, _, d in events if e == "progress"]
    assert [p["epoch"] for p in progress] == list(range(1, 21))
    assert all("train_loss" in p for p in progress)
    doc = requests.get(server.url + location).json()
    assert doc["status"] == "succeeded" and len(doc["metrics"]["train_loss"]) == 20
    # resume after event 18: only 19, 20 and done
    with requests.get(server.url + location + "/events", headers={"Last-Event-ID": "18"}, stream=True, timeout=60) as s:
        resumed = list(read_sse(s))
    assert [i for _, i, _ in resumed] == [19, 20, 21]


def test_curl_n_streams_events(server):
    r = requests.post(server.url + "/v1/jobs", json=dict(MOONS, training={"epochs": 3}))
    out = subprocess.run(["curl", "-sN", "--max-time", "60", server.url + r.headers["Location"] + "/events"],
                         capture_output=True, text=True, timeout=90)
    assert out.stdout.count("event: progress") == 3 and "event: done" in out.stdout


def test_cancel_and_evaluation_keeps_working(make_server):
    s = make_server(JOB_WORKERS=1)
    long = {"dataset": {"name": "spiral", "samples": 3000}, "model": {"hidden": [64, 64]},
            "training": {"epochs": 10000, "batch_size": 8}}
    ids = [requests.post(s.url + "/v1/jobs", json=long).json()["id"] for _ in range(2)]
    with requests.get(f"{s.url}/v1/jobs/{ids[0]}/events", stream=True, timeout=60) as st:
        first = next(read_sse(st))
        assert first[0] == "progress"
    # the worker is busy: evaluation is still answered, promptly and correctly
    for _ in range(50):
        r = requests.post(s.url + "/v1/activations/relu/forward", json={"x": [-1, 2]})
        assert r.status_code == 200 and r.json()["y"] == [0.0, 2.0]
    assert requests.delete(f"{s.url}/v1/jobs/{ids[1]}").status_code == 202   # queued → cancelled at once
    assert requests.get(f"{s.url}/v1/jobs/{ids[1]}").json()["status"] == "cancelled"
    assert requests.delete(f"{s.url}/v1/jobs/{ids[0]}").status_code == 202   # running → within one epoch
    with requests.get(f"{s.url}/v1/jobs/{ids[0]}/events", headers={"Last-Event-ID": "1"}, stream=True, timeout=60) as st:
        last = list(read_sse(st))[-1]
    assert last[0] == "done" and json.loads(last[2])["status"] == "cancelled"
    listed = requests.get(s.url + "/v1/jobs?status=cancelled").json()["jobs"]
    assert {j["id"] for j in listed} == set(ids)


def test_shutdown_cancels_running_jobs(make_server):
    s = make_server(JOB_WORKERS=1, DRAIN_TIMEOUT=5, LOG_LEVEL="info")
    long = {"dataset": {"name": "spiral", "samples": 3000}, "model": {"hidden": [64, 64]},
            "training": {"epochs": 10000, "batch_size": 8}}
    job = requests.post(s.url + "/v1/jobs", json=long).json()["id"]
    stream = requests.get(f"{s.url}/v1/jobs/{job}/events", stream=True, timeout=60)
    events = read_sse(stream)
    assert next(events)[0] == "progress"
    assert s.stop() == 0
    rest = list(events)
    assert rest and rest[-1][0] == "done"
    final = json.loads(rest[-1][2])
    assert final["status"] == "cancelled" and "shutting down" in json.dumps(final["error"])
    assert b"cancelled jobs on shutdown" in s.process.stderr.read()
