/* The three daemons as fuzz_service.c sets them up: each spec's context is
 * the one its handlers and event appliers get (a taskd_t, sessiond_t or
 * notifyd_t), and its seed gives a fresh store sittings, tasks, offices
 * and alerts to work on. */
#ifndef THUKY_FUZZ_SPECS_H
#define THUKY_FUZZ_SPECS_H

#include "fuzz_service.h"

extern const fuzz_service_spec_t fuzz_taskd_spec;    /* spec_taskd.c */
extern const fuzz_service_spec_t fuzz_sessiond_spec; /* spec_sessiond.c */
extern const fuzz_service_spec_t fuzz_notifyd_spec;  /* spec_notifyd.c */

#endif
