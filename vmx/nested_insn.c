/* The VMX instructions of an L1, emulated as the SDM's pseudo-code says
 * (Vol. 3C ch. 31, "VMX Instruction Reference"; conventions in 31.2). Every
 * one of them exits from L1 unconditionally (SDM 26.1.2), so nestvisor sees
 * each execution and decides, in the SDM's order:
 *   1. #UD: outside VMX operation (VMXON: CR4.VMXE = 0), real or virtual-8086
 *      mode, compatibility mode; INVEPT/INVVPID where not offered;
 *   2. #GP(0) for CPL > 0;
 *   3. the VMfail cases that need no operand (no current VMCS);
 *   4. the operand: decoded and read, with its faults (#GP, #SS, #PF);
 *   5. the VMfail cases on the operand's value, then the work, VMsucceed.
 * Where the pseudo-code leaves the order of 3 and 4 open, it follows what
 * processors do (and Bochs, the reference of the differential run): the
 * memory operand is read after the "no current VMCS" check for VMREAD and
 * VMWRITE, and first for the others, and a VMREAD's destination is written
 * last. */
#include "nested.h"
#include "intr_info.h"
#include "nested_operand.h"
#include "nested_entry.h"
#include "nested_run.h"
#include "nested_shadow.h"
#include "exit.h"
#include "vmx_errors.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../vmm/console.h"

#define VECTOR_UD 6
#define VECTOR_GP 13

#define RFLAGS_VM BIT(17)
#define CS_AR_L BIT(13)
#define AR_DPL(ar) (((ar) >> 5) & 3)
#define REVISION_SHADOW BIT(31)
#define PAGE_MASK_4K 0xfffull
#define INVVPID_INDIVIDUAL_ADDRESS 0
#define INVVPID_ALL_CONTEXT 2
#define CANONICAL_BITS 48

/* --- outcomes (SDM 31.2) --------------------------------------------------- */

static void set_arith_flags(u64 flags)
{
	vmcs_write(VMCS_GUEST_RFLAGS, (vmcs_read(VMCS_GUEST_RFLAGS) & ~(u64)RFLAGS_STATUS) | flags);
}

static void vm_succeed(struct vcpu *v)
{
	set_arith_flags(0);
	exit_skip_instruction(v);
}

static void vm_fail_invalid(struct vcpu *v)
{
	set_arith_flags(RFLAGS_CF);
	exit_skip_instruction(v);
}

/* VMfail(error): VMfailValid into the current vmcs12 if there is one,
 * else VMfailInvalid. */
static void vm_fail(struct vcpu *v, enum vmx_insn_error error)
{
	struct nested *n = v->nested;

	pr_debug("%s: VMfail %u (%s)", v->guest->name, error, vmx_instruction_error_name(error));
	if (n->current_ptr == VMCS12_NONE) {
		vm_fail_invalid(v);
		return;
	}
	vmcs12_write(n->current, VMCS_VM_INSTRUCTION_ERROR, error);
	nested_shadow_publish_field(v, VMCS_VM_INSTRUCTION_ERROR);
	set_arith_flags(RFLAGS_ZF);
	exit_skip_instruction(v);
}

/* --- L1's state ------------------------------------------------------------ */

/* What L1 sees of a control register: its own bits where nestvisor owns
 * them (the read shadow), the real ones elsewhere. */
static u64 visible_cr(u32 field, u32 mask_field, u32 shadow_field)
{
	u64 mask = vmcs_read(mask_field);

	return (vmcs_read(field) & ~mask) | (vmcs_read(shadow_field) & mask);
}

static u64 visible_cr0(void)
{
	return visible_cr(VMCS_GUEST_CR0, VMCS_CR0_GUEST_HOST_MASK, VMCS_CR0_READ_SHADOW);
}

static u64 visible_cr4(void)
{
	return visible_cr(VMCS_GUEST_CR4, VMCS_CR4_GUEST_HOST_MASK, VMCS_CR4_READ_SHADOW);
}

/* Real or virtual-8086 mode, or compatibility mode: #UD for every VMX
 * instruction (SDM 31.3, each instruction's first line). */
static bool wrong_mode(void)
{
	bool lma = vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA;

	return !(vmcs_read(VMCS_GUEST_CR0) & CR0_PE) || (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_VM) ||
	       (lma && !(vmcs_read(VMCS_GUEST_CS_AR_BYTES) & CS_AR_L));
}

static unsigned cpl(void)
{
	return AR_DPL(vmcs_read(VMCS_GUEST_SS_AR_BYTES));
}

