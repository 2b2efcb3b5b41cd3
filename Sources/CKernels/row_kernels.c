#include "kernels.h"
#include <math.h>
#include <stddef.h>

#if defined(__x86_64__) && defined(__linux__)
#define WM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define WM_CLONES
#endif

// ReLU that keeps NaN: NaN < 0 is false, so NaN passes through.
static inline float relu(float v) { return v < 0 ? 0 : v; }

WM_CLONES
void wm_rows_bias_activate(float *z, long rows, long cols, long stride, const float *restrict bias, int use_relu) {
    for (long r = 0; r < rows; r++) {
        float *restrict row = z + r * stride;
        if (use_relu) {
            for (long c = 0; c < cols; c++) row[c] = relu(row[c] + bias[c]);
        } else {
            for (long c = 0; c < cols; c++) row[c] += bias[c];
        }
    }
}

WM_CLONES
void wm_rows_edge_input(float *z, long rows, long cols, long stride, const float *restrict bias,
                        const float *projected, long projected_stride,
                        const int32_t *senders, const int32_t *receivers) {
    for (long r = 0; r < rows; r++) {
        float *restrict row = z + r * stride;
        const float *restrict ps = projected + (long)senders[r] * projected_stride;
        const float *restrict pr = projected + (long)receivers[r] * projected_stride + cols;
        for (long c = 0; c < cols; c++) row[c] = bias[c] + ps[c] + pr[c];
    }
}

WM_CLONES
void wm_rows_relu(float *z, long rows, long cols, long stride) {
    for (long r = 0; r < rows; r++) {
        float *restrict row = z + r * stride;
        for (long c = 0; c < cols; c++) row[c] = relu(row[c]);
    }
}

// Sum and sum of squared deviations of one row, with 8 partial sums (one vector register).
__attribute__((always_inline)) static inline void row_moments(const float *restrict x, long cols, float *mean, float *inverse_std, float epsilon) {
    float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long c = 0;
    for (; c + 8 <= cols; c += 8)
        for (int j = 0; j < 8; j++) partial[j] += x[c + j];
    float sum = 0;
    for (; c < cols; c++) sum += x[c];
    for (int j = 0; j < 8; j++) sum += partial[j];
    const float m = sum / (float)cols;
    float squares[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    c = 0;
    for (; c + 8 <= cols; c += 8)
        for (int j = 0; j < 8; j++) { float d = x[c + j] - m; squares[j] += d * d; }
    float total = 0;
    for (; c < cols; c++) { float d = x[c] - m; total += d * d; }
    for (int j = 0; j < 8; j++) total += squares[j];
    *mean = m;
    *inverse_std = 1.0f / sqrtf(total / (float)cols + epsilon);
}

WM_CLONES
void wm_rows_layer_norm(const float *x, long x_stride, float *y, long y_stride, long rows, long cols,
                        const float *restrict gamma, const float *restrict beta, float epsilon, float *statistics) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * x_stride;
        float *yr = y + r * y_stride;
        float mean, inverse_std;
        row_moments(xr, cols, &mean, &inverse_std, epsilon);
        for (long c = 0; c < cols; c++) yr[c] = (xr[c] - mean) * inverse_std * gamma[c] + beta[c];
        if (statistics) { statistics[2 * r] = mean; statistics[2 * r + 1] = inverse_std; }
    }
}

WM_CLONES
void wm_rows_layer_norm_residual(const float *x, long x_stride, float *latent, long latent_stride,
                                 long rows, long cols, const float *restrict gamma, const float *restrict beta, float epsilon,
                                 int accumulate, const int32_t *receivers, float *aggregate, long aggregate_stride) {
    for (long r = 0; r < rows; r++) {
        const float *restrict xr = x + r * x_stride;
        float *restrict lr = latent + r * latent_stride;
        float mean, inverse_std;
        row_moments(xr, cols, &mean, &inverse_std, epsilon);
        float *restrict ar = receivers ? aggregate + (long)receivers[r] * aggregate_stride : NULL;
        if (accumulate && ar) {
            for (long c = 0; c < cols; c++) {
                float v = lr[c] + (xr[c] - mean) * inverse_std * gamma[c] + beta[c];
                lr[c] = v;
                ar[c] += v;
            }
        } else {
            if (accumulate) {
                for (long c = 0; c < cols; c++) lr[c] += (xr[c] - mean) * inverse_std * gamma[c] + beta[c];
            } else {
                for (long c = 0; c < cols; c++) lr[c] = (xr[c] - mean) * inverse_std * gamma[c] + beta[c];
            }
            if (ar) for (long c = 0; c < cols; c++) ar[c] += lr[c];
        }
    }
}

