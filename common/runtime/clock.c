#include "runtime/clock.h"

#include <time.h>

static struct {
    bool enabled;
    int64_t now_ms;
} s_test;

static int64_t s_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_enable_test(int64_t start_ms)
{
    s_test.enabled = true;
    s_test.now_ms = start_ms ? start_ms : s_real_ms();
}

bool clock_is_test(void) { return s_test.enabled; }

int64_t clock_now_ms(void) { return s_test.enabled ? s_test.now_ms : s_real_ms(); }

bool clock_set_ms(int64_t now_ms)
{
    if (!s_test.enabled)
        return false;
    s_test.now_ms = now_ms;
    return true;
}

bool clock_advance_ms(int64_t delta_ms)
{
    if (!s_test.enabled)
        return false;
    s_test.now_ms += delta_ms;
    return true;
}

int64_t clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_monotonic_ms(void) { return clock_monotonic_us() / 1000; }