/* Steps 1 and 2 for every instruction but VMXON; true if it may go on. */
static bool may_execute(struct vcpu *v)
{
	if (!v->nested->vmxon || wrong_mode()) {
		exit_inject_exception(v, VECTOR_UD, false, 0);
		return false;
	}
	if (cpl() > 0) {
		exit_inject_exception(v, VECTOR_GP, true, 0);
		return false;
	}
	return true;
}

/* A VMXON/VMCS pointer: 4 KiB-aligned and within the physical-address width. */
static bool valid_pointer(const struct nested *n, u64 addr)
{
	return !(addr & PAGE_MASK_4K) && !(addr >> n->maxphyaddr);
}

/* L1's 32-bit revision word at gpa; all ones where it has no memory, as a
 * read of nothing returns on a PC. */
static u32 read_revision(struct vcpu *v, u64 gpa)
{
	const u32 *p = guest_ptr(v->guest, gpa, sizeof(*p));

	return p ? *p : ~0u;
}

/* The 64-bit pointer operand of VMXON, VMCLEAR and VMPTRLD. */
static bool read_pointer(struct vcpu *v, u64 *addr)
{
	return nested_mem_read(v, addr, sizeof(*addr));
}

/* VMCLEAR's and VMPTRLD's operand (SDM 31.3): read, then refused with
 * VMfail(invalid) when misaligned or too wide, VMfail(vmxon) when it is the
 * VMXON pointer. True if the instruction goes on with *addr. */
static bool vmcs_pointer(struct vcpu *v, u64 *addr, enum vmx_insn_error invalid,
			 enum vmx_insn_error vmxon)
{
	const struct nested *n = v->nested;

	if (!may_execute(v) || !read_pointer(v, addr))
		return false;
	if (!valid_pointer(n, *addr)) {
		vm_fail(v, invalid);
		return false;
	}
	if (*addr == n->vmxon_ptr) {
		vm_fail(v, vmxon);
		return false;
	}
	return true;
}

/* --- the vmcs12 cache ------------------------------------------------------- */

static struct vmcs12_slot *cached(struct nested *n, u64 gpa)
{
	for (unsigned i = 0; i < NESTED_CACHE; i++)
		if (n->cache[i].gpa == gpa)
			return &n->cache[i];
	return NULL;
}

/* Copies a vmcs12 back to L1's VMCS region (dropped where L1 has no memory). */
static void write_back(struct vcpu *v, struct vmcs12_slot *s)
{
	void *dst = guest_ptr(v->guest, s->gpa, sizeof(*s->v));

	if (dst)
		memcpy(dst, s->v, sizeof(*s->v));
}

static void drop(struct vcpu *v, struct vmcs12_slot *s)
{
	write_back(v, s);
	s->gpa = VMCS12_NONE;
}

/* The slot for gpa: cached, or the least recently used one refilled from
 * L1's region (which the caller has checked is L1's memory). */
static struct vmcs12_slot *load(struct vcpu *v, u64 gpa)
{
	struct nested *n = v->nested;
	struct vmcs12_slot *s = cached(n, gpa), *lru = &n->cache[0];

	if (!s) {
		for (unsigned i = 1; i < NESTED_CACHE; i++)
			if (n->cache[i].last_use < lru->last_use)
				lru = &n->cache[i];
		if (lru->gpa != VMCS12_NONE)
			write_back(v, lru);
		s = lru;
		s->gpa = gpa;
		memcpy(s->v, guest_ptr(v->guest, gpa, sizeof(*s->v)), sizeof(*s->v));
	}
	s->last_use = ++n->uses;
	return s;
}

/* The current VMCS stops being current: its data, with what L1 wrote
 * into the shadow VMCS, goes back to memory. */
static void release_current(struct vcpu *v)
{
	struct nested *n = v->nested;
	struct vmcs12_slot *s = cached(n, n->current_ptr);

	nested_shadow_collect(v);
	if (s)
		write_back(v, s);
	n->current_ptr = VMCS12_NONE;
	n->current = NULL;
}

/* --- the instructions ------------------------------------------------------- */

/* In VMX operation, writes that clear PE or PG must exit so they can be
 * refused (nested_cr0_allowed); outside it they are L1's own business. */
