/* The operand of a VMX instruction that exited: where it is, from the VM-exit
 * instruction-information field and the exit qualification, with the
 * segmentation checks the CPU makes before the access. Used to emulate
 * VMXON, VMCLEAR, VMPTRLD, VMPTRST (8-byte memory operand), VMREAD/VMWRITE
 * (register or 4/8-byte memory operand) and INVEPT/INVVPID (16-byte memory
 * descriptor) for a guest hypervisor. Pure; host-tested
 * (test/host/test_vmx_operand.c).
 *
 * SDM Vol. 3C 28.2.1 (the exit qualification holds the displacement,
 * sign-extended to 64 bits; for RIP-relative addressing the displacement
 * plus the next instruction's RIP, with no base and no index) and 28.2
 * "Information for VM Exits Due to Instruction Execution" (the tables of the
 * instruction-information field for VMCLEAR/VMPTRLD/VMPTRST/VMXON, for
 * VMREAD/VMWRITE and for INVEPT/INVPCID/INVVPID: the three share every bit
 * used here, bit 10 being 0 for a memory operand in all of them). Vol. 3A 3.3.7.1 (canonical addresses), 3.4.5.1 (segment
 * types), 5.3 and 5.4 (limit and type checks), Vol. 1 3.7.5 (effective
 * address). The exceptions are those listed under each instruction in
 * Vol. 3C 31.3 ("Protected Mode Exceptions", "64-Bit Mode Exceptions").
 *
 * The CPU itself raises #UD before exiting when CR0.PE = 0 or RFLAGS.VM = 1
 * (Vol. 3C 31.3, the first test in each instruction's operation), so the
 * guest is in protected mode or in IA-32e mode here; CPL and alignment
 * (#AC does not apply at CPL 0) are the handlers' business. */
#ifndef VMX_VMX_OPERAND_H
#define VMX_VMX_OPERAND_H

#include "../lib/types.h"

/* General registers in the instruction information's numbering. */
enum vmx_gpr {
	VMX_RAX, VMX_RCX, VMX_RDX, VMX_RBX, VMX_RSP, VMX_RBP, VMX_RSI, VMX_RDI,
	VMX_R8, VMX_R9, VMX_R10, VMX_R11, VMX_R12, VMX_R13, VMX_R14, VMX_R15,
	VMX_GPR_COUNT
};

/* Segment registers in the instruction information's numbering. */
enum vmx_sreg { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_SREG_COUNT };

/* Address sizes (bits 9:7); 3 and above are not used. */
enum vmx_addr_size { VMX_ADDR16, VMX_ADDR32, VMX_ADDR64, VMX_ADDR_SIZE_COUNT };

/* The instruction-information field (28.2, the three tables above). */
#define VMX_INFO_SCALING_SHIFT	0		/* 1:0, log2 of the index scale */
#define VMX_INFO_SCALING_MASK	0x3u
#define VMX_INFO_REG1_SHIFT	3		/* 6:3, VMREAD/VMWRITE register operand */
#define VMX_INFO_REG_MASK	0xfu
#define VMX_INFO_ADDR_SIZE_SHIFT 7		/* 9:7 */
#define VMX_INFO_ADDR_SIZE_MASK	0x7u
#define VMX_INFO_IS_REG		BIT(10)		/* VMREAD/VMWRITE; 0 for the others */
#define VMX_INFO_SEG_SHIFT	15		/* 17:15 */
#define VMX_INFO_SEG_MASK	0x7u
#define VMX_INFO_INDEX_SHIFT	18		/* 21:18 */
#define VMX_INFO_INDEX_INVALID	BIT(22)
#define VMX_INFO_BASE_SHIFT	23		/* 26:23 */
#define VMX_INFO_BASE_INVALID	BIT(27)
#define VMX_INFO_REG2_SHIFT	28		/* 31:28, VMREAD/VMWRITE/INVEPT/INVVPID */

/* True if the operand is a register (VMREAD/VMWRITE only: bit 10). */
static inline bool vmx_info_is_reg(u32 info) { return info & VMX_INFO_IS_REG; }
/* The register operand of VMREAD/VMWRITE when vmx_info_is_reg(). */
static inline unsigned vmx_info_reg1(u32 info)
{
	return (info >> VMX_INFO_REG1_SHIFT) & VMX_INFO_REG_MASK;
}
/* The other register: VMREAD's field encoding source, VMWRITE's field
 * encoding, INVEPT/INVVPID's type register. */
