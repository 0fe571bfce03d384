/* Whose is an exit of L2 (vmx/nested_exit_owner.h). */
#include "nested_exit_owner.h"
#include "intr_info.h"
#include "msr_bitmap.h"
#include "vmcs_field.h"
#include "vmx_controls.h"
#include "vmx_errors.h"
#include "../lib/x86.h"

/* Exit qualification of a control-register access (SDM Table 28-3). */
#define CR_NUMBER(q) ((unsigned)(q) & 0xf)
#define CR_ACCESS_TYPE(q) (((unsigned)(q) >> 4) & 3)
enum { CR_MOV_TO, CR_MOV_FROM, CR_CLTS, CR_LMSW };
#define LMSW_SOURCE(q) (((q) >> 16) & 0xffff)
#define LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)	/* what LMSW can write */

/* Exit qualification of an I/O instruction (Table 28-5). */
#define IO_SIZE(q) (((unsigned)(q) & 7) + 1)
#define IO_PORT(q) (((q) >> 16) & 0xffff)
#define IO_PORTS_PER_BITMAP 0x8000u	/* A: 0-0x7fff, B: 0x8000-0xffff (25.6.4) */

#define VECTOR_PF 14
#define CR3_TARGETS_MAX 4

static u64 r12(const struct nested_exit_query *q, u32 field)
{
	return q->read12(q->ctx, field);
}

/* Exceptions (26.2): vmcs12's exception bitmap; for #PF, bit 14 says
 * whether a match of the error code against mask and match exits (1) or a
 * mismatch does (0). A physical NMI is the host's: L1's NMIs come from
 * its virtual APIC and exit to L1 before an entry (nested_nmi_exit()). */
static bool exception_wanted(const struct nested_exit_query *q)
{
	unsigned type = intr_info_type(q->intr_info);
	unsigned vector = q->intr_info & INTR_INFO_VECTOR_MASK;
	u64 bitmap = r12(q, VMCS_EXCEPTION_BITMAP);

	if (type == INTR_TYPE_NMI)
		return false;
	if (vector == VECTOR_PF) {
		bool match = (q->intr_error & r12(q, VMCS_PAGE_FAULT_ERROR_CODE_MASK)) ==
			     r12(q, VMCS_PAGE_FAULT_ERROR_CODE_MATCH);

		return match == !!(bitmap & BIT(VECTOR_PF));
	}
	return bitmap & BIT(vector);
}

/* MOV to CR0/CR4 exits when a bit L1 owns (guest/host mask) would differ
 * from L1's read shadow (26.1.3). */
static bool owned_bits_change(const struct nested_exit_query *q, u32 mask_field, u32 shadow_field,
			      u64 value)
{
	return (value ^ r12(q, shadow_field)) & r12(q, mask_field);
}

static bool cr3_is_target(const struct nested_exit_query *q, u64 value)
{
	u64 count = r12(q, VMCS_CR3_TARGET_COUNT);

	for (unsigned i = 0; i < count && i < CR3_TARGETS_MAX; i++)
		if (r12(q, VMCS_CR3_TARGET_VALUE0 + 2 * i) == value)
			return true;
	return false;
}

/* Control-register accesses (26.1.3). */
static bool cr_wanted(const struct nested_exit_query *q, u32 proc)
{
	u64 qual = q->qualification;
	u64 mask0 = r12(q, VMCS_CR0_GUEST_HOST_MASK), shadow0 = r12(q, VMCS_CR0_READ_SHADOW);
	u64 src;

	switch (CR_ACCESS_TYPE(qual)) {
	case CR_MOV_TO:
		switch (CR_NUMBER(qual)) {
		case 0:
			return owned_bits_change(q, VMCS_CR0_GUEST_HOST_MASK, VMCS_CR0_READ_SHADOW,
						 q->cr_source);
		case 3:
			return (proc & CPU_CR3_LOAD_EXITING) && !cr3_is_target(q, q->cr_source);
		case 4:
			return owned_bits_change(q, VMCS_CR4_GUEST_HOST_MASK, VMCS_CR4_READ_SHADOW,
						 q->cr_source);
		case 8:
			return proc & CPU_CR8_LOAD_EXITING;
		}
		return true;
	case CR_MOV_FROM:
		if (CR_NUMBER(qual) == 3)
			return proc & CPU_CR3_STORE_EXITING;
		return CR_NUMBER(qual) != 8 || (proc & CPU_CR8_STORE_EXITING);
	case CR_CLTS:
		return (mask0 & CR0_TS) && (shadow0 & CR0_TS);
	default:
		/* LMSW: can set PE but not clear it; writes MP, EM and TS. */
		src = LMSW_SOURCE(qual);
		return ((mask0 & CR0_PE) && !(shadow0 & CR0_PE) && (src & CR0_PE)) ||
		       ((src ^ shadow0) & mask0 & (LMSW_BITS & ~(u64)CR0_PE));
	}
}