static void own_cr0_paging_bits(bool own)
{
	u64 mask = vmcs_read(VMCS_CR0_GUEST_HOST_MASK);
	u64 bits = CR0_PE | CR0_PG;

	if (own) {
		vmcs_write(VMCS_CR0_READ_SHADOW, (vmcs_read(VMCS_CR0_READ_SHADOW) & ~bits) |
						  (vmcs_read(VMCS_GUEST_CR0) & bits));
		vmcs_write(VMCS_CR0_GUEST_HOST_MASK, mask | bits);
	} else {
		vmcs_write(VMCS_CR0_GUEST_HOST_MASK, mask & ~bits);
	}
}

/* VMXON (SDM 31.3): the #UD and #GP conditions include CR4.VMXE, the fixed
 * CR0/CR4 bits and IA32_FEATURE_CONTROL (always locked with VMX outside SMX
 * for an L1: vvmx_caps.h). */
static void emulate_vmxon(struct vcpu *v)
{
	struct nested *n = v->nested;
	u64 addr;
	u32 rev;

	if (!(visible_cr4() & CR4_VMXE) || wrong_mode()) {
		exit_inject_exception(v, VECTOR_UD, false, 0);
		return;
	}
	if (n->vmxon) {
		if (cpl() > 0)
			exit_inject_exception(v, VECTOR_GP, true, 0);
		else
			vm_fail(v, VMXERR_VMXON_IN_ROOT);
		return;
	}
	/* CR0.NE among the fixed bits. */
	if (cpl() > 0 || !nested_crs_fit_vmx(v, visible_cr0(), visible_cr4())) {
		exit_inject_exception(v, VECTOR_GP, true, 0);
		return;
	}
	if (!read_pointer(v, &addr))
		return;
	rev = read_revision(v, addr);
	if (!valid_pointer(n, addr) || (rev & REVISION_SHADOW) || rev != vvmx_revision(&n->caps)) {
		pr_debug("%s: VMXON 0x%lx: VMfailInvalid (%s)", v->guest->name, addr,
			 !valid_pointer(n, addr) ? "bad address" : "bad revision");
		vm_fail_invalid(v);
		return;
	}
	n->vmxon = true;
	n->vmxon_ptr = addr;
	n->current_ptr = VMCS12_NONE;
	n->current = NULL;
	own_cr0_paging_bits(true);
	vm_succeed(v);
}

static void emulate_vmxoff(struct vcpu *v)
{
	struct nested *n = v->nested;

	if (!may_execute(v))
		return;
	release_current(v);
	for (unsigned i = 0; i < NESTED_CACHE; i++)
		if (n->cache[i].gpa != VMCS12_NONE)
			drop(v, &n->cache[i]);
	n->vmxon = false;
	nested_shadow_follow_current(v);
	own_cr0_paging_bits(false);
	vm_succeed(v);
}

static void emulate_vmclear(struct vcpu *v)
{
	struct nested *n = v->nested;
	struct vmcs12_slot *s;
	u32 *launch;
	u64 addr;

	if (!vmcs_pointer(v, &addr, VMXERR_VMCLEAR_INVALID_ADDR, VMXERR_VMCLEAR_VMXON_PTR))
		return;
	/* The data goes to memory with the launch state "clear". */
	if (addr == n->current_ptr)
		nested_shadow_collect(v);
	s = cached(n, addr);
	if (s) {
		s->v->launch_state = VMCS12_CLEAR;
		drop(v, s);
	} else if ((launch = guest_ptr(v->guest, addr + __builtin_offsetof(struct vmcs12, launch_state),
				       sizeof(*launch)))) {
		*launch = VMCS12_CLEAR;
	}
	if (addr == n->current_ptr) {
		n->current_ptr = VMCS12_NONE;
		n->current = NULL;
		nested_shadow_follow_current(v);
	}
	vm_succeed(v);
}

static void emulate_vmptrld(struct vcpu *v)
{
	struct nested *n = v->nested;
	u64 addr;
	u32 rev;

	if (!vmcs_pointer(v, &addr, VMXERR_VMPTRLD_INVALID_ADDR, VMXERR_VMPTRLD_VMXON_PTR))
		return;
	/* Bit 31 marks a shadow VMCS, which only a CPU offering VMCS
	 * shadowing accepts (SDM 25.2); nestvisor does not offer it yet. */
	rev = read_revision(v, addr);
	if (rev != vvmx_revision(&n->caps) || !guest_ptr(v->guest, addr, sizeof(struct vmcs12))) {
		vm_fail(v, VMXERR_VMPTRLD_BAD_REVISION);
		return;
	}
	if (addr != n->current_ptr) {
		release_current(v);
		n->current = load(v, addr)->v;
		n->current_ptr = addr;
		nested_shadow_follow_current(v);
	}
	vm_succeed(v);
}

