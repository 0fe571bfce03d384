/* The BENCH lines (docs/bench.md): with bench = on, nestvisor prints its
 * boot cost and each vCPU's exit statistics one figure set per line,
 * "BENCH <what> key=value ...", for test/bench.py to collect. Costs are TSC
 * ticks; under Bochs, emulated instructions. */
#ifndef VMM_BENCH_H
#define VMM_BENCH_H

#include "vcpu.h"
#include "../boot/boot_info.h"

/* The boot cost, from the TSC marks in bi (taken by boot/efi_main.c) to
 * first_entry_tsc, read just before the first VMLAUNCH of guest (its vCPU
 * 0): the firmware's share until nestvisor's entry, entry to
 * ExitBootServices, entry to the guest's first instruction; and whether
 * this is a debug build. */
void bench_print_boot(const struct boot_info *bi, const char *guest, u64 first_entry_tsc);

/* v's exit statistics (the table vcpu_run prints), one line per reason
 * that occurred: count, total and mean TSC ticks spent in nestvisor. */
void bench_print_exits(const struct vcpu *v);

#endif
