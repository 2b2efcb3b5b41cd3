// Row kernels and a thread team for the NN core's hot loops.
//
// Row kernels work on row-major float32 matrices given as (pointer, row stride in floats); `cols` is the
// row width. They fuse the elementwise passes that sit between two matrix products (bias, activation,
// gathers, LayerNorm, residual add, scatter-add), so the data of a block of rows is read once while it is
// still in cache. On x86-64 each kernel is compiled twice, for AVX2+FMA and for the baseline, and the
// dynamic loader picks one for the running CPU (GNU ifunc through `target_clones`).
//
// The thread team runs one function on T threads (the caller is thread 0) with a barrier between phases;
// its workers are persistent and sleep on a condition variable when idle, so a run allocates nothing.
#ifndef WM_KERNELS_H
#define WM_KERNELS_H
#include <stdint.h>

/// z[r] = f(z[r] + bias) for `rows` rows; f is ReLU when `relu` is non-zero, else the identity.
/// ReLU keeps NaN (so a diverging network stays visibly non-finite).
void wm_rows_bias_activate(float *z, long rows, long cols, long stride, const float *bias, int relu);

/// The node terms and bias of the first layer of an edge MLP whose node terms were multiplied once per node:
/// z[r] = bias + projected[senders[r]][0..<cols] + projected[receivers[r]][cols..<2cols]
/// (the edge term is then added by a product with beta = 1).
void wm_rows_edge_input(float *z, long rows, long cols, long stride, const float *bias,
                        const float *projected, long projected_stride,
                        const int32_t *senders, const int32_t *receivers);

/// The layers' matrix product on CPUs with AVX-512F: C = f(beta * C + bias + A B), with A [m, k] read as
/// a(r, j) = a[r * a_row_stride + j * a_step] (a row-major X: (lda, 1); a transposed X^T: (1, lda)), B [k, n] as
/// b(j, c) = b[j * b_row_stride + c * b_step] (a row-major W: (ldw, 1); a transposed W^T: (1, ldw)), C [m, n]
/// with row stride ldc. bias ([n], or NULL) is added, C's old values are added when beta_one is non-zero (else C
/// is only written), and ReLU (keeping NaN) follows when relu is non-zero. Returns 0 without touching C when
/// the CPU lacks AVX-512F or the kernel is turned off (the caller then uses cblas_sgemm), 1 when done. Each
/// output is summed over the reduction in index order (FMA), in tiles of 6 x 64.
int wm_product(long m, long n, long k, const float *a, long a_row_stride, long a_step, const float *b, long b_row_stride,
               long b_step, float *c, long ldc, const float *bias, int beta_one, int relu);

/// Whether ``wm_product`` runs on this CPU (AVX-512F) and is not turned off by WM_PRODUCT_KERNEL=sgemm in the
/// environment (read once).
int wm_product_kernel_available(void);

/// The X W product on Intel AMX tiles, for inference: C = f(beta * C + bias + A B) as ``wm_product`` with A [m, k]
/// row-major (row stride lda) and B [k, n] row-major (row stride ldb), but A and B rounded to bfloat16 (nearest
/// even) and the products summed in float32 tiles of 16 x 16 over blocks of 32. Returns 0 without touching C when
/// the CPU lacks AMX-BF16 and AVX512-BF16, Linux refuses the tile state, a buffer cannot be allocated, or
/// WM_PRODUCT_KERNEL=sgemm is set; 1 when done. Per-thread buffers grow to the largest product seen.
int wm_product_bf16(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                    const float *bias, int beta_one, int relu);

/// Whether ``wm_product_bf16`` runs in this process (checked, and the tile state requested, once).
int wm_product_bf16_available(void);

/// z = max(z, 0), keeping NaN.
void wm_rows_relu(float *z, long rows, long cols, long stride);

/// LayerNorm of each row of x with affine (gamma, beta): y = (x - mean) / sqrt(var + epsilon) * gamma + beta.
/// `y` may be `x`. When `statistics` is not NULL it receives [mean, 1/std] per row (stride 2).
void wm_rows_layer_norm(const float *x, long x_stride, float *y, long y_stride, long rows, long cols,
                        const float *gamma, const float *beta, float epsilon, float *statistics);

/// latent[r] = (accumulate ? latent[r] : 0) + LayerNorm(x[r]); then, when `receivers` is not NULL,
/// aggregate[receivers[r]] += latent[r]. The residual edge update and the message sum in one pass.
void wm_rows_layer_norm_residual(const float *x, long x_stride, float *latent, long latent_stride,
                                 long rows, long cols, const float *gamma, const float *beta, float epsilon,
                                 int accumulate, const int32_t *receivers, float *aggregate, long aggregate_stride);

/// dst[r] += src[r].
void wm_rows_add(float *dst, long dst_stride, const float *src, long src_stride, long rows, long cols);

/// Backward of ReLU: d[r] = y[r] > 0 ? g[r] : 0 (y the ReLU's output; d may be g). When `column_sums` is not
/// NULL, the rows of d are added into it (a bias gradient), each column summed in row order.
void wm_rows_relu_backward(const float *y, long y_stride, const float *g, long g_stride, float *d, long d_stride,
                           long rows, long cols, float *column_sums);

/// column_sums[c] += sum over rows of g[r][c], in row order.
void wm_rows_column_sums(const float *g, long g_stride, long rows, long cols, float *column_sums);

/// Backward of wm_rows_layer_norm given its input x and statistics [mean, 1/std] per row (stride 2):
/// dgamma += dy * xhat, dbeta += dy (each column in row order), and
/// dx = (1/std) (dy gamma - mean(dy gamma) - xhat mean(dy gamma xhat)). `dx` may be `dy`, not `x`.
void wm_rows_layer_norm_backward(const float *x, long x_stride, const float *statistics, const float *dy, long dy_stride,
                                 float *dx, long dx_stride, long rows, long cols, const float *gamma,
                                 float *dgamma, float *dbeta);

/// One Adam update of n values: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// p -= step_size m / (sqrt(v) inverse_sqrt_correction2 + epsilon) + decay p.
void wm_adam_update(float *p, const float *g, float *m, float *v, long n, float b1, float b2, float step_size,
                    float inverse_sqrt_correction2, float epsilon, float decay);

/// The sum of squares of n values (float partial sums in 8 lanes, added in double).
double wm_sum_of_squares(const float *x, long n);

/// dst = src * multiplier / divisor, elementwise (1 for either is exact).
void wm_copy_scaled(float *dst, const float *src, long n, float multiplier, float divisor);

/// A team of threads; thread 0 is the caller of wm_team_run.
typedef struct wm_team wm_team;

/// A team of `threads` threads (1 starts none). Returns NULL if a thread could not be started.
wm_team *wm_team_create(int threads);
/// Stops and joins the workers.
void wm_team_destroy(wm_team *team);
int wm_team_size(const wm_team *team);
/// Runs body(context, t) on every thread t of the team (t = 0 on the caller) and returns when all are done.
/// Not reentrant: one run at a time per team.
void wm_team_run(wm_team *team, void (*body)(void *context, int thread), void *context);
/// The next work item of the current run: 0, 1, 2, ... across all the team's threads (each value once), so
/// threads that run faster take more items.
long wm_team_next(wm_team *team);
/// Waits until every thread of the running team has reached this barrier (call it from inside a run, from
/// every thread, the same number of times).
void wm_team_barrier(wm_team *team);

#endif
