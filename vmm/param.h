/* Limits and tunables of nestvisor, in one place. */
#ifndef VMM_PARAM_H
#define VMM_PARAM_H

#define MAX_CPUS 64
#define MAX_MEM_REGIONS 256	/* after merging; firmware maps have ~100 */
#define MAX_PAGE_ZONES 64	/* contiguous ranges the page allocator manages */
#define MAX_BOOT_FILES 32	/* guest images read from \guests on the ESP */
#define MAX_BOOT_FILE_BYTES MiB(16)

/* Stacks are power-of-two blocks whose lowest page is an unmapped guard. */
#define STACK_ORDER 3		/* 32 KiB: 28 KiB usable + guard */
#define IST_STACK_ORDER 1	/* 8 KiB: 4 KiB usable + guard */

/* Interrupt vectors nestvisor uses for itself (0-31 are exceptions). */
#define VECTOR_TIMER 0x20
#define VECTOR_IPI 0x21
#define VECTOR_SPURIOUS 0xff

/* SMP bring-up (SDM Vol. 3, 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI). */
#define AP_INIT_DELAY_US 10000
#define AP_SIPI_DELAY_US 200
#define AP_START_TIMEOUT_MS 500
#define AP_SETTLE_TIMEOUT_MS 2000	/* an AP's own bring-up and self-tests */

/* LAPIC timer calibration window against PIT channel 2. */
#define TIMER_CALIBRATION_MS 10

#endif
