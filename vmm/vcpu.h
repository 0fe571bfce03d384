/* A virtual CPU of one of nestvisor's guests: its VMCS, the registers the
 * VMCS does not hold, its devices' state, and what its exits cost. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "guest.h"
#include "vlapic.h"

struct percpu;
#include "../vmx/vmenter.h"

#define EXIT_REASONS_MAX 96
#define CONSOLE_LINE_MAX 160
#define IO_PORTS 65536

struct exit_stat {
	u64 count;
	u64 cycles;	/* TSC ticks in nestvisor: Bochs instructions */
};

struct vcpu {
	struct guest *guest;
	unsigned index;			/* vCPU number within the guest */
	struct percpu *volatile host;	/* the CPU running it; NULL when not running */
	phys_addr_t vmcs;
	bool launched;
	struct guest_regs regs;
	struct vlapic apic;		/* its virtual x2APIC */
	u64 watchdog_tsc;		/* how long it may run without progress */
	u64 last_progress;		/* TSC of its last exit that was not a timer tick */
	u64 xcr0;			/* the guest's XCR0, switched around entries */
	u64 dr[4], dr6;			/* its debug registers: the VMCS holds only DR7 */
	u64 syscall_msrs[5];		/* STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE */

	/* Set by an exit handler to end the run, with the words why. */
	bool stopped;
	int exit_code;			/* from the exit port, or -1 */
	char stop_reason[160];

	/* The virtual 16550: bytes are collected into whole lines. */
	char line[CONSOLE_LINE_MAX];
	unsigned line_len;
	u8 ports_logged[IO_PORTS / 8];	/* bit per port whose default answer was logged */

	struct exit_stat stats[EXIT_REASONS_MAX];
	u64 exits;
	bool break_state;		/* start with an invalid guest state (bad_vmcs) */
	bool bench;			/* print BENCH lines (bench = on) */
	u64 tsc_first_entry;		/* TSC just before its first VMLAUNCH */
	u64 entries_checked;		/* debug builds: entries the checker predicted */
	u64 checker_disagreements;
};

/* Runs vcpu on the calling CPU (in VMX root operation) until the guest ends:
 * through the exit port, a stop by an exit handler, or an entry failure.
 * Prints the outcome and the exit statistics; returns the guest's exit code,
 * or -1 if it did not exit through the port. */
int vcpu_run(struct vcpu *vcpu);

/* Delivers an IPI the vCPU's APIC sent (vlapic_wrmsr) to its targets. */
void vcpu_send_ipi(struct vcpu *v, const struct vlapic_ipi *ipi);

/* vCPU 0 has ended: the guest's other vCPUs stop at their next exit. */
void vcpu_end_guest(struct vcpu *v);

/* Waits in nestvisor while the guest is halted, until an interrupt can be
 * delivered to it; stops the vCPU if nothing could ever wake it. */
void vcpu_halt(struct vcpu *v);

/* Ends the run: the guest does not resume. */
void vcpu_stop(struct vcpu *vcpu, const char *fmt, ...) __printf(2, 3);

#endif
