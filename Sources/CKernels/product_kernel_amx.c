// The layers' X W product on Intel AMX tiles: C = f(beta * C + bias + A B), inputs rounded to bfloat16, sums in
// float32. For inference passes only (`ProductPrecision.bfloat16`); training keeps float32 products.
//
// Why: an AMX tile multiply (TDPBF16PS) does 16 x 16 x 32 multiply-adds in one instruction, 16 times the
// float32 FMA rate of AVX-512 on this CPU (Sapphire Rapids); at the network's shapes (K, N of 64-384) the
// products, at 75% of the float32 sgemm limit, were most of a rollout step.
// How: A and B are rounded to bfloat16 (nearest even) on every call, so nothing is cached that could go stale
// when weights change. B [k, n] is packed into the tiles' pair-interleaved layout (rows of k/2 pairs x n
// columns x 2), zero-padded to k a multiple of 32 and n of 16; A in blocks of 32 rows x k, zero-padded. Each
// block of 32 rows x 32 columns of C is 4 float32 tiles summed over the reduction, stored to a 32 x 32 buffer
// and then written with the bias, C's old values and ReLU (keeping NaN) applied, under masks for the edges.
// Buffers are per thread and grow to the largest product seen (they are allocated once, not per call).
// Linux asks each process to request the tile state (arch_prctl); when the CPU lacks AMX-BF16 or AVX512-BF16,
// or the request fails, the caller gets 0 and multiplies in float32.
#include "kernels.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WM_AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16")))

enum { ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };

// 1: AMX usable in this process; 0: not; -1: not yet known.
static int amx_state = -1;

static int cpu_has_amx_bf16(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int tile = (d >> 24) & 1, bf16 = (d >> 22) & 1, avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1;
    unsigned a1, b1, c1, d1;
    if (!__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1)) return 0;
    int avx512bf16 = (a1 >> 5) & 1;
    return tile && bf16 && avx512f && avx512bw && avx512bf16;
}

int wm_product_bf16_available(void) {
    int state = __atomic_load_n(&amx_state, __ATOMIC_ACQUIRE);
    if (state < 0) {
        const char *choice = getenv("WM_PRODUCT_KERNEL");
        int off = choice && strcmp(choice, "sgemm") == 0;
        state = !off && cpu_has_amx_bf16() && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0 ? 1 : 0;
        __atomic_store_n(&amx_state, state, __ATOMIC_RELEASE);
    }
    return state;
}

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} tile_config;

// Per thread: whether the tile configuration is loaded, and the packing buffers.
static __thread int tiles_configured;
static __thread uint16_t *packed_b, *packed_a;
static __thread size_t packed_b_count, packed_a_count;
static __thread float result_block[32 * 32] __attribute__((aligned(64)));
static __thread float *padded_bias;  // [np + 16]: the bias, zero beyond n
static __thread size_t padded_bias_count;

static int reserve(uint16_t **buffer, size_t *count, size_t needed) {
    if (*count >= needed) return 1;
    void *p = 0;
    if (posix_memalign(&p, 64, needed * sizeof(uint16_t)) != 0) return 0;
    free(*buffer);
    *buffer = p;
    *count = needed;
    return 1;
}

WM_AMX static void configure_tiles(void) {
    tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.rows[t] = 16; config.bytes_per_row[t] = 64; }
    _tile_loadconfig(&config);
    tiles_configured = 1;
}

static inline __mmask16 lanes(long width) {
    return width >= 16 ? (__mmask16)0xFFFF : width > 0 ? (__mmask16)((1u << width) - 1) : 0;
}

// 16 floats (masked) rounded to bfloat16.
WM_AMX static inline __m256i round16(const float *p, __mmask16 mask) {
    return (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, p));
}

// B [k, n] (row stride ldb) into pairs: out[(j / 2) * 2 np + 2 c + j % 2] = B[j][c], zero-padded to kp x np.
WM_AMX static void pack_b(const float *b, long ldb, long k, long n, long kp, long np, uint16_t *out) {
    // Interleave two rows of 16 bfloat16: lane 2i from the first, 2i + 1 from the second.
    static const uint16_t order[32] = {0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39,
                                       8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
    const __m512i index = _mm512_loadu_si512(order);
    for (long j = 0; j < kp; j += 2) {
        uint16_t *row = out + (j / 2) * 2 * np;
        for (long c = 0; c < np; c += 16) {
            __mmask16 mask = lanes(n - c);
            __m256i even = j < k ? round16(b + j * ldb + c, mask) : _mm256_setzero_si256();
            __m256i odd = j + 1 < k ? round16(b + (j + 1) * ldb + c, mask) : _mm256_setzero_si256();
            __m512i pairs = _mm512_permutex2var_epi16(_mm512_castsi256_si512(even), index, _mm512_castsi256_si512(odd));
            _mm512_storeu_si512(row + 2 * c, pairs);
        }
    }
}

// Rows [i, i + rows) of A (row stride lda, k columns) into 32 rows of kp bfloat16, zero-padded.
WM_AMX static void pack_a(const float *a, long lda, long rows, long k, long kp, uint16_t *out) {
    const long full = k / 16 * 16;
    for (long r = 0; r < 32; r++) {
        uint16_t *row = out + r * kp;
        if (r >= rows) { memset(row, 0, (size_t)kp * sizeof(uint16_t)); continue; }
        const float *ar = a + r * lda;
        long j = 0;
        for (; j < full; j += 16) _mm256_storeu_si256((__m256i *)(row + j), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(ar + j)));
        if (j < k) { _mm256_storeu_si256((__m256i *)(row + j), round16(ar + j, lanes(k - j))); j += 16; }
        for (; j < kp; j += 16) _mm256_storeu_si256((__m256i *)(row + j), _mm256_setzero_si256());
    }
}

