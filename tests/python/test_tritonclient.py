"""The Open Inference Protocol through tritonclient[http], unchanged."""
import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException


def reference_gelu(x):
    from math import erf, sqrt
    return np.array([v * 0.5 * (1 + erf(v / sqrt(2))) for v in x.astype(np.float64)])


@pytest.fixture(scope="module")
def client(server):
    return httpclient.InferenceServerClient(url=f"127.0.0.1:{server.port}")


def test_health_and_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("gelu")
    meta = client.get_server_metadata()
    assert "binary_tensor_data" in meta["extensions"]
    model = client.get_model_metadata("gelu")
    assert model["name"] == "gelu"
    assert [o["name"] for o in model["outputs"]] == ["y", "dydx"]
    assert model["inputs"][0]["datatype"] == "FP32"


@pytest.mark.parametrize("binary_in", [True, False])
@pytest.mark.parametrize("binary_out", [True, False])
def test_infer(client, binary_in, binary_out):
    x = np.linspace(-4, 4, 33, dtype=np.float32).reshape(3, 11)
    inp = httpclient.InferInput("x", list(x.shape), "FP32")
    inp.set_data_from_numpy(x, binary_data=binary_in)
    outputs = [httpclient.InferRequestedOutput("y", binary_data=binary_out),
               httpclient.InferRequestedOutput("dydx", binary_data=binary_out)]
    result = client.infer("gelu", inputs=[inp], outputs=outputs)
    y = result.as_numpy("y")
    dydx = result.as_numpy("dydx")
    assert y.shape == x.shape and y.dtype == np.float32
    np.testing.assert_allclose(y.ravel(), reference_gelu(x.ravel()), rtol=2e-6, atol=1e-7)
    # GELU'(0) = 0.5 at the middle element
    assert abs(dydx.ravel()[16] - 0.5) < 1e-7


def test_infer_with_parameters_and_default_outputs(client):
    x = np.array([-1.0, 0.0, 1.0], dtype=np.float32)
    inp = httpclient.InferInput("x", [3], "FP32")
    inp.set_data_from_numpy(x)
    result = client.infer("golu", inputs=[inp], parameters={"gamma": 2.0})
    y = result.as_numpy("y")
    expected = x.astype(np.float64) * np.exp(-np.exp(-2.0 * x.astype(np.float64)))
    np.testing.assert_allclose(y, expected, rtol=2e-6, atol=1e-7)
    assert result.as_numpy("dydx") is not None


def test_errors_reach_the_client(client):
    inp = httpclient.InferInput("x", [1], "FP32")
    inp.set_data_from_numpy(np.array([1.0], dtype=np.float32))
    with pytest.raises(InferenceServerException) as e:
        client.infer("relu", inputs=[inp], parameters={"adversarial": True})
    assert "counterpart" in str(e.value) or "adversarial" in str(e.value)
    with pytest.raises(InferenceServerException):
        client.infer("no_such_model", inputs=[inp])
