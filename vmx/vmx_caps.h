/* The VMX capability MSRs (SDM Vol. 3D, Appendix A): reading them without
 * touching an MSR the CPU does not advertise, and decoding them into words.
 * Pure: no console, no instructions; the MSR reader is passed in. */
#ifndef VMX_VMX_CAPS_H
#define VMX_VMX_CAPS_H

#include "../lib/types.h"

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull	/* bits 30:0; bit 31 is 0 */
#define VMX_BASIC_VMCS_SIZE_SHIFT 32		/* bits 44:32, at most 4096 */
#define VMX_BASIC_VMCS_SIZE_MASK 0x1fffull
#define VMX_BASIC_ADDR_32BIT BIT(48)		/* VMXON/VMCS addresses < 4 GiB */
#define VMX_BASIC_DUAL_MONITOR BIT(49)		/* dual-monitor SMM treatment */
#define VMX_BASIC_MEMTYPE_SHIFT 50		/* bits 53:50 */
#define VMX_BASIC_MEMTYPE_MASK 0xfull
#define   VMX_MEMTYPE_UC 0
#define   VMX_MEMTYPE_WB 6
#define VMX_BASIC_INS_OUTS_INFO BIT(54)		/* exit info reports INS/OUTS */
#define VMX_BASIC_TRUE_CTLS BIT(55)		/* IA32_VMX_TRUE_*_CTLS exist */
#define VMX_BASIC_ANY_ERROR_CODE BIT(56)	/* entry may inject any vector
						   with or without error code */

/* The few control bits the capability reader itself depends on (A.3.2,
 * A.10, A.11); vmx_caps.c names every control for the decode. */
/* IA32_VMX_EPT_VPID_CAP (A.10): INVEPT and INVVPID and their types. */
#define VMX_EPT_CAP_INVEPT BIT(20)
#define VMX_EPT_CAP_INVEPT_ALL BIT(26)
#define VMX_VPID_CAP_INVVPID BIT(32)
#define VMX_VPID_CAP_INVVPID_SINGLE BIT(41)
#define VMX_VPID_CAP_INVVPID_ALL BIT(42)
#define VMX_INVEPT_ALL_CONTEXT 2
#define VMX_INVVPID_SINGLE_CONTEXT 1
#define VMX_INVVPID_ALL_CONTEXT 2

#define VMX_PROC_ACTIVATE_SECONDARY_BIT 31
#define VMX_PROC2_ENABLE_EPT_BIT 1
#define VMX_PROC2_ENABLE_VPID_BIT 5
#define VMX_PROC2_ENABLE_VMFUNC_BIT 13

/* Every line vmx_caps_describe() emits is at most this long, so that with
 * the console's "[cpuN] vmx: " prefix it stays under 160 characters. */
#define VMX_DESCRIBE_WIDTH 132

/* The raw MSR values. A field whose MSR the CPU does not advertise is 0,
 * and its has_ flag (where there is one) is false. */
struct vmx_caps {
	u64 basic, pinbased, procbased, exit, entry, misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
	u64 true_pinbased, true_procbased, true_exit, true_entry;
	u64 procbased2, ept_vpid, vmfunc;
	bool has_true, has_procbased2, has_ept_vpid, has_vmfunc;
};

/* Reads only what is advertised (real hardware #GPs otherwise): TRUE
 * controls only if BASIC bit 55; PROCBASED_CTLS2 only if the primary
 * controls' allowed-1 has bit 31; EPT_VPID_CAP only if the secondary
 * allowed-1 has EPT (bit 1) or VPID (bit 5); VMFUNC only if the secondary
 * allowed-1 has "enable VM functions" (bit 13). Precondition: CPUID.1:ECX.VMX
 * = 1, so the unconditional MSRs exist. */
void vmx_caps_read(struct vmx_caps *c, u64 (*read_msr)(u32 msr));

/* The VMCS revision identifier that VMXON and VMPTRLD regions start with. */
u32 vmx_basic_revision(u64 basic);
/* Bytes software must allocate for a VMXON region or a VMCS. */
u32 vmx_basic_vmcs_size(u64 basic);
/* Memory type required for the VMCS and structures it points to (VMX_MEMTYPE_*). */
unsigned vmx_basic_memtype(u64 basic);

/* Whether control bit (0-31) may be 1 according to a *_CTLS MSR (A.3). */
bool vmx_ctl_allowed1(u64 ctl_msr, unsigned bit);
/* Whether control bit (0-31) must be 1 according to a *_CTLS MSR (A.3). */
bool vmx_ctl_must_be1(u64 ctl_msr, unsigned bit);

/* Emits the decode as lines of at most VMX_DESCRIBE_WIDTH characters (long
 * bit lists wrap onto further lines with the same prefix) through
 * line(ctx, text); text is only valid during the call. */
void vmx_caps_describe(const struct vmx_caps *c,
		       void (*line)(void *ctx, const char *text), void *ctx);

#endif
