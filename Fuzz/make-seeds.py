#!/usr/bin/env python3
"""Regenerates the seed corpora in Fuzz/corpus/<target>/ (small, meaningful inputs).

Run from anywhere: python3 Fuzz/make-seeds.py. Needs numpy (for .npy seeds)."""
import gzip
import io
import json
import os
import struct
import zlib

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# JSON: valid requests, tensors of every shape class, edge numbers, specials, errors.
json_seeds = {
    "forward": '{"x": [-1, 0, 1, 2.5, -3.25e-3, 1e30, -0.0, 6]}',
    "nested": '{"x": [[-1, 0], [1, 2]], "params": {"approximate": "tanh"}}',
    "gradient": '{"x": [-1, 0.5, 2], "params": {"gamma": 2}, "grad_output": [1, 1, 1], "param_gradients": true}',
    "evaluate": '{"x": [-2,-1,0,1,2], "activations": [{"name": "gelu"}, {"name": "golu"}], "outputs": ["y", "dydx"]}',
    "specials": '{"x": ["NaN", "Infinity", "-Infinity", 1.17549435e-38, 1.4e-45, 3.4028235e38]}',
    "oip": '{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}], '
           '"outputs": [{"name": "y"}], "parameters": {"adversarial": false}}',
    "strings": '{"s": "a\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\/", "u": "\\u0000", "t": true, "f": false, "n": null}',
    "empty": '[[], []]',
    "deep": '[[[[[[[[[[[[[[1]]]]]]]]]]]]]]',
    "ragged": '{"x": [[1, 2], [3]]}',
    "numbers": '[0, -0, 1e-400, 123456789012345678901234567890, 0.1, 2.5e+10, -1E-7]',
    "mixed": '[1, "a", [2], {"k": 3}]',
    "bom": '\ufeff{"x": [1]}',
    "duplicate": '{"x": [1], "x": [2]}',
}
for k, v in json_seeds.items():
    write("json", k + ".json", v)

# .npy: every supported dtype and version, shapes, big-endian, Fortran order, a truncated file.
def npy(arr, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, arr)
    else:
        np.lib.format.write_array(b, arr, version=version)
    return b.getvalue()

rng = np.random.default_rng(7)
write("npy", "f32_2x3.npy", npy(rng.normal(size=(2, 3)).astype("<f4")))
write("npy", "f64_vec.npy", npy(np.array([1.0, -2.5, 1e300, np.nan], "<f8")))
write("npy", "f16_vec.npy", npy(np.array([0.5, -1, 65504, np.inf], "<f2")))
write("npy", "f32_be.npy", npy(np.array([1, 2, 3], ">f4")))
write("npy", "f32_scalar.npy", npy(np.array(3.5, "<f4")))
write("npy", "f32_empty.npy", npy(np.zeros((0, 4), "<f4")))
write("npy", "f32_v2.npy", npy(np.ones((2, 2), "<f4"), version=(2, 0)))
write("npy", "f32_v3.npy", npy(np.ones((3,), "<f4"), version=(3, 0)))
write("npy", "fortran.npy", npy(np.asfortranarray(np.ones((2, 3), "<f4"))))
write("npy", "int32.npy", npy(np.arange(4, dtype="<i4")))
write("npy", "truncated.npy", npy(np.ones((8,), "<f4"))[:-5])

# OIP: [datatype selector][header length LE16][count mode] + JSON header + binary tail.
def oip(selector, header, tail, count_mode=3, length=None):
    h = json.dumps(header).encode()
    n = len(h) if length is None else length
    return bytes([selector]) + struct.pack("<H", n) + bytes([count_mode]) + h + tail

