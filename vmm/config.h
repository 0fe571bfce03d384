/* nestvisor's configuration: \nestvisor.cfg on the ESP, then the image's
 * load options, both "key = value" (one per line in the file, separated by
 * spaces in the load options; '#' starts a comment). Pure: host-tested. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include "console.h"
#include "param.h"

enum crash_test {
	CRASH_NONE,
	CRASH_UD,		/* ud2 on cpu0 */
	CRASH_PF,		/* a read of unmapped memory on cpu0 */
	CRASH_STACK_OVERFLOW,	/* unbounded recursion on cpu0's main stack */
	CRASH_PANIC,		/* panic() */
	CRASH_AP_UD,		/* ud2 on the last AP, in its IPI handler */
};

#define MAX_GUESTS 16
#define MAX_GUEST_VCPUS 8
#define GUEST_NAME_LEN 32

struct nv_config {
	enum log_level log_level;	/* log = error | warn | info | debug */
	unsigned max_cpus;		/* cpus = 1..MAX_CPUS */
	bool prefer_xapic;		/* apic = auto | xapic */
	bool apic_virt_off;		/* apic_virt = auto | off: off serves the guests'
					   TPR by exits, as a CPU without a TPR shadow */
	bool selftest;			/* selftest = on | off */
	enum crash_test crash;		/* crash = none | ud | pf | stack-overflow | panic | ap-ud */
	unsigned guest_mem_mib;		/* guest_mem = MiB of RAM per guest (4..1024) */
	/* guest = NAME, NAME@CPU or NAME@CPU,CPU,...: \guests\NAME.bin with one
	 * vCPU per CPU listed, vCPU i on the i-th (default one vCPU on cpu0).
	 * Each CPU runs its guests in this order; the CPUs run theirs at the
	 * same time. */
	char guests[MAX_GUESTS][GUEST_NAME_LEN];
	unsigned guest_cpus[MAX_GUESTS][MAX_GUEST_VCPUS];
	unsigned guest_nr_vcpus[MAX_GUESTS];
	/* bad_vmcs = NAME: that guest starts with an invalid guest state
	 * (CR0.PG without CR0.PE), to show how an entry failure is explained. */
	char bad_vmcs[GUEST_NAME_LEN];
	/* bench = on | off: print the boot cost and each guest's exit
	 * statistics as machine-readable BENCH lines (docs/bench.md). */
	bool bench;
	unsigned nr_guests;
	/* bare = NAME: run \guests\NAME.bin on the last CPU itself, without
	 * VMX, before the virtualized guests (vmm/bare.h); in this order. */
	char bare[MAX_GUESTS][GUEST_NAME_LEN];
	unsigned nr_bare;
	/* nested = NAME: that guest may use VMX (vmx/nested.h), as an L1. */
	char nested[MAX_GUESTS][GUEST_NAME_LEN];
	unsigned nr_nested;
	/* nested_vmwrite_any = cpu | on | off: whether L1s are offered VMWRITE
	 * to read-only fields (IA32_VMX_MISC bit 29): as the CPU, or forced. */
	int nested_vmwrite_any;		/* -1 cpu, 0 off, 1 on */
	/* nested_shadow = on | off: L1's VMREAD/VMWRITE go to a shadow VMCS
	 * without exits where the CPU has VMCS shadowing (vmx/nested_shadow.h). */
	bool nested_shadow;
};

void config_defaults(struct nv_config *c);

/* Applies text (file syntax, or load-option syntax when words is true) to c.
 * Each problem is described through complain(msg) and skipped; returns the
 * number of problems. */
unsigned config_parse(struct nv_config *c, const char *text, bool words,
		      void (*complain)(const char *msg));

/* One line summarising c, for the boot log. */
void config_describe(const struct nv_config *c, char *buf, size_t n);

#endif
