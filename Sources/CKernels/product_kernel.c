// The matrix product of the network layers, for CPUs with AVX-512: C = f(beta * C + bias + A B).
//
// Why not only cblas_sgemm: at the layers' shapes (K, N of 64-384, M of 8 to a few thousand rows) OpenBLAS
// packs both operands on every call and zeroes or scales C first, and a bias or ReLU takes another pass over C.
// This kernel reads A and B in place (only a transposed B, W^T in dX = dY W^T, is gathered, one panel at a
// time): B's rows are contiguous along the output columns (a row-major weight [K, N], or a gradient [M, N]),
// and A is read through two strides, so the same code computes X W (row stride lda, step 1) and X^T dY (row
// stride 1, step lda). Each tile of up to 6 rows x 64 columns keeps its sums in 24 registers over the
// reduction; bias, accumulation into C and ReLU are applied once, when the tile is stored. Which shapes come
// here is decided in MatrixMultiply.swift (`ProductKernel.applies`), from `wm bench mlp`'s alternating
// comparison with sgemm; CPUs without AVX-512F, and WM_PRODUCT_KERNEL=sgemm, get cblas_sgemm for everything.
#include "kernels.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define WM_AVX512 __attribute__((target("avx512f")))
// The loops over a tile's rows run a compile-time number of times; unrolled, the sums live in registers
// (at -O2 clang would otherwise keep them in memory and run at half speed).
#define WM_UNROLL _Pragma("clang loop unroll(full)")

// Sums of `rows` x 16*`vectors` columns (both compile-time constants after inlining: at most 6 x 64, 24
// registers) over the reduction of length k. a(r, j) = a[r * ars + j * aks], where either aks = 1 (a
// row-major A: one pointer per row) or ars = 1 (a transposed one: the rows of a step are adjacent);
// b(j, c) = b[j * ldb + c]; columns outside the masks are not touched.
static inline __attribute__((always_inline)) WM_AVX512
void tile(int rows, int vectors, int transposed, long k, const float *a, long ars, long aks, const float *b, long ldb,
          float *c, long ldc, const float *bias, int beta_one, int relu, const __mmask16 *mask) {
    __m512 sum[6][4];
    WM_UNROLL
    for (int r = 0; r < rows; r++) {
        WM_UNROLL
        for (int v = 0; v < vectors; v++) sum[r][v] = _mm512_setzero_ps();
    }
    const float *row[6];
    WM_UNROLL
    for (int r = 0; r < rows; r++) row[r] = a + r * ars;
    for (long j = 0; j < k; j++) {
        const float *bj = b + j * ldb;
        __m512 bv[4];
        WM_UNROLL
        for (int v = 0; v < vectors; v++) bv[v] = _mm512_maskz_loadu_ps(mask[v], bj + 16 * v);
        WM_UNROLL
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(transposed ? a[j * aks + r] : row[r][j]);
            WM_UNROLL
            for (int v = 0; v < vectors; v++) sum[r][v] = _mm512_fmadd_ps(x, bv[v], sum[r][v]);
        }
    }
    const __m512 zero = _mm512_setzero_ps();
    __m512 add[4];
    WM_UNROLL
    for (int v = 0; v < vectors; v++) add[v] = bias ? _mm512_maskz_loadu_ps(mask[v], bias + 16 * v) : zero;
    WM_UNROLL
    for (int r = 0; r < rows; r++) {
        float *cr = c + r * ldc;
        WM_UNROLL
        for (int v = 0; v < vectors; v++) {
            __m512 value = _mm512_add_ps(sum[r][v], add[v]);
            if (beta_one) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask[v], cr + 16 * v));
            // v < 0 ? 0 : v, so NaN passes through (as wm_rows_bias_activate).
            if (relu) value = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(value, zero, _CMP_LT_OQ), value, zero);
            _mm512_mask_storeu_ps(cr + 16 * v, mask[v], value);
        }
    }
}

#define WM_TILE_ROWS(R, V) case R: \
    if (ars == 1) tile(R, V, 1, kc, ar, 1, aks, bp, ldb, cp, ldc, biasp, beta_one, relu, mask); \
    else tile(R, V, 0, kc, ar, ars, 1, bp, ldb, cp, ldc, biasp, beta_one, relu, mask); \
    break;
#define WM_TILE_VECTORS(V) case V: switch (rows) { \
    WM_TILE_ROWS(1, V) WM_TILE_ROWS(2, V) WM_TILE_ROWS(3, V) WM_TILE_ROWS(4, V) WM_TILE_ROWS(5, V) WM_TILE_ROWS(6, V) } \
    break;

// Blocking: the reduction goes in chunks of KC (so a tile's operands stay in L2 when the reduction is long, as
// in X^T dY over thousands of rows). The first chunk adds the bias and C's old values, later chunks add to what
// the earlier ones stored, and ReLU is applied by the last. Each tile of 6 rows of A is multiplied with every
// 64-column panel of B in turn, so the tile's rows stay in L1.
enum { KC = 256, MR = 6, NR = 64, MB = 384 };

