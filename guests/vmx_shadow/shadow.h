/* vmx_shadow: what VMCS shadowing spares an L1 (issue 7, docs/nested.md),
 * counted by nestvisor itself. The hypercalls of lib/hypercall.h give
 * this vCPU's VM exits by basic reason (NV_HC_EXIT_COUNT_REASON) and say
 * whether nestvisor shadows its VMCS (NV_HC_NESTED); the tests count the
 * VMREAD (23) and VMWRITE (25) exits around L1's own VMREADs and VMWRITEs.
 *
 * With shadowing, VMREAD of a field of the SHADOW_RW and SHADOW_RO
 * classes of vmx/vmcs_fields.def and VMWRITE of a SHADOW_RW field take
 * no exit (SDM Vol. 3C 25.10, 26.1.3: the CPU reads the VMREAD/VMWRITE
 * bitmaps and accesses the shadow VMCS); every other access, and every
 * access without shadowing, exits once. What L1 reads is the same either
 * way. The report lines say so in the same words in both modes; the
 * counts are on INFO lines. Bare there is no nestvisor to count: each
 * test says SKIP. The tests run in vmx_l2's frame (main.c: shuffled
 * order, results in the table's order). */
#ifndef VMX_SHADOW_SHADOW_H
#define VMX_SHADOW_SHADOW_H

#include "../vmx_l2/l2.h"
#include "../../lib/hypercall.h"

/* nestvisor's VM exits of this vCPU for basic exit reason so far. */
static inline u64 nv_exits(u32 reason)
{
	return nv_hypercall(NV_HC_EXIT_COUNT_REASON, reason, 0);
}

/* Whether nestvisor shadows this L1's VMCS (hypercall 5). */
static inline bool shadow_mode(void)
{
	return nv_hypercall(NV_HC_NESTED, 0, 0) & NV_NESTED_SHADOWING;
}

/* A test's start: false, with a SKIP line, when running bare (no
 * nestvisor, no counters); else *on = shadow_mode() and, unless l2 is
 * NULL, l2_prepare(l2): a fresh, valid, current VMCS for L2 at l2 (the
 * test ends with l2_finish()). */
bool shadow_begin(const void *l2, bool *on);

/* The exits one VMREAD or VMWRITE of field enc, which L1's VMCS has,
 * costs: 0 where shadowing (on) serves it from the shadow VMCS, else 1.
 * A SHADOW_RO field is shadowed, for VMREAD and VMWRITE alike, where L1
 * may VMWRITE read-only fields (IA32_VMX_MISC bit 29): nestvisor fills
 * them in the shadow VMCS only where its CPU lets it VMWRITE them, lets L1
 * write them only where it offers L1 the bit, and offers L1 the CPU's bit
 * (nested_vmwrite_any = cpu, the default). The tests VMWRITE SHADOW_RO
 * fields only where L1 may. */
unsigned shadow_exits_per_access(u32 enc, bool on);

/* The report's words for what enc's accesses cost, the same in both
 * modes: "exits as the mode demands (none with shadowing, one each
 * without)" or "one exit each, shadowing or not". */
const char *shadow_exits_words(u32 enc);

/* "shadowing on" or "shadowing off", for INFO lines. */
static inline const char *shadow_mode_name(bool on)
{
	return on ? "shadowing on" : "shadowing off";
}

/* The value a VMWRITE of v to field enc stores: v cut to the field's
 * width (SDM 31.3 VMWRITE; natural width is 64 bits in 64-bit mode). */
u64 shadow_field_value(u32 enc, u64 v);

/* ---- The tests ---- */
void t_shadow_mode(void);
void t_read_loops(void);
void t_write_loops(void);
void t_resume(void);
void t_read_sweep(void);
void t_write_sweep(void);
void t_vmptrld(void);
void t_insn_error(void);

#endif
