"""The Python peer for the HTTP benchmark: FastAPI + numpy + orjson under uvicorn.

Implements the JSON forward route the benchmark drives, the idiomatic way: orjson parses the
body, numpy evaluates in float32, orjson writes the answer (OPT_SERIALIZE_NUMPY).
Run: uvicorn --app-dir Benchmarks fastapi_peer:app --port 8091 --workers 2 --log-level warning
"""
import numpy as np
import orjson
from fastapi import FastAPI, Request, Response
from scipy.special import erf

app = FastAPI()
_ONE = np.float32(1)
_HALF = np.float32(0.5)
_RSQRT2 = np.float32(0.7071067811865476)
_K = np.float32(np.sqrt(2 / np.pi))


def _gelu(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "tanh":
        return _HALF * x * (_ONE + np.tanh(_K * (x + np.float32(0.044715) * x * x * x)))
    if approximate == "sigmoid":
        return x / (_ONE + np.exp(np.float32(-1.702) * x))
    return (_HALF * x * (_ONE + erf(x * _RSQRT2))).astype(np.float32)


KERNELS = {
    "gelu": _gelu,
    "silu": lambda x, _: x / (_ONE + np.exp(-x)),
    "golu": lambda x, _: x * np.exp(-np.exp(-x)),
}


@app.post("/v1/activations/{name}/forward")
async def forward(name: str, request: Request) -> Response:
    doc = orjson.loads(await request.body())
    x = np.asarray(doc["x"], dtype=np.float32)
    params = doc.get("params") or {}
    approximate = params.get("approximate", "none")
    y = KERNELS[name](x, approximate)
    body = {"activation": name, "params": {"approximate": approximate} if name == "gelu" else {},
            "adversarial": False, "shape": list(x.shape), "y": y}
    return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), media_type="application/json")
