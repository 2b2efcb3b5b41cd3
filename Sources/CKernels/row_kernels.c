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
void wm_rows_broadcast(float *z, long rows, long cols, long stride, const float *restrict bias) {
    for (long r = 0; r < rows; r++) {
        float *restrict row = z + r * stride;
        for (long c = 0; c < cols; c++) row[c] = bias[c];
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
