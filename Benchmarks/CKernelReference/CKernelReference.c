#include "CKernelReference.h"
#include <stdint.h>
#include <string.h>

// Cephes expf: Cody–Waite reduction, degree-6 polynomial, one scaling; clamped so 2^n stays
// normal (no subnormals, no inf).
static inline float ref_exp(float x) {
    x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    float n = __builtin_roundevenf(x * 1.44269504f);
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

void ckref_golu(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = x[i] * ref_exp(-ref_exp(-x[i]));
}

void ckref_gelu_tanh(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float u2 = 1.5957691216f * (v + 0.044715f * v * v * v);
        y[i] = v / (1.0f + ref_exp(-u2));
    }
}

void ckref_silu(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = x[i] / (1.0f + ref_exp(-x[i]));
}
