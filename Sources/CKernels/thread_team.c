// A persistent team of threads for one parallel region at a time.
//
// Start of a run: the caller publishes (body, context) and bumps `generation`; workers spin on it briefly,
// then sleep on a condition variable (so an idle team costs no CPU). The caller signals the condition only
// when a worker has declared itself asleep: `sleepers` and `generation` are sequentially consistent, so
// either the caller sees the sleeper or the sleeper sees the new generation (it re-checks under the mutex).
// End of a run: workers count down `pending`; the caller spins (then yields) until it reaches zero.
// Barrier: a counter and a sense flag; waiters spin, then yield, so a busy machine is not made worse.
#define _GNU_SOURCE
#include "kernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
static inline void cpu_relax(void) { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpu_relax(void) { __asm__ volatile("yield"); }
#else
static inline void cpu_relax(void) {}
#endif

enum { SPINS_BEFORE_YIELD = 4000, SPINS_BEFORE_SLEEP = 200000 };

struct wm_team {
    int size;
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic unsigned long generation;
    _Atomic int sleepers;
    _Atomic int pending;
    _Atomic int stopping;
    void (*body)(void *, int);
    void *context;
    // Work claimed with wm_team_next during the current run.
    _Atomic long next;
    // Barrier state.
    _Atomic int arrived;
    _Atomic int sense;
};

typedef struct { wm_team *team; int index; } worker_start;

static void *worker_main(void *argument) {
    worker_start start = *(worker_start *)argument;
    free(argument);
    wm_team *team = start.team;
    unsigned long seen = 0;
    for (;;) {
        unsigned long now;
        long spins = 0;
        while ((now = atomic_load(&team->generation)) == seen) {
            if (++spins < SPINS_BEFORE_YIELD) { cpu_relax(); continue; }
            if (spins < SPINS_BEFORE_SLEEP) { sched_yield(); continue; }
            pthread_mutex_lock(&team->mutex);
            atomic_fetch_add(&team->sleepers, 1);
            while ((now = atomic_load(&team->generation)) == seen) pthread_cond_wait(&team->wake, &team->mutex);
            atomic_fetch_sub(&team->sleepers, 1);
            pthread_mutex_unlock(&team->mutex);
            break;
        }
        seen = now;
        if (atomic_load(&team->stopping)) return NULL;
        team->body(team->context, start.index);
        atomic_fetch_sub(&team->pending, 1);
    }
}

wm_team *wm_team_create(int threads) {
    if (threads < 1) threads = 1;
    wm_team *team = calloc(1, sizeof(wm_team));
    if (!team) return NULL;
    team->size = threads;
    pthread_mutex_init(&team->mutex, NULL);
    pthread_cond_init(&team->wake, NULL);
    team->threads = calloc((size_t)threads, sizeof(pthread_t));
    if (!team->threads) { free(team); return NULL; }
    for (int t = 1; t < threads; t++) {
        worker_start *start = malloc(sizeof(worker_start));
        if (!start) { team->size = t; wm_team_destroy(team); return NULL; }
        start->team = team;
        start->index = t;
        if (pthread_create(&team->threads[t], NULL, worker_main, start) != 0) {
            free(start);
            team->size = t;
            wm_team_destroy(team);
            return NULL;
        }
    }
    return team;
}

static void publish(wm_team *team) {
    atomic_fetch_add(&team->generation, 1);
    if (atomic_load(&team->sleepers) > 0) {
        pthread_mutex_lock(&team->mutex);
        pthread_cond_broadcast(&team->wake);
        pthread_mutex_unlock(&team->mutex);
    }
}

void wm_team_destroy(wm_team *team) {
    if (!team) return;
    if (team->size > 1) {
        atomic_store(&team->stopping, 1);
        pthread_mutex_lock(&team->mutex);
        atomic_fetch_add(&team->generation, 1);
        pthread_cond_broadcast(&team->wake);
        pthread_mutex_unlock(&team->mutex);
        for (int t = 1; t < team->size; t++) pthread_join(team->threads[t], NULL);
    }
    pthread_cond_destroy(&team->wake);
    pthread_mutex_destroy(&team->mutex);
    free(team->threads);
    free(team);
}

int wm_team_size(const wm_team *team) { return team->size; }

void wm_team_run(wm_team *team, void (*body)(void *, int), void *context) {
    atomic_store(&team->next, 0);
    if (team->size == 1) { body(context, 0); return; }
    team->body = body;
    team->context = context;
    atomic_store(&team->pending, team->size - 1);
    publish(team);
    body(context, 0);
    long spins = 0;
    while (atomic_load(&team->pending) > 0) {
        if (++spins < SPINS_BEFORE_YIELD) cpu_relax(); else sched_yield();
    }
}

void wm_team_barrier(wm_team *team) {
    if (team->size == 1) return;
    int sense = atomic_load(&team->sense);
    if (atomic_fetch_add(&team->arrived, 1) == team->size - 1) {
        atomic_store(&team->arrived, 0);
        atomic_store(&team->sense, !sense);
        return;
    }
    long spins = 0;
    while (atomic_load(&team->sense) == sense) {
        if (++spins < SPINS_BEFORE_YIELD) cpu_relax(); else sched_yield();
    }
}

long wm_team_next(wm_team *team) { return atomic_fetch_add(&team->next, 1); }
