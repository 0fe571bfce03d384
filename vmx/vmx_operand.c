#include "vmx_operand.h"

#define VECTOR_SS		12	/* Vol. 3A 6.15 */
#define VECTOR_GP		13

#define CANONICAL_BITS_4LEVEL	48	/* Vol. 3A 3.3.7.1; 4.5: 57 with LA57 */
#define CANONICAL_BITS_5LEVEL	57
#define LEGACY_LINEAR_MASK	0xffffffffull	/* outside IA-32e mode (Vol. 3A 3.4) */
#define EXPAND_DOWN_TOP_BIG	0xffffffffull	/* B = 1 (Vol. 3A 3.4.5.1) */
#define EXPAND_DOWN_TOP_SMALL	0xffffull	/* B = 0 */

static const u64 addr_mask[VMX_ADDR_SIZE_COUNT] = {
	[VMX_ADDR16] = 0xffffull, [VMX_ADDR32] = 0xffffffffull, [VMX_ADDR64] = ~0ull,
};

static enum vmx_operand_fault fail(struct vmx_operand *out, enum vmx_operand_fault fault,
				   const char *why)
{
	out->fault = fault;
	out->why = why;
	return fault;
}

/* A fault through SS is #SS(0), through any other segment #GP(0) (Vol. 3C
 * 31.3, each instruction's exceptions). */
static enum vmx_operand_fault seg_fault(const struct vmx_operand *out)
{
	return out->seg == VMX_SS ? VMX_OPERAND_SS : VMX_OPERAND_GP;
}

/* Bits 63:bits-1 all equal (Vol. 3A 3.3.7.1). */
static bool canonical(u64 la, unsigned bits)
{
	u64 top = la >> (bits - 1);

	return top == 0 || top == ~0ull >> (bits - 1);
}

/* 64-bit mode (Vol. 3A 3.4.4, 3.3.7.1): no limit or type checks, only FS
 * and GS have a base, and both ends of the access must be canonical. */
static enum vmx_operand_fault linear_64(const struct vmx_operand_cpu *cpu, unsigned size,
					struct vmx_operand *out)
{
	unsigned bits = cpu->la57 ? CANONICAL_BITS_5LEVEL : CANONICAL_BITS_4LEVEL;
	u64 base = out->seg == VMX_FS || out->seg == VMX_GS ? cpu->seg[out->seg].base : 0;

	out->linear = base + out->offset;
	if (!canonical(out->linear, bits) || !canonical(out->linear + size - 1, bits))
		return fail(out, seg_fault(out), "non-canonical address");
	return VMX_OPERAND_OK;
}

/* Protected mode (Vol. 3A 5.3 limit checking, 5.4 type checking). */
static enum vmx_operand_fault linear_legacy(const struct vmx_operand_cpu *cpu, unsigned size,
					    bool write, struct vmx_operand *out)
{
	const struct vmx_segment *s = &cpu->seg[out->seg];
	u64 first = out->offset, last = first + size - 1;

	/* VM entry made sure a usable segment is a present code or data
	 * segment (27.3.1.2); the guest cannot load anything else. */
	if (s->ar & VMX_AR_UNUSABLE)
		return fail(out, seg_fault(out), "segment unusable (null selector)");
	if (s->ar & VMX_AR_TYPE_CODE) {
		if (write)
			return fail(out, seg_fault(out), "write to a code segment");
		if (!(s->ar & VMX_AR_TYPE_READABLE))
			return fail(out, seg_fault(out), "read from an execute-only code segment");
	} else if (write && !(s->ar & VMX_AR_TYPE_WRITABLE)) {
		return fail(out, seg_fault(out), "write to a read-only data segment");
	}
	/* The last byte is offset + size - 1 without wrapping: an access that
	 * would wrap past the top of the offset space lies beyond any limit. */
	if (!(s->ar & VMX_AR_TYPE_CODE) && (s->ar & VMX_AR_TYPE_EXPAND_DOWN)) {
		u64 top = s->ar & VMX_AR_DB ? EXPAND_DOWN_TOP_BIG : EXPAND_DOWN_TOP_SMALL;

		if (first <= s->limit || last > top)
			return fail(out, seg_fault(out), "outside the expand-down segment's limits");
	} else if (last > s->limit) {
		return fail(out, seg_fault(out), "beyond the segment limit");
	}
	out->linear = (s->base + first) & LEGACY_LINEAR_MASK;
	return VMX_OPERAND_OK;
}

