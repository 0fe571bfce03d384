#include "vmx.h"
#include "catch.h"
#include "user.h"
#include "../../lib/fmt.h"
#include "../../lib/msr.h"
#include "../../lib/x86.h"

#define CPUID_FEATURES 0x1
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_EXT_MAX 0x80000000u
#define CPUID_ADDRESS_SIZES 0x80000008u	/* EAX[7:0]: MAXPHYADDR */
#define MAXPHYADDR_MASK 0xff
#define MAXPHYADDR_DEFAULT 36		/* without the leaf (SDM Vol. 3, 4.1.4) */
#define VMX_ADDR_32BIT_WIDTH 32

u32 vmx_instruction_error(void)
{
	u64 error = 0;

	if (vmx_outcome_of(vmx_vmread(VMCS_VM_INSTRUCTION_ERROR, &error)) != VMX_SUCCEED)
		return VMX_ERROR_UNREADABLE;
	return (u32)error;
}

static const char *const insn_names[VMX_INSN_COUNT] = {
	[VMX_INSN_VMXON] = "VMXON",
	[VMX_INSN_VMXOFF] = "VMXOFF",
	[VMX_INSN_VMCLEAR] = "VMCLEAR",
	[VMX_INSN_VMPTRLD] = "VMPTRLD",
	[VMX_INSN_VMPTRST] = "VMPTRST",
	[VMX_INSN_VMREAD] = "VMREAD",
	[VMX_INSN_VMWRITE] = "VMWRITE",
	[VMX_INSN_INVEPT] = "INVEPT",
	[VMX_INSN_INVVPID] = "INVVPID",
	[VMX_INSN_VMLAUNCH] = "VMLAUNCH",
	[VMX_INSN_VMRESUME] = "VMRESUME",
};

const char *vmx_insn_name(enum vmx_insn insn)
{
	return insn < VMX_INSN_COUNT ? insn_names[insn] : "unknown VMX instruction";
}

/* The attempt vmx_try_run() is making: its runner takes no argument, so
 * that a fault can abandon it. */
static struct vmx_try *running;

static u64 run_insn(struct vmx_try *t)
{
	if (t->sequence)
		return t->sequence();
	switch (t->insn) {
	case VMX_INSN_VMXON:
		return vmx_vmxon(t->mem);
	case VMX_INSN_VMXOFF:
		return vmx_vmxoff();
	case VMX_INSN_VMCLEAR:
		return vmx_vmclear(t->mem);
	case VMX_INSN_VMPTRLD:
		return vmx_vmptrld(t->mem);
	case VMX_INSN_VMPTRST:
		return vmx_vmptrst(t->mem);
	case VMX_INSN_VMREAD:
		return t->reg ? vmx_vmread(t->field, &t->value) : vmx_vmread_mem(t->field, t->mem);
	case VMX_INSN_VMWRITE:
		return t->reg ? vmx_vmwrite(t->field, t->value) : vmx_vmwrite_mem(t->field, t->mem);
	case VMX_INSN_INVEPT:
		return vmx_invept(t->type, t->mem);
	case VMX_INSN_INVVPID:
		return vmx_invvpid(t->type, t->mem);
	case VMX_INSN_VMLAUNCH:
		return vmx_vmlaunch();
	case VMX_INSN_VMRESUME:
		return vmx_vmresume();
	case VMX_INSN_COUNT:
		break;
	}
	/* A test bug; at CPL 3 panic() would fault, so fault on purpose. */
	__builtin_trap();
}

static void run_running(void)
{
	running->rflags = run_insn(running);
}

void vmx_try_run(struct vmx_try *t)
{
	bool faulted;

	running = t;
	t->rflags = 0;
	t->error = 0;
	t->fault = (struct trap_fault){ 0 };
	faulted = t->user ? user_run(run_running, &t->fault) : catch_fault(run_running, &t->fault);
	running = NULL;
	if (faulted) {
		t->outcome = VMX_FAULT;
		return;
	}
	t->outcome = vmx_outcome_of(t->rflags);
	if (t->outcome == VMX_FAIL_VALID)
		t->error = vmx_instruction_error();
}

/* Exceptions that push an error code (SDM Vol. 3, Table 6-1). */
static bool has_error_code(unsigned vector)
{
	return vector == VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) ||
	       vector == VEC_AC || vector == VEC_CP;
}

static const char *vector_words(unsigned vector)
{
	switch (vector) {
	case VEC_UD: return "#UD";
	case VEC_SS: return "#SS";
	case VEC_GP: return "#GP";
	case VEC_PF: return "#PF";
	case VEC_TS: return "#TS";
	case VEC_NP: return "#NP";
	case VEC_AC: return "#AC";
	case VEC_DE: return "#DE";
	case VEC_DB: return "#DB";
	case VEC_BP: return "#BP";
	default: return NULL;
	}
}

