// Counts heap allocations made by the calling thread, for tests that prove a hot loop allocates nothing.
//
// Linked into test targets only: this target defines malloc, calloc, realloc, free, posix_memalign,
// aligned_alloc and memalign, which forward to glibc's __libc_* entry points and count each allocating
// call in a per-thread counter (per thread, so tests running in parallel do not disturb each other).
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H
#include <stdint.h>

/// Allocating calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by this thread so far,
/// except those made directly from OpenBLAS's code (see below).
uint64_t wm_malloc_counter_thread_count(void);

/// Allocating calls made by this thread directly from libopenblas (its AVX-512 small-matrix sgemm kernels malloc
/// on every call in OpenBLAS 0.3.21).
uint64_t wm_malloc_counter_thread_blas_count(void);

#endif
