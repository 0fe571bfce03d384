#include "vcpu.h"
#include "bench.h"
#include "console.h"
#include "../apic/lapic.h"
#include "param.h"
#include "percpu.h"
#include "vapic.h"
#include "../guests/lib/guest_abi.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../lib/report.h"
#include "../vmx/nested.h"
#include "../vmx/nested_run.h"
#include "../vmx/nested_shadow.h"
#include "../vmx/apic_virt.h"
#include "../vmx/entry_verify.h"
#include "../vmx/exit.h"
#include "../vmx/intr_info.h"
#include "../vmx/vmcs.h"
#include "../vmx/vmcs_dump.h"
#include "../vmx/vmcs_field.h"
#include "../vmx/vmx_controls.h"
#include "../vmx/vmx_errors.h"

#define CPUID_1_ECX_XSAVE BIT(26)
#define CR4_OSXSAVE BIT(18)
#define XCR0_X87 BIT(0)
/* The watchdog: how long a guest may run without a single VM exit before it
 * is stopped (a guest spinning with interrupts off never exits). Under Bochs
 * a TSC second is ips emulated instructions. */
#define WATCHDOG_MS 1000
#define MISC_PREEMPTION_RATE_MASK 0x1f	/* timer ticks every 2^rate TSC ticks */
#define NMI_VECTOR 2
/* An NMI that must wait (NMIs blocked) is tried again at the NMI-window
 * exit, or, on a CPU without "virtual NMIs", after at most this many TSC
 * ticks. */
#define NMI_RETRY_TSC 20000


/* The VMX-preemption timer's value for a TSC interval (SDM 26.5.1). */
static u32 preemption_ticks(const struct vmx_caps *c, u64 tsc)
{
	u64 ticks = tsc >> (c->misc & MISC_PREEMPTION_RATE_MASK);

	return (u32)MAX(1, MIN(ticks, UINT32_MAX));
}

/* An NMI IPI for the guest (SDM 27.6): injected when no other event is
 * being injected and nothing blocks NMIs (an NMI's handler until IRET, MOV
 * SS, STI: 25.4.2). false: it waits for a later entry. */
static bool inject_nmi(struct vcpu *v)
{
	if ((vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID) ||
	    (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
	     (INTR_BLOCK_NMI | INTR_BLOCK_MOV_SS | INTR_BLOCK_STI)))
		return false;
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, intr_info_make(INTR_TYPE_NMI, NMI_VECTOR));
	vlapic_take_nmi(&v->apic);
	return true;
}

/* Before each entry: raise what the virtual timer owes, inject the highest
 * deliverable interrupt if the guest can take one now (RFLAGS.IF, no STI or
 * MOV-SS blocking, no other event being injected: SDM 26.3.1.5), else ask
 * for an interrupt-window exit; set the TPR threshold for what the TPR
 * holds back; and let the preemption timer wake nestvisor for the next
 * virtual timer deadline or the watchdog, whichever is first.
 *
 * While L2 runs the interrupts are still L1's: one L1 asked to exit on
 * becomes that exit (vmx/nested_run.h), else it goes into L2 as it would
 * on a CPU. An emulated VMLAUNCH/VMRESUME is carried out first: until the
 * real entry, nothing is injected and the preemption timer ends L2's first
 * run at once if an interrupt waits. Returns false if an exit to L1 was
 * made instead (the caller prepares again, for L1). */
