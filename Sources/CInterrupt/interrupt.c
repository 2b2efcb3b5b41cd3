#include "interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

enum { slot_count = 64, path_capacity = 4096 };
enum { slot_free = 0, slot_writing = 1, slot_ready = 2 };

static char paths[slot_count][path_capacity];
static atomic_int states[slot_count];
static atomic_int graceful_mode;
static atomic_int requested;

static void write_text(const char *text) {
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = write(2, text, n);
        if (w <= 0) return;
        text += w;
        n -= (size_t)w;
    }
}

static void handle(int signo) {
    if (atomic_load(&graceful_mode) && atomic_exchange(&requested, signo) == 0) return;
    int removed = 0;
    for (int i = 0; i < slot_count; i++) {
        if (atomic_load(&states[i]) == slot_ready && unlink(paths[i]) == 0) removed++;
    }
    write_text(signo == SIGTERM ? "wm: terminated" : "wm: interrupted");
    write_text(removed > 0 ? "; outputs in progress were removed, earlier files are unchanged\n"
                           : "; no output was being written\n");
    signal(signo, SIG_DFL);
    raise(signo);
}

int wm_interrupt_install(int graceful) {
    atomic_store(&graceful_mode, graceful ? 1 : 0);
    atomic_store(&requested, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handle;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, 0) != 0) return -1;
    if (sigaction(SIGTERM, &action, 0) != 0) return -1;
    // A parent may have started us with these blocked (a spawning thread's mask is inherited): unblock them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return pthread_sigmask(SIG_UNBLOCK, &set, 0) == 0 ? 0 : -1;
}

int wm_interrupt_requested(void) { return atomic_load(&requested); }

int wm_interrupt_remember(const char *path) {
    size_t n = strlen(path);
    if (n >= path_capacity) return -1;
    for (int i = 0; i < slot_count; i++) {
        int expected = slot_free;
        if (atomic_compare_exchange_strong(&states[i], &expected, slot_writing)) {
            memcpy(paths[i], path, n + 1);
            atomic_store(&states[i], slot_ready);
            return i;
        }
    }
    return -1;
}

void wm_interrupt_forget(int slot) {
    if (slot >= 0 && slot < slot_count) atomic_store(&states[slot], slot_free);
}
