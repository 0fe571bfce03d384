/* MSR and control-register exits. EFER and the SYSCALL MSRs pass through
 * the MSR bitmap, and the x2APIC TPR where the CPU virtualizes it
 * (vmm/vapic.c); the virtual x2APIC's other MSRs exit to vmm/vlapic.c and,
 * for an L1, the VMX capability MSRs are emulated (vmx/nested.h); every
 * other RDMSR/WRMSR gets #GP(0). CR0 and CR4 writes exit when they touch a
 * bit nestvisor owns (the guest/host masks of vmx/vmcs.c); the guest sees
 * its own value in the read shadow. MOV CR8 exits only where the CPU has no
 * TPR shadow. */
#include "exit.h"
#include "nested.h"
#include "vmcs_field.h"
#include "vmx_controls.h"
#include "../lib/msr.h"
#include "../lib/x86.h"
#include "../vmm/console.h"
#include "../vmm/percpu.h"
#include "../vmm/vapic.h"

#define VECTOR_UD 6
#define VECTOR_GP 13

/* Exit qualification for control-register accesses (SDM Table 28-3). */
#define CR_NUMBER(q) ((q) & 0xf)
#define CR_ACCESS_TYPE(q) (((q) >> 4) & 3)
#define CR_ACCESS_MOV_TO 0
#define CR_ACCESS_MOV_FROM 1
#define CR_GPR(q) (((q) >> 8) & 0xf)

static void deny_msr(struct vcpu *v, const char *op)
{
	pr_debug("%s: %s of MSR 0x%x: not on the allow list: #GP", v->guest->name, op,
		 (u32)v->regs.rcx);
	exit_inject_exception(v, VECTOR_GP, true, 0);
}

/* The virtual x2APIC's MSRs go to the vCPU's vlapic; every other MSR that
 * exits is not on the allow list. */
void exit_msr_read(struct vcpu *v)
{
	u32 msr = (u32)v->regs.rcx;
	u64 value;

	if (!nested_rdmsr(v, msr, &value) &&
	    (!vlapic_owns_msr(msr) || vlapic_rdmsr(&v->apic, msr, rdtsc(), &value) != VLAPIC_OK)) {
		deny_msr(v, "RDMSR");
		return;
	}
	v->regs.rax = (u32)value;
	v->regs.rdx = value >> 32;
	exit_skip_instruction(v);
}

void exit_msr_write(struct vcpu *v)
{
	u32 msr = (u32)v->regs.rcx;
	u64 value = (v->regs.rdx << 32) | (u32)v->regs.rax;
	struct vlapic_ipi ipi;
	enum vlapic_result r = vlapic_owns_msr(msr) ?
		vlapic_wrmsr(&v->apic, msr, value, rdtsc(), &ipi) : VLAPIC_GP;

	if (r == VLAPIC_GP) {
		deny_msr(v, "WRMSR");
		return;
	}
	if (r == VLAPIC_SEND_IPI)
		vcpu_send_ipi(v, &ipi);
	if (msr == MSR_IA32_APIC_BASE)
		vapic_apic_mode_changed(v);
	exit_skip_instruction(v);
}

/* MOV to CR0 with the guest's value: nestvisor keeps its forced bits set in
 * the real CR0 and shows the guest what it wrote. When the write turns
 * paging on or off with EFER.LME set, this is where long mode starts or ends
 * (SDM 10.8.5): EFER.LMA and "IA-32e mode guest" follow. */
static void guest_write_cr0(struct vcpu *v, u64 val, const struct vmx_caps *c)
{
	u64 forced = c->cr0_fixed0 & ~(u64)(CR0_PE | CR0_PG);
	u64 efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	u64 entry = vmcs_read(VMCS_VM_ENTRY_CONTROLS);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || !nested_cr0_allowed(v, val)) {
		exit_inject_exception(v, VECTOR_GP, true, 0);
		return;
	}
	if ((val & CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~ENTRY_IA32E_MODE_GUEST;
	}
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, entry);
	vmcs_write(VMCS_GUEST_CR0, (val | forced) & c->cr0_fixed1);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	exit_skip_instruction(v);
}

/* MOV to CR4: CR4.VMXE stays set underneath and reads as the guest wrote it.
 * A guest offered no VMX gets #GP for setting it, as on a CPU without VMX;
 * an L1 in VMX operation for clearing it (vmx/nested.h). */
static void guest_write_cr4(struct vcpu *v, u64 val, const struct vmx_caps *c)
{
	if (!nested_cr4_allowed(v, val) || (val & ~c->cr4_fixed1)) {
		exit_inject_exception(v, VECTOR_GP, true, 0);
		return;
	}
	vmcs_write(VMCS_GUEST_CR4, val | c->cr4_fixed0);
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	exit_skip_instruction(v);
}

/* MOV to/from CR8, without a TPR shadow: the virtual APIC's TPR (SDM Vol.
 * 3A, 11.8.6). Only 64-bit code can name CR8, so no mode check is needed. */
static void guest_mov_cr8(struct vcpu *v, u64 q)
{
	if (CR_ACCESS_TYPE(q) == CR_ACCESS_MOV_FROM) {
		exit_set_gpr(v, CR_GPR(q), vlapic_read_cr8(&v->apic));
	} else if (vlapic_write_cr8(&v->apic, exit_gpr(v, CR_GPR(q))) != VLAPIC_OK) {
		exit_inject_exception(v, VECTOR_GP, true, 0);
		return;
	}
	exit_skip_instruction(v);
}

void exit_cr_access(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	const struct vmx_caps *c = &this_cpu()->vmx.caps;

	if (CR_ACCESS_TYPE(q) == CR_ACCESS_MOV_TO && CR_NUMBER(q) == 0)
		guest_write_cr0(v, exit_gpr(v, CR_GPR(q)), c);
	else if (CR_ACCESS_TYPE(q) == CR_ACCESS_MOV_TO && CR_NUMBER(q) == 4)
		guest_write_cr4(v, exit_gpr(v, CR_GPR(q)), c);
	else if ((CR_ACCESS_TYPE(q) == CR_ACCESS_MOV_TO || CR_ACCESS_TYPE(q) == CR_ACCESS_MOV_FROM) &&
		 CR_NUMBER(q) == 8)
		guest_mov_cr8(v, q);
	else
		vcpu_stop(v, "unexpected control-register access (qualification 0x%lx)", q);
}