static bool prepare_entry(struct vcpu *v, const struct vmx_caps *c)
{
	u64 now = rdtsc(), deadline, budget;
	int vector;
	u32 cpu_ctls = (u32)vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	bool pending_run = v->nested && v->nested->run_pending;
	bool nmi_waits = false;
	bool virtual_nmis = vmcs_read(VMCS_PIN_BASED_VM_EXEC_CONTROL) & PIN_VIRTUAL_NMIS;

	vlapic_tick(&v->apic, now);
	if (vlapic_nmi_pending(&v->apic) && !pending_run) {
		if (nested_nmi_exit(v))
			return false;
		nmi_waits = !inject_nmi(v);
	}
	vector = vlapic_pending(&v->apic);
	if (nested_interrupt_exit(v, vector))
		return false;
	if (vector >= 0 && !pending_run &&
	    !(vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID)) {
		bool open = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
			    !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
			      (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));

		if (open) {
			vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD,
				   intr_info_make(INTR_TYPE_EXT_INTR, (u8)vector));
			vlapic_accept(&v->apic, (u8)vector);
			vector = vlapic_pending(&v->apic);	/* a second one waits for a window */
		}
	}
	cpu_ctls &= ~(u32)(CPU_INTERRUPT_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING);
	if (vector >= 0 && !pending_run)
		cpu_ctls |= CPU_INTERRUPT_WINDOW_EXITING;
	/* NMI-window exiting needs virtual NMIs (26.2.1.1); else retry soon. */
	if (nmi_waits && virtual_nmis)
		cpu_ctls |= CPU_NMI_WINDOW_EXITING;
	vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL, cpu_ctls | nested_l1_window_controls(v));
	if (!v->nested || !v->nested->in_l2)
		vapic_before_entry(v);

	budget = v->last_progress + v->watchdog_tsc > now ? v->last_progress + v->watchdog_tsc - now : 1;
	deadline = vlapic_next_deadline(&v->apic);
	if (deadline)
		budget = MIN(budget, deadline > now ? deadline - now : 1);
	if (pending_run && (vector >= 0 || vlapic_nmi_pending(&v->apic)))
		budget = 1;
	if (nmi_waits && !virtual_nmis)
		budget = MIN(budget, NMI_RETRY_TSC);
	vmcs_write(VMCS_VMX_PREEMPTION_TIMER_VALUE, preemption_ticks(c, budget));
	return true;
}

/* After an exit nestvisor handled itself, an event the guest was being
 * delivered when the exit came is delivered again (SDM 28.2.4, 27.6.1). */
static void reinject_vectored_event(void)
{
	u32 info = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO_FIELD);
	unsigned type = intr_info_type(info);

	if (!(info & INTR_INFO_VALID) || (vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID))
		return;
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, info & ~(u32)INTR_INFO_NMI_UNBLOCKING);
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VMCS_VM_ENTRY_INSTRUCTION_LEN, vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN));
}

/* Makes a vCPU that runs on another CPU look at its APIC: a host IPI forces
 * an external-interrupt exit there, and the next entry injects. A vCPU that
 * sleeps in vcpu_halt() sees its IRR change by itself. */
static void kick(struct vcpu *target)
{
	struct percpu *host = target->host;

	if (host && host != this_cpu())
		lapic_send_ipi(host->apic_id, VECTOR_IPI);
}

void vcpu_send_ipi(struct vcpu *v, const struct vlapic_ipi *ipi)
{
	struct guest *g = v->guest;

	for (unsigned i = 0; i < g->nr_vcpus; i++) {
		struct vcpu *t = g->vcpus[i];
		bool hit = ipi->dest == VLAPIC_DEST_ALL ||
			   (ipi->dest == VLAPIC_DEST_SELF && t == v) ||
			   (ipi->dest == VLAPIC_DEST_OTHERS && t != v) ||
			   (ipi->dest == VLAPIC_DEST_ONE && ipi->apic_id == i);

		if (!hit)
			continue;
		if (!t) {
			pr_info("%s: IPI to vCPU %u, which is not running: dropped", g->name, i);
			continue;
		}
		if (ipi->nmi)
			vlapic_set_nmi(&t->apic);
		else
			vlapic_set_irr(&t->apic, ipi->vector);
		kick(t);
	}
}

/* Ends the other vCPUs of the guest when vCPU 0 has ended. */
void vcpu_end_guest(struct vcpu *v)
{
	struct guest *g = v->guest;

	g->ending = true;
	for (unsigned i = 0; i < g->nr_vcpus; i++)
		if (g->vcpus[i] && g->vcpus[i] != v)
			kick(g->vcpus[i]);
}

void vcpu_halt(struct vcpu *v)
{
	/* L2 halted with L1 exiting on its interrupts wakes whatever its IF. */
	if (!(vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) && !nested_l1_takes_interrupts(v)) {
		vcpu_stop(v, "HLT at RIP 0x%lx with interrupts disabled: nothing can wake it",
			  vmcs_read(VMCS_GUEST_RIP));
		return;
	}
	for (;;) {
		vlapic_tick(&v->apic, rdtsc());
		if (vlapic_pending(&v->apic) >= 0 || vlapic_nmi_pending(&v->apic) || v->guest->ending) {
			v->last_progress = rdtsc();	/* sleeping is not spinning */
			return;
		}
		/* Another vCPU may still send an IPI; alone, nothing will come. */
		if (!vlapic_next_deadline(&v->apic) && v->guest->nr_vcpus == 1) {
			vcpu_stop(v, "HLT at RIP 0x%lx with no interrupt pending and no timer armed",
				  vmcs_read(VMCS_GUEST_RIP));
			return;
		}
		cpu_relax();
	}
}

