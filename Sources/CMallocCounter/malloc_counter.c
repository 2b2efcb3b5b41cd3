#define _GNU_SOURCE
#include "malloc_counter.h"
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);

static __thread uint64_t thread_allocations __attribute__((tls_model("initial-exec")));
static __thread uint64_t thread_blas_allocations __attribute__((tls_model("initial-exec")));

// OpenBLAS 0.3.21's AVX-512 small-matrix sgemm kernels (sgemm_small_kernel_*_COOPERLAKE, picked on Zen 4 and
// Cooper Lake CPUs) malloc a small buffer on every call: an allocation wm cannot avoid while every product goes
// through cblas_sgemm. Calls made directly from libopenblas's code are counted apart, so the tests measure wm's
// own allocations and report OpenBLAS's separately.
static uintptr_t blas_text_start, blas_text_end;

static int find_openblas(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size; (void)data;
    if (info->dlpi_name == NULL || strstr(info->dlpi_name, "libopenblas") == NULL) return 0;
    // The span of every executable segment (the library may have several).
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_X)) continue;
        uintptr_t start = info->dlpi_addr + segment->p_vaddr, end = start + segment->p_memsz;
        if (blas_text_start == 0 || start < blas_text_start) blas_text_start = start;
        if (end > blas_text_end) blas_text_end = end;
    }
    return 1;
}

// Runs once every shared library of the test process is mapped (before any test), outside malloc.
__attribute__((constructor)) static void locate_openblas(void) { dl_iterate_phdr(find_openblas, NULL); }

static void tally(void *caller) {
    uintptr_t address = (uintptr_t)caller;
    if (address >= blas_text_start && address < blas_text_end) thread_blas_allocations++;
    else thread_allocations++;
}

uint64_t wm_malloc_counter_thread_count(void) { return thread_allocations; }
uint64_t wm_malloc_counter_thread_blas_count(void) { return thread_blas_allocations; }

void *malloc(size_t size) {
    tally(__builtin_return_address(0));
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    tally(__builtin_return_address(0));
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    tally(__builtin_return_address(0));
    return __libc_realloc(pointer, size);
}

void free(void *pointer) { __libc_free(pointer); }

void *memalign(size_t alignment, size_t size) {
    tally(__builtin_return_address(0));
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    tally(__builtin_return_address(0));
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    tally(__builtin_return_address(0));
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return ENOMEM;
    *result = pointer;
    return 0;
}