// The lanes of vector v (0-3) of a 64-column panel that hold one of its `width` columns.
static inline __mmask16 panel_mask(long width, int v) {
    long w = width - 16 * v;
    return w >= 16 ? (__mmask16)0xFFFF : w > 0 ? (__mmask16)((1u << w) - 1) : 0;
}

// Columns p_begin..<p_end of C (multiples of 64 apart) over one chunk of the reduction; column q of B is at
// b + (q - b_origin) in each of its rows.
WM_AVX512
static void multiply_chunk(long m, long n, long kc, const float *a, long ars, long aks, const float *b, long ldb, long b_origin,
                           float *c, long ldc, const float *bias, int beta_one, int relu, long p_begin, long p_end) {
    for (long i = 0; i < m; i += MR) {
        long rows = m - i < MR ? m - i : MR;
        const float *ar = a + i * ars;
        for (long p = p_begin; p < p_end; p += NR) {
            long width = n - p < NR ? n - p : NR;
            __mmask16 mask[4];
            for (int v = 0; v < 4; v++) mask[v] = panel_mask(width, v);
            const float *bp = b + (p - b_origin), *biasp = bias ? bias + p : 0;
            float *cp = c + i * ldc + p;
            switch ((width + 15) / 16) {
                WM_TILE_VECTORS(1) WM_TILE_VECTORS(2) WM_TILE_VECTORS(3) WM_TILE_VECTORS(4)
            }
        }
    }
}

// B(j, c) = b[j * brs + c * bcs] with bcs = 1 (rows of B contiguous: read in place) or brs = 1 (B is the
// transpose of a row-major matrix, as W^T in dX = dY W^T: each 64-column panel is first gathered into
// `panel`, [KC][64] on the stack, and used by a block of MB rows of A, which stays in L2 for all panels).
WM_AVX512
static void product_avx512(long m, long n, long k, const float *a, long ars, long aks, const float *b, long brs, long bcs,
                           float *c, long ldc, const float *bias, int beta_one_in, int relu_in) {
    float panel[KC * NR] __attribute__((aligned(64)));
    for (long j0 = 0; j0 < k; j0 += KC) {
        long kc = k - j0 < KC ? k - j0 : KC;
        int first = j0 == 0, last = j0 + kc == k;
        int beta_one = first ? beta_one_in : 1, relu = last ? relu_in : 0;
        const float *chunk_bias = first ? bias : 0, *aj = a + j0 * aks;
        if (bcs == 1) {
            multiply_chunk(m, n, kc, aj, ars, aks, b + j0 * brs, brs, 0, c, ldc, chunk_bias, beta_one, relu, 0, n);
            continue;
        }
        const __m512i columns = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                   _mm512_set1_epi32((int)bcs));
        for (long i0 = 0; i0 < m; i0 += MB) {
            long mb = m - i0 < MB ? m - i0 : MB;
            for (long p = 0; p < n; p += NR) {
                long width = n - p < NR ? n - p : NR;
                for (int v = 0; v < 4; v++) {
                    __mmask16 mask = panel_mask(width, v);
                    const float *bp = b + j0 + (p + 16 * v) * bcs;
                    for (long j = 0; j < kc; j++)
                        _mm512_store_ps(panel + j * NR + 16 * v, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, columns, bp + j, 4));
                }
                multiply_chunk(mb, n, kc, aj + i0 * ars, ars, aks, panel, NR, p, c + i0 * ldc, ldc, chunk_bias, beta_one, relu,
                               p, p + NR);
            }
        }
    }
}

// 1: AVX-512F present and not turned off; 0: not; -1: not yet known. WM_PRODUCT_KERNEL=sgemm in the
// environment turns the kernel off (for comparisons against cblas_sgemm in one build).
static int product_kernel_state = -1;

int wm_product_kernel_available(void) {
    int state = __atomic_load_n(&product_kernel_state, __ATOMIC_RELAXED);
    if (state < 0) {
        __builtin_cpu_init();
        const char *choice = getenv("WM_PRODUCT_KERNEL");
        int off = choice && strcmp(choice, "sgemm") == 0;
        state = !off && __builtin_cpu_supports("avx512f") ? 1 : 0;
        __atomic_store_n(&product_kernel_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

int wm_product(long m, long n, long k, const float *a, long a_row_stride, long a_step, const float *b, long b_row_stride,
               long b_step, float *c, long ldc, const float *bias, int beta_one, int relu) {
    if (!wm_product_kernel_available()) return 0;
    if (n > (1L << 28) / (b_step > 0 ? b_step : 1)) return 0; // the panel gather's 32-bit offsets
    product_avx512(m, n, k, a, a_row_stride, a_step, b, b_row_stride, b_step, c, ldc, bias, beta_one, relu);
    return 1;
}

#else

int wm_product_kernel_available(void) { return 0; }

int wm_product(long m, long n, long k, const float *a, long a_row_stride, long a_step, const float *b, long b_row_stride,
               long b_step, float *c, long ldc, const float *bias, int beta_one, int relu) {
    (void)m; (void)n; (void)k; (void)a; (void)a_row_stride; (void)a_step; (void)b; (void)b_row_stride; (void)b_step;
    (void)c; (void)ldc; (void)bias; (void)beta_one; (void)relu;
    return 0;
}

#endif
