/* vmx_l1: a test guest that is a hypervisor (L1) and checks every VMX
 * instruction's success and failure cases against the SDM. Bare it meets
 * the CPU's (Bochs') VMX, virtualized nestvisor's emulation of it; the two
 * runs must print the same PASS/FAIL lines (test/equivalence.py), so a
 * line never carries an address, a revision id or anything else that
 * differs between runs: those go on INFO lines.
 *
 * The checks are split by subject, one file each, all run by main.c in
 * order; they share the pages and capabilities below. */
#ifndef VMX_L1_L1_H
#define VMX_L1_L1_H

#include "../lib/guest.h"
#include "../lib/user.h"
#include "../lib/vmx.h"

#define CR0_NE BIT(5)		/* numeric error: fixed to 1 in VMX operation */

struct l1 {
	struct vmx_features f;
	u64 vmxon;		/* the VMXON region (physical) */
	u64 vmcs_a, vmcs_b;	/* two VMCSs with the right revision id */
	u64 bad_rev;		/* a page whose revision id is wrong */
	u64 shadow;		/* the right revision id with bit 31 (shadow VMCS) */
	u64 beyond;		/* the first page beyond the physical-address width */
	u64 absent;		/* the last page within the width: no memory there */
	u8 *scratch;		/* a page for memory operands */
	u8 *hole;		/* the page after scratch, not present */
	u8 *hole_low;		/* the page before scratch, not present */
};

/* A page's physical address (the guest's map is the identity). */
static inline u64 pa_of(const void *p)
{
	return ptr_to_phys(p);
}

/* The groups of checks, in the order main.c runs them; each states the VMX
 * state it expects and leaves. */
void test_outside_vmx(struct l1 *l1);		/* outside.c: not in VMX operation */
bool test_vmxon(struct l1 *l1);			/* outside.c: failures, then success */
void test_no_current_vmcs(struct l1 *l1);	/* pointers.c */
void test_pointers(struct l1 *l1);		/* pointers.c: A current afterwards */
void test_fields(struct l1 *l1);		/* fields.c */
void test_operand_forms(struct l1 *l1);		/* forms.c */
void test_operand_faults(struct l1 *l1);	/* faults.c */
void test_invalidation(struct l1 *l1);		/* inv.c */
void test_privilege(struct l1 *l1);		/* privilege.c: CPL 3, modes, CR0/CR4 */
void test_launch_state(struct l1 *l1);		/* pointers.c */
void test_vmxoff(struct l1 *l1);		/* outside.c: leaves VMX operation */

#endif