enum vmx_operand_fault vmx_operand_decode(const struct vmx_operand_cpu *cpu, u32 info, u64 qual,
					  unsigned size, bool write, struct vmx_operand *out)
{
	unsigned addr_size = (info >> VMX_INFO_ADDR_SIZE_SHIFT) & VMX_INFO_ADDR_SIZE_MASK;
	unsigned seg = (info >> VMX_INFO_SEG_SHIFT) & VMX_INFO_SEG_MASK;
	unsigned scaling = (info >> VMX_INFO_SCALING_SHIFT) & VMX_INFO_SCALING_MASK;
	u64 ea = qual;				/* displacement (28.2.1) */

	*out = (struct vmx_operand){ .fault = VMX_OPERAND_OK, .why = "" };
	if (vmx_info_is_reg(info)) {
		out->kind = VMX_OPERAND_REG;
		out->reg = vmx_info_reg1(info);
		return VMX_OPERAND_OK;
	}
	out->kind = VMX_OPERAND_MEM;
	if (!size)
		return fail(out, VMX_OPERAND_BAD_INFO, "operand size 0");
	if (addr_size >= VMX_ADDR_SIZE_COUNT)
		return fail(out, VMX_OPERAND_BAD_INFO, "instruction information: unused address size");
	/* 64-bit mode addresses with 64 or 32 bits, other modes with 32 or 16
	 * (Vol. 1 3.6.1). */
	if (cpu->long_mode ? addr_size == VMX_ADDR16 : addr_size == VMX_ADDR64)
		return fail(out, VMX_OPERAND_BAD_INFO,
			    "instruction information: address size impossible in this mode");
	if (seg >= VMX_SREG_COUNT)
		return fail(out, VMX_OPERAND_BAD_INFO, "instruction information: unused segment register");
	out->seg = seg;
	out->addr_size = addr_size;

	/* base + index * scale + displacement, in the address size (Vol. 1
	 * 3.7.5); scaling is undefined without an index. */
	if (!(info & VMX_INFO_BASE_INVALID))
		ea += cpu->gpr[(info >> VMX_INFO_BASE_SHIFT) & VMX_INFO_REG_MASK];
	if (!(info & VMX_INFO_INDEX_INVALID))
		ea += cpu->gpr[(info >> VMX_INFO_INDEX_SHIFT) & VMX_INFO_REG_MASK] << scaling;
	out->offset = ea & addr_mask[addr_size];

	return cpu->long_mode ? linear_64(cpu, size, out) : linear_legacy(cpu, size, write, out);
}

int vmx_operand_fault_vector(enum vmx_operand_fault fault)
{
	switch (fault) {
	case VMX_OPERAND_GP:
		return VECTOR_GP;
	case VMX_OPERAND_SS:
		return VECTOR_SS;
	case VMX_OPERAND_OK:
	case VMX_OPERAND_BAD_INFO:
		break;
	}
	return -1;
}

static const char *const gpr_names[VMX_GPR_COUNT] = {
	"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
	"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};
static const char *const sreg_names[VMX_SREG_COUNT] = { "ES", "CS", "SS", "DS", "FS", "GS" };
static const char *const addr_size_names[VMX_ADDR_SIZE_COUNT] = { "16-bit", "32-bit", "64-bit" };

const char *vmx_gpr_name(unsigned reg)
{
	return reg < VMX_GPR_COUNT ? gpr_names[reg] : "?";
}

const char *vmx_sreg_name(unsigned sreg)
{
	return sreg < VMX_SREG_COUNT ? sreg_names[sreg] : "?";
}

const char *vmx_addr_size_name(unsigned addr_size)
{
	return addr_size < VMX_ADDR_SIZE_COUNT ? addr_size_names[addr_size] : "?";
}

const char *vmx_operand_fault_name(enum vmx_operand_fault fault)
{
	switch (fault) {
	case VMX_OPERAND_OK:
		return "no fault";
	case VMX_OPERAND_GP:
		return "#GP(0)";
	case VMX_OPERAND_SS:
		return "#SS(0)";
	case VMX_OPERAND_BAD_INFO:
		return "bad instruction information";
	}
	return "?";
}
