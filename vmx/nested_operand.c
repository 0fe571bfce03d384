/* The operands of an L1's VMX instruction (vmx/nested_operand.h): the VMCS
 * gives the instruction information, the displacement and L1's segments
 * and paging state; vmx/vmx_operand.c decodes and checks the address and
 * vmm/guest_walk.c walks L1's page tables. Every physical access goes
 * through guest_ptr(), so L1 reaches only its own memory. */
#include "nested_operand.h"
#include "exit.h"
#include "nested.h"
#include "vmx_operand.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../vmm/console.h"
#include "../vmm/guest_walk.h"

#define VECTOR_PF 14
#define CS_AR_L BIT(13)

static u32 info(void)
{
	return (u32)vmcs_read(VMCS_VMX_INSTRUCTION_INFO);
}

bool nested_64bit_mode(void)
{
	return (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & CS_AR_L);
}

bool nested_operand_is_reg(void)
{
	return vmx_info_is_reg(info());
}

u64 nested_reg1(struct vcpu *v)
{
	u64 value = exit_gpr(v, vmx_info_reg1(info()));

	return nested_64bit_mode() ? value : (u32)value;
}

/* Outside 64-bit mode a 32-bit register write leaves bits 63:32 undefined;
 * nestvisor clears them, as 64-bit mode's 32-bit writes do. */
void nested_set_reg1(struct vcpu *v, u64 value)
{
	exit_set_gpr(v, vmx_info_reg1(info()), nested_64bit_mode() ? value : (u32)value);
}

u64 nested_reg2(struct vcpu *v)
{
	return exit_gpr(v, vmx_info_reg2(info()));
}

/* ES, CS, SS, DS, FS, GS: the VMCS spaces each kind of field evenly. */
static void read_cpu(struct vcpu *v, struct vmx_operand_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	for (unsigned r = 0; r < VMX_GPR_COUNT; r++)
		cpu->gpr[r] = exit_gpr(v, r);
	for (unsigned s = 0; s < VMX_SREG_COUNT; s++) {
		u32 n = s * (VMCS_GUEST_CS_SELECTOR - VMCS_GUEST_ES_SELECTOR);

		cpu->seg[s].base = vmcs_read(VMCS_GUEST_ES_BASE + n);
		cpu->seg[s].limit = (u32)vmcs_read(VMCS_GUEST_ES_LIMIT + n);
		cpu->seg[s].ar = (u32)vmcs_read(VMCS_GUEST_ES_AR_BYTES + n);
	}
	cpu->long_mode = nested_64bit_mode();
	cpu->la57 = false;	/* nestvisor's guests do not get 5-level paging */
}

static bool read_phys(void *opaque, u64 gpa, u64 *value, unsigned size)
{
	const void *p = guest_ptr(opaque, gpa, size);

	if (!p)
		return false;
	*value = 0;
	memcpy(value, p, size);
	return true;
}

static bool write_phys(void *opaque, u64 gpa, u64 value, unsigned size)
{
	void *p = guest_ptr(opaque, gpa, size);

	if (!p)
		return false;
	memcpy(p, &value, size);
	return true;
}

/* L1's paging as L1 sees it: CR0/CR4 bits nestvisor owns come from the
 * read shadows, but paging itself uses the real values, which match for
 * every bit a walk depends on (PG, WP, PAE, PSE, SMAP). */
static void read_mmu(struct vcpu *v, struct guest_mmu *m)
{
	*m = (struct guest_mmu){
		.cr0 = vmcs_read(VMCS_GUEST_CR0),
		.cr3 = vmcs_read(VMCS_GUEST_CR3),
		.cr4 = vmcs_read(VMCS_GUEST_CR4),
		.efer = vmcs_read(VMCS_GUEST_IA32_EFER),
		.rflags = vmcs_read(VMCS_GUEST_RFLAGS),
		.maxphyaddr = v->nested->maxphyaddr,
		.read_phys = read_phys,
		.write_phys = write_phys,
		.opaque = v->guest,
	};
}

/* Decodes the memory operand and translates it; on a fault, injects it and
 * returns false. write: the instruction writes the operand. */
static bool access(struct vcpu *v, void *buf, unsigned size, bool write)
{
	struct vmx_operand_cpu cpu;
	struct vmx_operand op;
	struct guest_mmu m;
	struct guest_walk w;
	int vector;
	bool ok;

	read_cpu(v, &cpu);
	vmx_operand_decode(&cpu, info(), vmcs_read(VMCS_EXIT_QUALIFICATION), size, write, &op);
	if (op.fault != VMX_OPERAND_OK || op.kind != VMX_OPERAND_MEM) {
		vector = vmx_operand_fault_vector(op.fault);
		if (vector < 0) {
			vcpu_stop(v, "VMX instruction: undecodable operand (information 0x%x): %s",
				  info(), op.why);
			return false;
		}
		pr_debug("%s: VMX instruction operand: %s: %s", v->guest->name,
			 vmx_operand_fault_name(op.fault), op.why);
		exit_inject_exception(v, (u8)vector, true, 0);
		return false;
	}
	read_mmu(v, &m);
	ok = write ? guest_write_linear(&m, op.linear, buf, size, &w)
		   : guest_read_linear(&m, op.linear, buf, size, &w);
	if (ok)
		return true;
	switch (w.status) {
	case GUEST_WALK_PF:
		v->regs.cr2 = w.linear;
		exit_inject_exception(v, VECTOR_PF, true, w.error_code);
		break;
	case GUEST_WALK_BAD_GPA:
		if (strcmp(w.entry, "data")) {
			vcpu_stop(v, "VMX instruction operand at 0x%lx: its %s at guest-physical "
				  "0x%lx is outside the guest's memory", op.linear, w.entry, w.gpa);
			return false;
		}
		/* The operand is not L1's memory: the access goes nowhere, as
		 * on a PC where nothing answers; a read gives all ones. */
		pr_info("%s: VMX instruction operand at guest-physical 0x%lx is outside its memory",
			v->guest->name, w.gpa);
		if (write)
			return true;
		memset(buf, 0xff, size);
		return true;
	default:
		vcpu_stop(v, "VMX instruction operand at 0x%lx: %s", op.linear, w.why);
		break;
	}
	return false;
}

bool nested_mem_read(struct vcpu *v, void *buf, unsigned size)
{
	return access(v, buf, size, false);
}

bool nested_mem_write(struct vcpu *v, const void *buf, unsigned size)
{
	return access(v, (void *)buf, size, true);
}
