/* Whose is an exit of L2 (issue 6 item 4): nestvisor decides first, for
 * what it must see whatever L1 asked (its own interrupts, timer and EPT);
 * every other exit goes to L1 if vmcs12 asked for it, in the words of SDM
 * Vol. 3C 26.1-26.2 (which instructions and events exit under which
 * controls), and else stays with nestvisor, which handles it as it would
 * the same exit of L1. Pure: host-tested (test/host/test_nested_exit_owner.c). */
#ifndef VMX_NESTED_EXIT_OWNER_H
#define VMX_NESTED_EXIT_OWNER_H

#include "../lib/types.h"

enum nested_owner {
	NESTED_OWNER_L0,		/* nestvisor handles it */
	NESTED_OWNER_L1,		/* reflected to L1 */
};

/* An exit of L2 and the ways to read what L1 set up. */
struct nested_exit_query {
	u32 reason;			/* basic exit reason */
	u64 qualification;
	u32 intr_info, intr_error;	/* VM-exit interruption information and error code */
	u64 cr_source;			/* MOV to CR: the value of the source register */
	u32 msr;			/* RDMSR/WRMSR: ECX */
	/* vmcs12's field (its FULL encoding). */
	u64 (*read12)(const void *ctx, u32 field);
	/* The 4 KiB page of L1's memory at gpa, or NULL outside it. */
	const u8 *(*l1_page)(const void *ctx, u64 gpa);
	const void *ctx;
};

enum nested_owner nested_exit_owner(const struct nested_exit_query *q);

/* "L0" or "L1". */
const char *nested_owner_name(enum nested_owner o);

#endif