/* "vCPU 1: " for guests with several vCPUs, else nothing. */
static const char *vcpu_label(const struct vcpu *v)
{
	static const char *const labels[GUEST_VCPUS_MAX] = {
		"vCPU 0: ", "vCPU 1: ", "vCPU 2: ", "vCPU 3: ",
		"vCPU 4: ", "vCPU 5: ", "vCPU 6: ", "vCPU 7: ",
	};

	return v->guest->nr_vcpus > 1 ? labels[v->index] : "";
}

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
	va_end(ap);
	v->stopped = true;
}

static u64 xgetbv0(void)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (u64)hi << 32 | lo;
}

static void xsetbv0(u64 v)
{
	__asm__ volatile("xsetbv" ::"a"((u32)v), "d"((u32)(v >> 32)), "c"(0));
}

/* DR0-3 and DR6 are not part of the VMCS and MOV DR does not exit: switch
 * them around each entry so no guest sees another's (or nestvisor's). */
#define DEFINE_DR(n)                                                           \
	static u64 read_dr##n(void)                                            \
	{                                                                      \
		u64 v;                                                         \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));              \
		return v;                                                      \
	}                                                                      \
	static void write_dr##n(u64 v)                                         \
	{                                                                      \
		__asm__ volatile("mov %0, %%db" #n ::"r"(v));                   \
	}
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
#undef DEFINE_DR

#define DR6_INIT 0xffff0ff0ull

static void load_guest_drs(const struct vcpu *v)
{
	write_dr0(v->dr[0]);
	write_dr1(v->dr[1]);
	write_dr2(v->dr[2]);
	write_dr3(v->dr[3]);
	write_dr6(v->dr6);
}

static void save_guest_drs(struct vcpu *v)
{
	v->dr[0] = read_dr0();
	v->dr[1] = read_dr1();
	v->dr[2] = read_dr2();
	v->dr[3] = read_dr3();
	v->dr6 = read_dr6();
	write_dr0(0);
	write_dr1(0);
	write_dr2(0);
	write_dr3(0);
	write_dr6(DR6_INIT);
}

/* The SYSCALL MSRs and KERNEL_GS_BASE pass through to the guest: swap the
 * guest's and nestvisor's around each entry. */
static void swap_syscall_msrs(u64 *load, u64 *save)
{
	for (unsigned i = 0; i < ARRAY_SIZE(guest_syscall_msrs); i++) {
		save[i] = rdmsr(guest_syscall_msrs[i]);
		wrmsr(guest_syscall_msrs[i], load[i]);
	}
}

static void print_stats(const struct vcpu *v)
{
	pr_info("%s: %lu VM exits", v->guest->name, v->exits);
	pr_info("%s:   %-28s %10s %14s %10s", v->guest->name, "exit reason", "count",
		"cycles in L0", "per exit");
	for (unsigned r = 0; r < EXIT_REASONS_MAX; r++)
		if (v->stats[r].count)
			pr_info("%s:   %-28s %10lu %14lu %10lu", v->guest->name,
				vmx_exit_reason_name(r), v->stats[r].count, v->stats[r].cycles,
				v->stats[r].cycles / v->stats[r].count);
}


/* A new guest reuses this CPU's VPID and may get the pages of an old EPT:
 * drop what the TLBs still hold for them (SDM 29.4.3.3). Bochs flushes on
 * every entry anyway (platform.md); real CPUs do not. */
static void flush_guest_tlbs(const struct vmx_caps *c)
{
	if (!c->has_ept_vpid)
		return;
	if ((c->ept_vpid & VMX_EPT_CAP_INVEPT) && (c->ept_vpid & VMX_EPT_CAP_INVEPT_ALL))
		__invept(VMX_INVEPT_ALL_CONTEXT, 0);
	if ((c->ept_vpid & VMX_VPID_CAP_INVVPID) && (c->ept_vpid & VMX_VPID_CAP_INVVPID_ALL))
		__invvpid(VMX_INVVPID_ALL_CONTEXT, 0, 0);
}

/* Sets up this CPU's VMCS for v; false with the reason printed. */
static bool vcpu_prepare(struct vcpu *v, struct percpu *cpu)
{
	struct vmcs_setup s = {
		.eptp = ept_pointer(&v->guest->ept),
		.vpid = (u16)(cpu->cpu_id + 1),
		.entry_rip = v->guest->entry,
		.real_mode = v->guest->mode == GUEST_MODE_REAL16,
		.preemption_timer = 1,	/* set before each entry by prepare_entry() */
		.host = &cpu->desc,
	};

	/* XCR0 becomes per-vCPU state: the host needs CR4.OSXSAVE to switch it. */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
	v->xcr0 = XCR0_X87;
	v->dr6 = DR6_INIT;
	vlapic_reset(&v->apic, v->index, v->index == 0, lapic_timer_hz(), tsc_hz());
	if (!vapic_prepare(v, &cpu->vmx.caps))
		return false;
	s.msr_bitmap = ptr_to_phys(v->msr_bitmap);
	s.apic_virt = v->apic_virt;
	s.virtual_apic = ptr_to_phys(v->virtual_apic);
	v->watchdog_tsc = tsc_hz() * WATCHDOG_MS / 1000;
	v->last_progress = rdtsc();
	v->exit_code = -1;
	v->regs.rax = GUEST_BOOT_MAGIC;
	v->regs.rbx = GUEST_BOOT_INFO_ADDR + v->index * sizeof(struct guest_boot_info);
	flush_guest_tlbs(&cpu->vmx.caps);
	v->vmcs = vmcs_create(&cpu->vmx.caps);
	if (!v->vmcs || !vmcs_setup_guest(&cpu->vmx.caps, &s))
		return false;
	if (v->guest->nested && !nested_init(v, &cpu->vmx.caps, v->guest->nested_vmwrite_any))
		return false;
	if (v->break_state) {
		/* Paging without protection: invalid even for an unrestricted guest. */
		vmcs_write(VMCS_GUEST_CR0, (vmcs_read(VMCS_GUEST_CR0) | CR0_PG) & ~(u64)CR0_PE);
		pr_info("%s: starting with a broken guest state on purpose (bad_vmcs)", v->guest->name);
	}
	return true;
}

/* The pages of nestvisor's that v's VMCS names, for the checker. */
static struct entry_verify_pages vcpu_known_pages(const struct vcpu *v)
{
	return (struct entry_verify_pages){
		.page = { ptr_to_phys(v->virtual_apic), nested_shadow_vmcs(v) },
	};
}

/* An entry failure, in words (SDM 27.8, 31.4): the error, the checker's
 * rule that explains it, and the VMCS by field name. */
static void entry_failed(struct vcpu *v, enum vmx_result r, u32 reason)
{
	struct entry_check_failure f;
	/* vmcs02 failing is nestvisor's fault, never L1's: its checks passed. */
	const char *level = v->nested && v->nested->in_l2 ? "L2's vmcs02: " : "";

	if (r != VMX_FAIL_INVALID) {
		struct entry_verify_pages known = vcpu_known_pages(v);

		if (!entry_verify_predict(&this_cpu()->vmx.caps, &known, &f))
			entry_verify_explain(v->guest->name, &f);
		else
			pr_err("%s: no rule of the software checker explains this failure",
			       v->guest->name);
		vmcs_dump(v->guest->name);
	}
	if (r == VMX_FAIL_VALID) {
		u32 err = (u32)vmcs_read(VMCS_VM_INSTRUCTION_ERROR);

		vcpu_stop(v, "%sVM entry failed: VM-instruction error %u (%s)", level, err,
			  vmx_instruction_error_name(err));
	} else if (r == VMX_FAIL_INVALID) {
		vcpu_stop(v, "%sVM entry failed: VMfailInvalid (no current VMCS)", level);
	} else {
		u32 basic = reason & EXIT_REASON_BASIC_MASK;
		const char *q = vmx_entry_failure_qual_name(basic, vmcs_read(VMCS_EXIT_QUALIFICATION));

		vcpu_stop(v, "%sVM entry failed: exit reason %u (%s)%s%s", level, basic,
			  vmx_exit_reason_name(basic), q ? ": " : "", q ? q : "");
	}
}

int vcpu_run(struct vcpu *v)
{
	struct percpu *cpu = this_cpu();
	bool xsave = read_cr4() & CR4_OSXSAVE;
	u64 host_xcr0 = 0, host_syscall_msrs[ARRAY_SIZE(guest_syscall_msrs)], scratch[ARRAY_SIZE(guest_syscall_msrs)];

	if (!cpu->vmx_root.on) {
		pr_err("%s: not run: this CPU is not in VMX operation", v->guest->name);
		return -1;
	}
	if (!vcpu_prepare(v, cpu)) {
		pr_err("%s: not run: its VMCS could not be set up", v->guest->name);
		vapic_release(v);
		return -1;
	}
	xsave = read_cr4() & CR4_OSXSAVE;
	for (unsigned i = 0; i < ARRAY_SIZE(host_syscall_msrs); i++)
		host_syscall_msrs[i] = rdmsr(guest_syscall_msrs[i]);
	if (xsave)
		host_xcr0 = xgetbv0();
	pr_info("%s: %sstarting on cpu%u (%lu MiB, VPID %u; %s)", v->guest->name, vcpu_label(v),
		cpu->cpu_id, v->guest->mem_size >> 20, cpu->cpu_id + 1,
		apic_virt_describe(v->apic_virt));
	v->host = cpu;
	v->guest->vcpus[v->index] = v;
	while (!v->stopped) {
		enum vmx_result r;

		if (v->guest->ending && v->index) {
			vcpu_stop(v, "the guest ended (vCPU 0 stopped)");
			break;
		}
		u32 reason;
		u64 t;
		bool *launched = v->nested && v->nested->in_l2 ? &v->nested->vmcs02_launched
							      : &v->launched;

		if (!prepare_entry(v, &cpu->vmx.caps))
			continue;
#ifdef NV_DEBUG
		struct entry_check_failure predicted_failure;
		struct entry_verify_pages known = vcpu_known_pages(v);
		bool predicted_ok = entry_verify_predict(&cpu->vmx.caps, &known, &predicted_failure);
#endif

		if (xsave && v->xcr0 != host_xcr0)
			xsetbv0(v->xcr0);
		load_guest_drs(v);
		swap_syscall_msrs(v->syscall_msrs, scratch);
		if (!v->launched)	/* the boot cost's end (vmm/bench.c) */
			v->tsc_first_entry = rdtsc();
		r = vmx_enter(&v->regs, *launched);
		t = rdtsc();
		swap_syscall_msrs(host_syscall_msrs, v->syscall_msrs);
		save_guest_drs(v);
		if (xsave && v->xcr0 != host_xcr0)
			xsetbv0(host_xcr0);
		vmcs_restore_host_tables(&cpu->desc);
		reason = r == VMX_SUCCEED ? (u32)vmcs_read(VMCS_VM_EXIT_REASON) : 0;
#ifdef NV_DEBUG
		/* Debug builds check the checker against the CPU on every entry. */
		v->entries_checked++;
		if (!entry_verify_compare(v->guest->name, predicted_ok, &predicted_failure, r, reason))
			v->checker_disagreements++;
#endif
		if (r != VMX_SUCCEED) {
			entry_failed(v, r, 0);
			break;
		}
		if (reason & EXIT_REASON_FAILED_VMENTRY) {
			entry_failed(v, r, reason);
			break;
		}
		*launched = true;
		v->exits++;
		reason &= EXIT_REASON_BASIC_MASK;
		if (reason != EXIT_REASON_PREEMPTION_TIMER)
			v->last_progress = t;
		if (v->nested) {
			v->nested->run_pending = false;
			v->nested->switched = false;
		}
		if (!v->nested || !v->nested->in_l2 || !nested_reflect_exit(v, reason))
			exit_dispatch(v, reason);
		/* An event being delivered belongs to the level it was for. */
		if (!v->stopped && !(v->nested && v->nested->switched))
			reinject_vectored_event();
		if (reason < EXIT_REASONS_MAX) {
			v->stats[reason].count++;
			v->stats[reason].cycles += rdtsc() - t;
		}
	}
	v->guest->vcpus[v->index] = NULL;
	v->host = NULL;
	if (v->index == 0)
		vcpu_end_guest(v);
	pr_info("%s: %sstopped: %s", v->guest->name, vcpu_label(v), v->stop_reason);
	print_stats(v);
	if (v->bench)
		bench_print_exits(v);
	if (v->entries_checked)
		report(!v->checker_disagreements,
		       "checker: agreed with the CPU on %lu of %lu VM entries of %s",
		       v->entries_checked - v->checker_disagreements, v->entries_checked,
		       v->guest->name);
	__vmclear(v->vmcs);
	page_free(phys_to_ptr(v->vmcs));
	nested_destroy(v);
	vapic_release(v);
	return v->exit_code;
}
