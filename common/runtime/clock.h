/* The daemon's clock: real time, or a test clock that only commands move.
 *
 * Every daemon reads time through clock_now_ms() so that tests can jump
 * over deadlines instead of sleeping for them. The test clock is enabled
 * only by the --test-clock start flag; otherwise clock_set() refuses. */
#ifndef THUKY_CLOCK_H
#define THUKY_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Enables the test clock, starting at start_ms (0 = the current real time). */
void clock_enable_test(int64_t start_ms);
bool clock_is_test(void);
/* UTC milliseconds. */
int64_t clock_now_ms(void);
/* Moves the test clock; false when the test clock is not enabled. */
bool clock_set_ms(int64_t now_ms);
bool clock_advance_ms(int64_t delta_ms);
/* Monotonic milliseconds for timeouts and measuring; never the test clock. */
int64_t clock_monotonic_ms(void);
/* Monotonic microseconds, for latency measurement. */
int64_t clock_monotonic_us(void);

#endif
