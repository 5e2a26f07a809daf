// The "vectorised C" reference of docs/PERFORMANCE.md: branch-free polynomial exp, plain loops over
// contiguous float32 that clang vectorises. Used only by activation-bench, side by side with
// the service's kernels (same run, same -march), so the ratio is measured, not quoted.
// No NaN/inf/subnormal care: it is the speed bound, not a correct implementation.
#ifndef C_KERNEL_REFERENCE_H
#define C_KERNEL_REFERENCE_H

/// y = x·exp(−exp(−x)) (GoLU with α = β = γ = 1).
void ckref_golu(const float *x, float *y, long n);
/// y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))) = x / (1 + e^{−2u}).
void ckref_gelu_tanh(const float *x, float *y, long n);
/// y = x / (1 + e^{−x}).
void ckref_silu(const float *x, float *y, long n);

#endif
