// mujoco_guard.h: MuJoCo calls that return errors instead of ending the process.
//
// MuJoCo's default error handler prints, writes MUJOCO_LOG.TXT, waits on getchar() and exits.
// wm_mj_install_handlers() replaces it with a handler that longjmps back to the guarded call,
// which then returns -1 with MuJoCo's message in `error`. Warnings are recorded per thread.
#ifndef WM_MUJOCO_GUARD_H
#define WM_MUJOCO_GUARD_H

#include <mujoco/mujoco.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Installs wm's error and warning handlers (idempotent, process-wide).
void wm_mj_install_handlers(void);

/// Runs `nstep` calls of mj_step. Returns 0, or -1 after a MuJoCo error, with its text in `error`.
/// After an error the data is reset with mj_resetData.
int wm_mj_step_guarded(const mjModel* m, mjData* d, int nstep, char* error, int error_length);

/// Runs mj_forward under the same guard.
int wm_mj_forward_guarded(const mjModel* m, mjData* d, char* error, int error_length);

/// Copies the last warning MuJoCo raised on this thread (empty if none) and clears it.
/// Returns the number of warnings since the last call.
int wm_mj_take_warning(char* warning, int warning_length);

#ifdef __cplusplus
}
#endif

#endif