void vmx_outcome_words(char *buf, size_t size, enum vmx_outcome o, u32 error,
		       unsigned vector, u64 error_code, u64 rflags)
{
	const char *name;

	switch (o) {
	case VMX_SUCCEED:
		fmt_snprintf(buf, size, "VMsucceed");
		return;
	case VMX_FAIL_INVALID:
		fmt_snprintf(buf, size, "VMfailInvalid");
		return;
	case VMX_FAIL_VALID:
		if (error == VMX_ERROR_UNREADABLE)
			fmt_snprintf(buf, size, "VMfailValid (VM-instruction error unreadable)");
		else
			fmt_snprintf(buf, size, "VMfailValid(%u: %s)", error,
				     vmx_instruction_error_name(error));
		return;
	case VMX_MALFORMED:
		fmt_snprintf(buf, size, "malformed status (RFLAGS 0x%lx)", rflags);
		return;
	case VMX_FAULT:
		name = vector_words(vector);
		if (!name)
			fmt_snprintf(buf, size, "exception %u (error code 0x%lx)", vector, error_code);
		else if (has_error_code(vector) && error_code)
			fmt_snprintf(buf, size, "%s(0x%lx)", name, error_code);
		else if (has_error_code(vector))
			fmt_snprintf(buf, size, "%s(0)", name);
		else
			fmt_snprintf(buf, size, "%s", name);
		return;
	}
	fmt_snprintf(buf, size, "unknown outcome %d", (int)o);
}

static u64 read_msr(u32 msr)
{
	return rdmsr(msr);
}

static unsigned maxphyaddr(void)
{
	if (cpuid(CPUID_EXT_MAX, 0).eax < CPUID_ADDRESS_SIZES)
		return MAXPHYADDR_DEFAULT;
	return cpuid(CPUID_ADDRESS_SIZES, 0).eax & MAXPHYADDR_MASK;
}

bool vmx_features_read(struct vmx_features *f)
{
	const struct vmx_caps *c = &f->caps;
	u64 ept_vpid;

	*f = (struct vmx_features){ .eptp_memtype = ~0ull };
	if (!(cpuid(CPUID_FEATURES, 0).ecx & CPUID_1_ECX_VMX))
		return false;
	vmx_caps_read(&f->caps, read_msr);
	ept_vpid = c->ept_vpid;
	f->revision = vmx_basic_revision(c->basic);
	/* A.1: bit 48 limits these addresses to 32 bits; otherwise the
	 * physical-address width is the processor's (CPUID 0x80000008). */
	f->pa_width = c->basic & VMX_BASIC_ADDR_32BIT ? VMX_ADDR_32BIT_WIDTH : maxphyaddr();
	f->vmwrite_any = c->misc & VMX_MISC_VMWRITE_ANY_FIELD;
	f->shadowing = c->has_procbased2 &&
		       vmx_ctl_allowed1(c->procbased2, VMX_PROC2_VMCS_SHADOWING_BIT);
	/* INVEPT is #UD without EPT or without INVEPT support, INVVPID the
	 * same with VPID (SDM Vol. 3C 31.3, INVEPT/INVVPID exceptions). */
	f->invept = c->has_ept_vpid && vmx_ctl_allowed1(c->procbased2, VMX_PROC2_ENABLE_EPT_BIT) &&
		    (ept_vpid & EPT_CAP_INVEPT);
	f->invept_type[INV_SINGLE_CONTEXT] = f->invept && (ept_vpid & EPT_CAP_INVEPT_SINGLE);
	f->invept_type[INV_ALL_CONTEXT] = f->invept && (ept_vpid & EPT_CAP_INVEPT_ALL);
	f->invvpid = c->has_ept_vpid && vmx_ctl_allowed1(c->procbased2, VMX_PROC2_ENABLE_VPID_BIT) &&
		     (ept_vpid & VPID_CAP_INVVPID);
	for (unsigned type = 0; type < INV_TYPES; type++)
		f->invvpid_type[type] = f->invvpid &&
					(ept_vpid & BIT(VPID_CAP_INVVPID_TYPE0_SHIFT + type));
	if (ept_vpid & EPT_CAP_WALK_LENGTH_4) {
		if (ept_vpid & EPT_CAP_MEMTYPE_WB)
			f->eptp_memtype = EPTP_MEMTYPE_WB;
		else if (ept_vpid & EPT_CAP_MEMTYPE_UC)
			f->eptp_memtype = EPTP_MEMTYPE_UC;
	}
	return true;
}