/* I/O (26.1.3): with "use I/O bitmaps" the bit of every port the access
 * touches decides, an access wrapping past 0xffff exits; else
 * "unconditional I/O exiting". */
static bool io_wanted(const struct nested_exit_query *q, u32 proc)
{
	unsigned port = IO_PORT(q->qualification), size = IO_SIZE(q->qualification);

	if (!(proc & CPU_USE_IO_BITMAPS))
		return proc & CPU_UNCONDITIONAL_IO_EXITING;
	for (unsigned p = port; p < port + size; p++) {
		u32 field = p < IO_PORTS_PER_BITMAP ? VMCS_IO_BITMAP_A : VMCS_IO_BITMAP_B;
		const u8 *map = q->l1_page(q->ctx, r12(q, field));
		unsigned bit = p % IO_PORTS_PER_BITMAP;

		if (p > 0xffff || !map || (map[bit / 8] & BIT(bit % 8)))
			return true;
	}
	return false;
}

/* RDMSR/WRMSR (26.1.3): L1's bitmap as it is now (an MSR outside both
 * ranges always exits), or every MSR without one. */
static bool msr_wanted(const struct nested_exit_query *q, u32 proc, unsigned kind)
{
	const u8 *bitmap;

	if (!(proc & CPU_USE_MSR_BITMAPS))
		return true;
	bitmap = q->l1_page(q->ctx, r12(q, VMCS_MSR_BITMAP));
	return !bitmap || msr_bitmap_exits(bitmap, q->msr, kind);
}

/* The exits a vmcs12 control turns on, by reason; the rest of 26.1 exits
 * unconditionally (CPUID, GETSEC, INVD, XSETBV, VMCALL and the VMX
 * instructions, task switches, triple faults, INIT and SIPI). */
static bool l1_wants(const struct nested_exit_query *q)
{
	u32 proc = (u32)r12(q, VMCS_CPU_BASED_VM_EXEC_CONTROL);
	u32 proc2 = proc & CPU_ACTIVATE_SECONDARY ? (u32)r12(q, VMCS_SECONDARY_VM_EXEC_CONTROL) : 0;

	switch (q->reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		return exception_wanted(q);
	case EXIT_REASON_INTERRUPT_WINDOW:
		return proc & CPU_INTERRUPT_WINDOW_EXITING;
	case EXIT_REASON_NMI_WINDOW:
		return proc & CPU_NMI_WINDOW_EXITING;
	case EXIT_REASON_HLT:
		return proc & CPU_HLT_EXITING;
	case EXIT_REASON_INVLPG:
		return proc & CPU_INVLPG_EXITING;
	case EXIT_REASON_RDPMC:
		return proc & CPU_RDPMC_EXITING;
	case EXIT_REASON_RDTSC:
		return proc & CPU_RDTSC_EXITING;
	case EXIT_REASON_RDTSCP:
		/* Without "enable RDTSCP" L1 expects #UD, not an exit (26.3). */
		return (proc & CPU_RDTSC_EXITING) && (proc2 & CPU2_ENABLE_RDTSCP);
	case EXIT_REASON_CR_ACCESS:
		return cr_wanted(q, proc);
	case EXIT_REASON_DR_ACCESS:
		return proc & CPU_MOV_DR_EXITING;
	case EXIT_REASON_IO_INSTRUCTION:
		return io_wanted(q, proc);
	case EXIT_REASON_MSR_READ:
		return msr_wanted(q, proc, MSR_BITMAP_READ);
	case EXIT_REASON_MSR_WRITE:
		return msr_wanted(q, proc, MSR_BITMAP_WRITE);
	case EXIT_REASON_MWAIT_INSTRUCTION:
		return proc & CPU_MWAIT_EXITING;
	case EXIT_REASON_MONITOR_INSTRUCTION:
		return proc & CPU_MONITOR_EXITING;
	case EXIT_REASON_PAUSE_INSTRUCTION:
		return proc & CPU_PAUSE_EXITING;
	case EXIT_REASON_WBINVD:
		return proc2 & CPU2_WBINVD_EXITING;
	default:
		return true;
	}
}

enum nested_owner nested_exit_owner(const struct nested_exit_query *q)
{
	switch (q->reason) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:	/* the host's interrupts: L1's come from
						 * its virtual APIC (nested_interrupt_exit) */
	case EXIT_REASON_PREEMPTION_TIMER:	/* nestvisor's watchdog and virtual timer */
	case EXIT_REASON_EPT_VIOLATION:		/* nestvisor's EPT: L1 has none */
	case EXIT_REASON_EPT_MISCONFIG:
	case EXIT_REASON_TPR_BELOW_THRESHOLD:	/* no TPR shadow in vmcs02 */
	case EXIT_REASON_MCE_DURING_VMENTRY:
		return NESTED_OWNER_L0;
	}
	return l1_wants(q) ? NESTED_OWNER_L1 : NESTED_OWNER_L0;
}

const char *nested_owner_name(enum nested_owner o)
{
	return o == NESTED_OWNER_L1 ? "L1" : "L0";
}