static void emulate_vmptrst(struct vcpu *v)
{
	u64 ptr = v->nested->current_ptr;

	if (!may_execute(v) || !nested_mem_write(v, &ptr, sizeof(ptr)))
		return;
	vm_succeed(v);
}

/* The first steps of VMREAD, VMWRITE, VMLAUNCH and VMRESUME: #UD/#GP, then
 * VMfailInvalid with no current VMCS (SDM 31.3). True if it goes on. */
static bool has_current_vmcs(struct vcpu *v)
{
	if (!may_execute(v))
		return false;
	if (v->nested->current_ptr == VMCS12_NONE) {
		vm_fail_invalid(v);
		return false;
	}
	return true;
}

/* The field encoding operand: 64 bits in 64-bit mode, whose bits 63:32
 * must be 0, else 32 (SDM 31.3 VMREAD). */
static u64 field_operand(struct vcpu *v)
{
	u64 enc = nested_reg2(v);

	return nested_64bit_mode() ? enc : (u32)enc;
}

static bool supported_field(const struct nested *n, u64 enc)
{
	int row = enc >> 32 ? -1 : vmcs_field_row((u32)enc);

	return row >= 0 && (n->field_ok[row / 8] & BIT(row % 8));
}

static void emulate_vmread(struct vcpu *v)
{
	struct nested *n = v->nested;
	unsigned size = nested_64bit_mode() ? 8 : 4;
	u64 enc, value = 0;

	if (!has_current_vmcs(v))
		return;
	enc = field_operand(v);
	if (!supported_field(n, enc)) {
		vm_fail(v, VMXERR_UNSUPPORTED_COMPONENT);
		return;
	}
	vmcs12_read(n->current, (u32)enc, &value);
	if (size == 4)
		value = (u32)value;
	if (nested_operand_is_reg())
		nested_set_reg1(v, value);
	else if (!nested_mem_write(v, &value, size))
		return;
	vm_succeed(v);
}

static void emulate_vmwrite(struct vcpu *v)
{
	struct nested *n = v->nested;
	unsigned size = nested_64bit_mode() ? 8 : 4;
	u64 enc, value = 0;

	if (!has_current_vmcs(v))
		return;
	if (nested_operand_is_reg())
		value = nested_reg1(v);
	else if (!nested_mem_read(v, &value, size))
		return;
	if (size == 4)
		value = (u32)value;
	enc = field_operand(v);
	if (!supported_field(n, enc)) {
		vm_fail(v, VMXERR_UNSUPPORTED_COMPONENT);
		return;
	}
	if (vmcs_field_read_only((u32)enc) && !n->vmwrite_any) {
		vm_fail(v, VMXERR_VMWRITE_READ_ONLY);
		return;
	}
	vmcs12_write(n->current, (u32)enc, value);
	nested_shadow_publish_field(v, (u32)enc);
	vm_succeed(v);
}

static bool canonical(u64 addr)
{
	return (u64)((s64)(addr << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS)) == addr;
}

/* INVVPID (SDM 31.3). All of L1's VPIDs map to L2's one VPID of nestvisor's
 * (vmx/nested_vmcs02.c), so any valid INVVPID flushes that one: more than
 * L1 asked for, which INVVPID allows (29.4.3.3). */
static void emulate_invvpid(struct vcpu *v)
{
	struct nested *n = v->nested;
	u64 desc[2], type;

	if (!vvmx_vpid_offered(&n->caps)) {
		exit_inject_exception(v, VECTOR_UD, false, 0);
		return;
	}
	if (!may_execute(v))
		return;
	type = nested_reg2(v);
	if (!nested_64bit_mode())
		type = (u32)type;
	if (!nested_mem_read(v, desc, sizeof(desc)))
		return;
	if (!vvmx_invvpid_type(&n->caps, type) || desc[0] > 0xffff ||
	    (desc[0] == 0 && type != INVVPID_ALL_CONTEXT) ||
	    (type == INVVPID_INDIVIDUAL_ADDRESS && !canonical(desc[1]))) {
		vm_fail(v, VMXERR_INVEPT_INVVPID_OPERAND);
		return;
	}
	nested_flush_vpid(n->vpid02);
	vm_succeed(v);
}

/* INVEPT is an invalid opcode to an L1 that was not offered EPT. */
static void emulate_invept(struct vcpu *v)
{
	exit_inject_exception(v, VECTOR_UD, false, 0);
}