x32 = np.array([-1, 0, 1, 2], "<f4").tobytes()
head = {"inputs": [{"name": "x", "shape": [4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}],
        "outputs": [{"name": "y", "parameters": {"binary_data": True}}]}
write("oip", "fp32", oip(0, head, x32))
write("oip", "fp64", oip(1, head, np.array([1, -1], "<f8").tobytes()))
write("oip", "fp16", oip(2, head, np.array([1, -1, 0.5], "<f2").tobytes()))
write("oip", "int8", oip(3, head, b"\x01\x02"))
write("oip", "short_count", oip(0, head, x32, count_mode=0))
write("oip", "negative_count", oip(0, head, x32, count_mode=1))
write("oip", "overflow_count", oip(0, head, x32, count_mode=2))
write("oip", "header_too_long", oip(0, head, x32, length=4000))
write("oip", "header_only", oip(0, head, b""))

# Accept-Encoding: what browsers, curl, proxies and odd clients send.
for i, v in enumerate([
    "gzip, deflate, br, zstd", "gzip;q=0.2", "identity;q=0, *;q=0", "*", "deflate;q=0.5, gzip;q=0.5",
    "GZIP;Q=1.000", "x-gzip", "gzip;q=1.0001", "br;q=1, *;q=0", " , ,gzip ;  q=0.7 ,", "gzip;level=9;q=0.3",
    "", "identity", "*;q=0.001, identity;q=0", "gzip;q=", "gzip;q=0.", "\u00e9;q=1",
]):
    write("accept-encoding", f"seed{i:02d}", v)

# gzip/deflate: [selector] + stream. selector % 3: 0 gzip, 1 deflate, 2 identity; / 3 picks the cap.
payload = json.dumps({"x": list(range(200))}).encode()
write("gzip", "gzip_small", bytes([3 * 3 + 0]) + gzip.compress(payload, mtime=0))
write("gzip", "gzip_two_members", bytes([3 * 3 + 0]) + gzip.compress(b"a" * 100, mtime=0) + gzip.compress(b"b" * 50, mtime=0))
write("gzip", "zlib", bytes([3 * 3 + 1]) + zlib.compress(payload))
raw = zlib.compressobj(6, zlib.DEFLATED, -15)
write("gzip", "raw_deflate", bytes([3 * 3 + 1]) + raw.compress(payload) + raw.flush())
write("gzip", "bomb_over_cap", bytes([2 * 3 + 0]) + gzip.compress(b"\0" * 100_000, mtime=0))
write("gzip", "zero_cap", bytes([0]) + gzip.compress(b"", mtime=0))
write("gzip", "truncated", bytes([3 * 3 + 0]) + gzip.compress(payload, mtime=0)[:-6])
write("gzip", "trailing_garbage", bytes([3 * 3 + 0]) + gzip.compress(payload, mtime=0) + b"garbage")
write("gzip", "identity", bytes([3 * 3 + 2]) + payload)

# infer (the App pipeline): [route][coding | accept << 2][Inference-Header-Content-Length LE16, 0xFFFF = none] + body.
# routes: 0 gelu infer JSON, 1 golu infer binary, 2 ditac infer JSON, 3 gelu forward JSON,
# 4 elu gradient f32, 5 sqish gradient npy, 6 evaluate JSON, 7 ditac forward JSON.
NONE = struct.pack("<H", 0xFFFF)
infer_json = json.dumps({"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[-1, 0], [1, 2]]}],
                         "outputs": [{"name": "y"}, {"name": "dydx"}], "parameters": {"approximate": "tanh"}}).encode()
write("infer", "oip_json", bytes([0, 0]) + NONE + infer_json)
write("infer", "oip_json_gzip", bytes([0, 1]) + NONE + gzip.compress(infer_json, mtime=0))
bh = json.dumps({"inputs": [{"name": "x", "shape": [4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}],
                 "outputs": [{"name": "dydx", "parameters": {"binary_data": True}}], "parameters": {"gamma": 2.0}}).encode()
write("infer", "oip_binary", bytes([1, 4]) + struct.pack("<H", len(bh)) + bh + x32)
bh16 = json.dumps({"inputs": [{"name": "x", "shape": [3], "datatype": "FP16", "parameters": {"binary_data_size": 6}}]}).encode()
write("infer", "oip_binary_fp16", bytes([1, 0]) + struct.pack("<H", len(bh16)) + bh16 + np.array([1, -1, 0.5], "<f2").tobytes())
write("infer", "ditac_infer", bytes([2, 0]) + NONE + json.dumps({"inputs": [{"name": "x", "shape": [3], "datatype": "FP64", "data": [-1, 0, 1]}]}).encode())
write("infer", "forward_json", bytes([3, 0]) + NONE + json.dumps({"x": [[-1, 0], [1, "NaN"]], "params": {"approximate": "none"}}).encode())
write("infer", "forward_json_deflate_npy_out", bytes([3, 2 | 2 << 2]) + NONE + zlib.compress(b'{"x": [1, 2, 3]}'))
write("infer", "gradient_f32", bytes([4, 1 << 2]) + NONE + x32)
write("infer", "gradient_npy", bytes([5, 2 << 2]) + NONE + npy(np.ones((2, 3), "<f4")))
write("infer", "evaluate", bytes([6, 0]) + NONE + json.dumps({"x": [-2, -1, 0, 1, 2], "activations": [{"name": "gelu"}, {"name": "sqish", "params": {"alpha": 0.25}}], "outputs": ["y", "dydx"]}).encode())
write("infer", "ditac_forward", bytes([7, 0]) + NONE + json.dumps({"x": [-3, 0, 3], "adversarial": True}).encode())
