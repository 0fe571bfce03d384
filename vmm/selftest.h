/* In-machine self-tests: what only the real (or emulated) machine can show.
 * Results go through report(); the run's summary line counts them. */
#ifndef VMM_SELFTEST_H
#define VMM_SELFTEST_H

#include "config.h"
#include "percpu.h"

/* Installs the timer and IPI handlers the tests count with; crash is armed
 * for CRASH_AP_UD. Call once on the BSP before any AP starts. */
void selftest_init(enum crash_test crash);
/* The allocator: a dirtied, freed page comes back zeroed; alignment; stats. */
void selftest_memory(void);
/* On each CPU after its APIC reset: SPIV software-enabled; the timer ticks. */
void selftest_this_cpu(struct percpu *cpu);
/* From the BSP: every other online CPU takes an IPI. */
void selftest_ipis(void);
/* Every CPU that came online is still running (none crashed). */
void selftest_cpus_alive(void);
/* Crashes on purpose, as configured, to show the crash report. */
void selftest_crash(enum crash_test crash);

#endif