/* VMLAUNCH and VMRESUME: the checks before any VMCS content (SDM 31.3:
 * no current VMCS, blocking by MOV SS, the launch state), then those of
 * check_and_enter(). */

/* A VM-entry failure (27.8): the exit to L1 with bit 31 set. */
static void entry_failure_exit(struct vcpu *v, u32 reason, u64 qualification)
{
	struct nested_exit_info e = {
		.reason = reason | EXIT_REASON_FAILED_VMENTRY, .qualification = qualification,
	};

	nested_exit_to_l1(v, &e);
}

/* The checks of the VMCS content (SDM 27.2-27.4), each failure as the SDM
 * gives it; an entry that passes them all runs L2. */
static void check_and_enter(struct vcpu *v, bool launch)
{
	struct nested_check c;

	switch (nested_check_entry(v, &c)) {
	case NESTED_FAIL_CONTROL:
		pr_debug("%s: nested entry: invalid control: %s", v->guest->name, c.why);
		vm_fail(v, VMXERR_ENTRY_INVALID_CONTROL);
		break;
	case NESTED_FAIL_HOST:
		pr_debug("%s: nested entry: invalid host state: %s", v->guest->name, c.why);
		vm_fail(v, VMXERR_ENTRY_INVALID_HOST_STATE);
		break;
	case NESTED_FAIL_GUEST:
		pr_debug("%s: nested entry: invalid guest state (SDM %s): %s", v->guest->name,
			 c.failure.sdm, c.why);
		entry_failure_exit(v, EXIT_REASON_INVALID_GUEST_STATE, c.qualification);
		break;
	case NESTED_FAIL_MSR_LOAD:
		pr_debug("%s: nested entry: VM-entry MSR-load entry %u: %s", v->guest->name,
			 c.msr_index, c.why);
		entry_failure_exit(v, EXIT_REASON_MSR_LOAD_FAIL, c.msr_index);
		break;
	case NESTED_ENTRY_OK:
		if (nested_vmcs02_enter(v) && launch)
			v->nested->current->launch_state = VMCS12_LAUNCHED;
		break;
	}
}

static void emulate_vmentry(struct vcpu *v)
{
	struct nested *n = v->nested;
	bool launch = (vmcs_read(VMCS_VM_EXIT_REASON) & EXIT_REASON_BASIC_MASK) ==
		      EXIT_REASON_VMLAUNCH;

	if (!has_current_vmcs(v))
		return;
	nested_shadow_collect(v);
	if (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) & INTR_BLOCK_MOV_SS)
		vm_fail(v, VMXERR_ENTRY_MOV_SS_BLOCKING);
	else if (launch && n->current->launch_state != VMCS12_CLEAR)
		vm_fail(v, VMXERR_VMLAUNCH_NONCLEAR_VMCS);
	else if (!launch && n->current->launch_state != VMCS12_LAUNCHED)
		vm_fail(v, VMXERR_VMRESUME_NONLAUNCHED_VMCS);
	else
		check_and_enter(v, launch);
}

typedef void (*emulate_fn)(struct vcpu *v);

static const emulate_fn emulate[] = {
	[EXIT_REASON_VMCLEAR] = emulate_vmclear,
	[EXIT_REASON_VMLAUNCH] = emulate_vmentry,
	[EXIT_REASON_VMPTRLD] = emulate_vmptrld,
	[EXIT_REASON_VMPTRST] = emulate_vmptrst,
	[EXIT_REASON_VMREAD] = emulate_vmread,
	[EXIT_REASON_VMRESUME] = emulate_vmentry,
	[EXIT_REASON_VMWRITE] = emulate_vmwrite,
	[EXIT_REASON_VMXOFF] = emulate_vmxoff,
	[EXIT_REASON_VMXON] = emulate_vmxon,
	[EXIT_REASON_INVEPT] = emulate_invept,
	[EXIT_REASON_INVVPID] = emulate_invvpid,
};

void exit_vmx_instruction(struct vcpu *v)
{
	u32 reason = vmcs_read(VMCS_VM_EXIT_REASON) & EXIT_REASON_BASIC_MASK;

	/* A guest offered no VMX: #UD, as on a CPU without it. */
	if (!v->nested || reason >= ARRAY_SIZE(emulate) || !emulate[reason]) {
		exit_inject_exception(v, VECTOR_UD, false, 0);
		return;
	}
	emulate[reason](v);
}
