/*
 * clock: the two clocks of the program, in one place.
 *
 * Deadlines, timeouts and intervals use the monotonic clock (it does not
 * jump when the wall clock is set); timestamps that leave the process
 * (gossip documents, logs) use the real-time clock.
 */
#ifndef GOSSIP_CLOCK_H
#define GOSSIP_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC (an arbitrary origin, never decreasing). */
int64_t clock_mono_ms(void);

/* Microseconds of CLOCK_MONOTONIC (the same origin), for durations that
 * are measured, not waited for. */
int64_t clock_mono_us(void);

/* Nanoseconds since 1970-01-01 UTC (CLOCK_REALTIME); good until 2262. */
int64_t clock_real_ns(void);

#endif
