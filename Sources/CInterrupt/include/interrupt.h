#ifndef WM_INTERRUPT_H
#define WM_INTERRUPT_H

/// SIGINT and SIGTERM for wm: temporary files are removed before the process ends, and a long command can ask
/// to stop at its next step instead of ending.
///
/// Two modes, chosen by `wm_interrupt_install(graceful)`:
/// - immediate (graceful = 0): the handler unlinks every registered temporary file, writes one line to stderr
///   and ends the process by the same signal (its exit status says which), so a destination is never replaced
///   by a partial file and no temporary file is left;
/// - graceful (graceful = 1): the first signal only sets the flag `wm_interrupt_requested()` returns (the
///   command stops at its next step and writes its last good output); a second signal acts as in immediate mode.
/// Everything the handler does is async-signal-safe (atomics, unlink, write, raise).

/// Installs the handlers for SIGINT and SIGTERM and unblocks both in the calling thread (threads started later
/// inherit that). Returns 0, or -1 if a call failed.
int wm_interrupt_install(int graceful);

/// The signal number received in graceful mode, or 0.
int wm_interrupt_requested(void);

/// Remembers `path` (copied; at most 4095 bytes) as a file to unlink if a signal ends the process.
/// Returns a slot for `wm_interrupt_forget`, or -1 when all 64 slots are taken (the file is then not tracked).
int wm_interrupt_remember(const char *path);

/// Forgets a slot returned by `wm_interrupt_remember` (a negative slot is ignored).
void wm_interrupt_forget(int slot);

#endif