WM_CLONES
void wm_rows_add(float *dst, long dst_stride, const float *src, long src_stride, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *restrict d = dst + r * dst_stride;
        const float *restrict s = src + r * src_stride;
        for (long c = 0; c < cols; c++) d[c] += s[c];
    }
}

// One row of wm_rows_relu_backward; `d` and `g` are either the same row or disjoint (restrict holds in both
// cases for the loop as written: each element is read before it is written), so the loop vectorises.
__attribute__((always_inline)) static inline void relu_backward_row(const float *restrict y, const float *g, float *d, long cols,
                                                                    float *restrict column_sums) {
    if (column_sums) {
        for (long c = 0; c < cols; c++) { float v = y[c] > 0 ? g[c] : 0; d[c] = v; column_sums[c] += v; }
    } else {
        for (long c = 0; c < cols; c++) d[c] = y[c] > 0 ? g[c] : 0;
    }
}

WM_CLONES
void wm_rows_relu_backward(const float *y, long y_stride, const float *g, long g_stride, float *d, long d_stride,
                           long rows, long cols, float *restrict column_sums) {
    for (long r = 0; r < rows; r++) {
        const float *yr = y + r * y_stride;
        float *dr = d + r * d_stride;
        const float *gr = g + r * g_stride;
        if ((const float *)dr == gr) {
            float *restrict x = dr;
            relu_backward_row(yr, x, x, cols, column_sums);
        } else {
            const float *restrict gi = gr;
            float *restrict di = dr;
            relu_backward_row(yr, gi, di, cols, column_sums);
        }
    }
}

WM_CLONES
void wm_rows_column_sums(const float *g, long g_stride, long rows, long cols, float *restrict column_sums) {
    for (long r = 0; r < rows; r++) {
        const float *restrict gr = g + r * g_stride;
        for (long c = 0; c < cols; c++) column_sums[c] += gr[c];
    }
}

WM_CLONES
void wm_rows_layer_norm_backward(const float *x, long x_stride, const float *statistics, const float *dy, long dy_stride,
                                 float *dx, long dx_stride, long rows, long cols, const float *restrict gamma,
                                 float *restrict dgamma, float *restrict dbeta) {
    const float n = (float)cols;
    for (long r = 0; r < rows; r++) {
        const float *restrict xr = x + r * x_stride;
        const float *dyr = dy + r * dy_stride;
        float *dxr = dx + r * dx_stride;
        const float mean = statistics[2 * r], inverse_std = statistics[2 * r + 1];
        float s1[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s2[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        long c = 0;
        for (; c + 8 <= cols; c += 8) {
            for (int j = 0; j < 8; j++) {
                const float xhat = (xr[c + j] - mean) * inverse_std, g = dyr[c + j];
                dgamma[c + j] += g * xhat;
                dbeta[c + j] += g;
                const float dxhat = g * gamma[c + j];
                s1[j] += dxhat;
                s2[j] += dxhat * xhat;
            }
        }
        float sum1 = 0, sum2 = 0;
        for (; c < cols; c++) {
            const float xhat = (xr[c] - mean) * inverse_std, g = dyr[c];
            dgamma[c] += g * xhat;
            dbeta[c] += g;
            const float dxhat = g * gamma[c];
            sum1 += dxhat;
            sum2 += dxhat * xhat;
        }
        for (int j = 0; j < 8; j++) { sum1 += s1[j]; sum2 += s2[j]; }
        const float mean1 = sum1 / n, mean2 = sum2 / n;
        for (c = 0; c < cols; c++) {
            const float xhat = (xr[c] - mean) * inverse_std;
            dxr[c] = inverse_std * (dyr[c] * gamma[c] - mean1 - xhat * mean2);
        }
    }
}

WM_CLONES
void wm_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n, float b1, float b2,
                    float step_size, float inverse_sqrt_correction2, float epsilon, float decay) {
    const float a1 = 1 - b1, a2 = 1 - b2;
    for (long i = 0; i < n; i++) {
        const float mi = b1 * m[i] + a1 * g[i];
        const float vi = b2 * v[i] + a2 * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        // __builtin_elementwise_sqrt: sqrt without errno (vi >= 0), so the loop vectorises.
        p[i] -= step_size * mi / (__builtin_elementwise_sqrt(vi) * inverse_sqrt_correction2 + epsilon) + decay * p[i];
    }
}

WM_CLONES
double wm_sum_of_squares(const float *restrict x, long n) {
    float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) partial[j] += x[i + j] * x[i + j];
    double total = 0;
    for (; i < n; i++) total += (double)x[i] * x[i];
    for (int j = 0; j < 8; j++) total += partial[j];
    return total;
}

WM_CLONES
void wm_copy_scaled(float *restrict dst, const float *restrict src, long n, float multiplier, float divisor) {
    for (long i = 0; i < n; i++) dst[i] = src[i] * multiplier / divisor;
}
