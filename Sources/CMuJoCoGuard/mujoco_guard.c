#include "mujoco_guard.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local jmp_buf* guard_target = NULL;
static _Thread_local char guard_message[1024];
static _Thread_local char warning_message[1024];
static _Thread_local int warning_count = 0;

static void wm_error_handler(const char* message) {
  snprintf(guard_message, sizeof(guard_message), "%s", message);
  if (guard_target != NULL) {
    longjmp(*guard_target, 1);
  }
  // An error outside a guarded call: MuJoCo's state is broken and returning is unsafe.
  fprintf(stderr, "wm: MuJoCo error outside a guarded call: %s\n", message);
  abort();
}

static void wm_warning_handler(const char* message) {
  snprintf(warning_message, sizeof(warning_message), "%s", message);
  warning_count += 1;
}

void wm_mj_install_handlers(void) {
  mju_user_error = wm_error_handler;
  mju_user_warning = wm_warning_handler;
}

static void copy_message(char* error, int error_length) {
  if (error != NULL && error_length > 0) {
    snprintf(error, (size_t)error_length, "%s", guard_message);
  }
}

int wm_mj_step_guarded(const mjModel* m, mjData* d, int nstep, char* error, int error_length) {
  jmp_buf target;
  jmp_buf* previous = guard_target;
  if (setjmp(target) != 0) {
    guard_target = previous;
    copy_message(error, error_length);
    mj_resetData(m, d);
    return -1;
  }
  guard_target = &target;
  for (int i = 0; i < nstep; i++) {
    mj_step(m, d);
  }
  guard_target = previous;
  return 0;
}

int wm_mj_forward_guarded(const mjModel* m, mjData* d, char* error, int error_length) {
  jmp_buf target;
  jmp_buf* previous = guard_target;
  if (setjmp(target) != 0) {
    guard_target = previous;
    copy_message(error, error_length);
    mj_resetData(m, d);
    return -1;
  }
  guard_target = &target;
  mj_forward(m, d);
  guard_target = previous;
  return 0;
}

int wm_mj_take_warning(char* warning, int warning_length) {
  int count = warning_count;
  if (warning != NULL && warning_length > 0) {
    snprintf(warning, (size_t)warning_length, "%s", count > 0 ? warning_message : "");
  }
  warning_count = 0;
  warning_message[0] = 0;
  return count;
}