static inline unsigned vmx_info_reg2(u32 info)
{
	return (info >> VMX_INFO_REG2_SHIFT) & VMX_INFO_REG_MASK;
}

/* Segment access rights as the VMCS holds them (Vol. 3C 25.4.1, Table 25-2;
 * the type bits are those of Vol. 3A 3.4.5.1, Table 3-1). */
#define VMX_AR_TYPE_ACCESSED	BIT(0)
#define VMX_AR_TYPE_WRITABLE	BIT(1)		/* data segment */
#define VMX_AR_TYPE_READABLE	BIT(1)		/* code segment */
#define VMX_AR_TYPE_EXPAND_DOWN	BIT(2)		/* data segment */
#define VMX_AR_TYPE_CODE	BIT(3)
#define VMX_AR_S		BIT(4)		/* code or data, not system */
#define VMX_AR_P		BIT(7)
#define VMX_AR_L		BIT(13)
#define VMX_AR_DB		BIT(14)		/* expand-down: upper bound 4 GiB - 1, else 64 KiB - 1 */
#define VMX_AR_G		BIT(15)
#define VMX_AR_UNUSABLE		BIT(16)

/* One segment register as the VMCS guest-state area holds it. The limit is
 * in bytes, granularity already applied (25.4.1). */
struct vmx_segment {
	u64 base;
	u32 limit;
	u32 ar;
};

/* The guest state an operand depends on. */
struct vmx_operand_cpu {
	u64 gpr[VMX_GPR_COUNT];			/* RSP from the VMCS */
	struct vmx_segment seg[VMX_SREG_COUNT];
	bool long_mode;				/* 64-bit mode: IA32_EFER.LMA = 1 and CS.L = 1 */
	bool la57;				/* CR4.LA57: 57-bit instead of 48-bit canonical */
};

enum vmx_operand_kind { VMX_OPERAND_REG, VMX_OPERAND_MEM };

/* How decoding ended. BAD_INFO is not an exception the CPU would raise: the
 * instruction information holds a value the SDM marks unused for this
 * mode (a CPU or nestvisor bug), or the caller asked for a 0-byte operand. */
enum vmx_operand_fault { VMX_OPERAND_OK, VMX_OPERAND_GP, VMX_OPERAND_SS, VMX_OPERAND_BAD_INFO };

struct vmx_operand {
	enum vmx_operand_kind kind;
	unsigned reg;				/* REG: enum vmx_gpr */
	enum vmx_sreg seg;			/* MEM: the segment used */
	enum vmx_addr_size addr_size;		/* MEM */
	u64 offset;				/* MEM: effective address (offset in the segment) */
	u64 linear;				/* MEM: linear address of the first byte */
	enum vmx_operand_fault fault;
	const char *why;			/* words for a fault, "" otherwise */
};

/* Decodes the operand of size bytes (1 or more) that the instruction reads
 * or, if write, writes: a register, or memory at a linear address that
 * passed the segmentation checks. Returns out->fault; on a fault, out->why
 * says which rule, and out->seg/offset what was being accessed. */
enum vmx_operand_fault vmx_operand_decode(const struct vmx_operand_cpu *cpu, u32 info, u64 qual,
					  unsigned size, bool write, struct vmx_operand *out);

/* The exception vector for GP and SS (12 #SS, 13 #GP; Vol. 3A 6.15), with
 * error code 0; -1 for OK and BAD_INFO. */
int vmx_operand_fault_vector(enum vmx_operand_fault fault);

/* Names for messages: "RAX".."R15", "ES".."GS", "16-bit".."64-bit",
 * "#GP(0)"/"#SS(0)"/...; "?" for a number out of range. */
const char *vmx_gpr_name(unsigned reg);
const char *vmx_sreg_name(unsigned sreg);
const char *vmx_addr_size_name(unsigned addr_size);
const char *vmx_operand_fault_name(enum vmx_operand_fault fault);

#endif