// C = f(block (+ C)) for a block of rows x width (at most 32 x 32) of C: the block's sums already hold the bias.
WM_AMX static void store_block(long rows, long width, float *c, long ldc, int beta_one, int relu) {
    const __m512 zero = _mm512_setzero_ps();
    const __mmask16 left = lanes(width), right = lanes(width - 16);
    for (long r = 0; r < rows; r++) {
        float *cr = c + r * ldc;
        __m512 x = _mm512_load_ps(result_block + r * 32), y = _mm512_load_ps(result_block + r * 32 + 16);
        if (beta_one) {
            x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(left, cr));
            y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(right, cr + 16));
        }
        // v < 0 ? 0 : v, so NaN passes through (as wm_rows_bias_activate).
        if (relu) {
            x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), x, zero);
            y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(y, zero, _CMP_LT_OQ), y, zero);
        }
        _mm512_mask_storeu_ps(cr, left, x);
        if (right) _mm512_mask_storeu_ps(cr + 16, right, y);
    }
}

WM_AMX static void product_amx(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                               const float *bias, int beta_one, int relu) {
    const long kp = (k + 31) / 32 * 32, np = (n + 15) / 16 * 16;
    const long a_stride = kp * 2, b_stride = np * 4;  // bytes between tile rows
    pack_b(b, ldb, k, n, kp, np, packed_b);
    if (bias) {
        for (long q = 0; q < np + 16; q += 16) {
            __mmask16 mask = lanes(n - q);
            _mm512_store_ps(padded_bias + q, _mm512_maskz_loadu_ps(mask, bias + q));
        }
    }
    for (long i = 0; i < m; i += 32) {
        const long rows = m - i < 32 ? m - i : 32;
        const int lower = rows > 16;
        pack_a(a + i * lda, lda, rows, k, kp, packed_a);
        for (long p = 0; p < np; p += 32) {
            const int right = np - p > 16;
            if (bias) {
                // Every row of a sum tile starts as the bias (a load with row stride 0).
                _tile_loadd(0, padded_bias + p, 0); _tile_loadd(1, padded_bias + p + 16, 0);
                _tile_loadd(2, padded_bias + p, 0); _tile_loadd(3, padded_bias + p + 16, 0);
            } else {
                _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
            }
            for (long s = 0; s < kp; s += 32) {
                const uint16_t *bs = packed_b + (s / 2) * 2 * np + 2 * p;
                _tile_loadd(4, packed_a + s, a_stride);
                _tile_loadd(6, bs, b_stride);
                _tile_dpbf16ps(0, 4, 6);
                if (right) { _tile_loadd(7, bs + 32, b_stride); _tile_dpbf16ps(1, 4, 7); }
                if (lower) {
                    _tile_loadd(5, packed_a + 16 * kp + s, a_stride);
                    _tile_dpbf16ps(2, 5, 6);
                    if (right) _tile_dpbf16ps(3, 5, 7);
                }
            }
            _tile_stored(0, result_block, 128);
            _tile_stored(1, result_block + 16, 128);
            _tile_stored(2, result_block + 16 * 32, 128);
            _tile_stored(3, result_block + 16 * 32 + 16, 128);
            const long width = n - p < 32 ? n - p : 32;
            store_block(rows, width, c + i * ldc + p, ldc, beta_one, relu);
        }
    }
}

int wm_product_bf16(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                    const float *bias, int beta_one, int relu) {
    if (m <= 0 || n <= 0 || k <= 0 || !wm_product_bf16_available()) return 0;
    const long kp = (k + 31) / 32 * 32, np = (n + 15) / 16 * 16;
    if (!reserve(&packed_b, &packed_b_count, (size_t)(kp * np)) || !reserve(&packed_a, &packed_a_count, (size_t)(32 * kp)) ||
        !reserve((uint16_t **)&padded_bias, &padded_bias_count, (size_t)(2 * (np + 16)))) return 0;
    if (!tiles_configured) configure_tiles();
    product_amx(m, n, k, a, lda, b, ldb, c, ldc, bias, beta_one, relu);
    return 1;
}

#else

int wm_product_bf16_available(void) { return 0; }

int wm_product_bf16(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                    const float *bias, int beta_one, int relu) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb; (void)c; (void)ldc; (void)bias; (void)beta_one; (void)relu;
    return 0;
}

#endif
