#include "bench.h"
#include "console.h"
#include "../vmx/vmx_errors.h"

/* BENCH lines were asked for: shown at every log level, like guest output. */
#define bench_line(...) pr(LOG_ERR, "BENCH " __VA_ARGS__)

/* Debug builds run the software entry checker before every VM entry
 * (vmm/vcpu.c) and poison freed pages: figures differ between the two. */
#ifdef NV_DEBUG
#define BUILD_DEBUG 1
#else
#define BUILD_DEBUG 0
#endif

void bench_print_boot(const struct boot_info *bi, const char *guest, u64 first_entry_tsc)
{
	/* The TSC counts from reset (0 at power-on), so its value at entry
	 * is what the firmware spent before nestvisor ran. */
	bench_line("build debug=%d", BUILD_DEBUG);
	bench_line("reset_to_entry tsc=%lu", bi->tsc_entry);
	bench_line("boot_to_exit_boot_services tsc=%lu",
		   bi->tsc_exit_boot_services - bi->tsc_entry);
	if (first_entry_tsc)
		bench_line("boot_to_first_guest_insn tsc=%lu guest=%s",
			   first_entry_tsc - bi->tsc_entry, guest);
	else
		pr_warn("bench: %s was never entered: no boot_to_first_guest_insn figure", guest);
}

void bench_print_exits(const struct vcpu *v)
{
	for (unsigned r = 0; r < EXIT_REASONS_MAX; r++) {
		const struct exit_stat *s = &v->stats[r];

		if (s->count)
			bench_line("exit guest=%s vcpu=%u reason=%s count=%lu tsc_total=%lu "
				   "tsc_per_exit=%lu", v->guest->name, v->index,
				   vmx_exit_reason_id(r), s->count, s->cycles,
				   s->cycles / s->count);
	}
}
