"""Elements/s through the binary route (1M float32 per request, one client): python3 Benchmarks/binary_route.py http://127.0.0.1:8080"""
import sys, time, numpy as np, requests
base = sys.argv[1]
x = np.random.default_rng(0).normal(0, 3, 1 << 20).astype(np.float32).tobytes()
s = requests.Session()
for name in ["gelu", "golu", "silu"]:
    for route in ["forward", "gradient"]:
        url = f"{base}/v1/activations/{name}/{route}"
        s.post(url, data=x, headers={"Content-Type": "application/octet-stream"})
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < 3:
            r = s.post(url, data=x, headers={"Content-Type": "application/octet-stream"}); n += 1
            assert r.status_code == 200 and len(r.content) == len(x)
        dt = time.perf_counter() - t
        print(f"binary {name:5s} {route:8s} {n * (1 << 20) / dt / 1e6:8.1f} M elements/s ({n / dt:.1f} req/s, 1M float32)")
