/* vmx/vmx_operand.c: VMX instruction operands from the instruction
 * information and the exit qualification, with segmentation checks. */
#include "harness.h"
#include "../../vmx/vmx_operand.h"

#define NONE -1				/* no base or no index register */

#define AR_DATA_RW	(0x3u | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_DATA_RO	(0x1u | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_DATA_RW_DOWN	(AR_DATA_RW | VMX_AR_TYPE_EXPAND_DOWN)
#define AR_CODE_XR	(0xbu | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_CODE_X	(0x9u | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_CODE64	(0xbu | VMX_AR_S | VMX_AR_P | VMX_AR_L | VMX_AR_G)

/* A memory operand's instruction information, built field by field the way
 * the SDM's tables lay it out (a macro, for the constant tables below). */
#define FIELD_OR_INVALID(reg, shift, invalid)					\
	((reg) == NONE ? (invalid) : (u32)(reg) << (shift))
#define mem(scaling, addr_size, seg, index, base)				\
	((u32)(scaling) << VMX_INFO_SCALING_SHIFT |				\
	 (u32)(addr_size) << VMX_INFO_ADDR_SIZE_SHIFT |				\
	 (u32)(seg) << VMX_INFO_SEG_SHIFT |					\
	 FIELD_OR_INVALID(index, VMX_INFO_INDEX_SHIFT, VMX_INFO_INDEX_INVALID) |	\
	 FIELD_OR_INVALID(base, VMX_INFO_BASE_SHIFT, VMX_INFO_BASE_INVALID))

/* 64-bit mode with distinct register values and bases that must be ignored
 * (ES, CS, SS, DS) or added (FS, GS). */
static struct vmx_operand_cpu cpu64(void)
{
	struct vmx_operand_cpu c = { .long_mode = true };

	for (unsigned i = 0; i < VMX_GPR_COUNT; i++)
		c.gpr[i] = 0x1000ull * (i + 1);
	for (unsigned i = 0; i < VMX_SREG_COUNT; i++)
		c.seg[i] = (struct vmx_segment){ 0x100000ull * (i + 1), 0xfff, AR_DATA_RO };
	c.seg[VMX_CS].ar = AR_CODE64;
	c.seg[VMX_DS].ar |= VMX_AR_UNUSABLE;		/* a null DS is fine in 64-bit mode */
	c.seg[VMX_FS].base = 0x7000000000ull;
	c.seg[VMX_GS].base = 0xffff800000000000ull;
	return c;
}

/* Protected mode: flat 4 GiB read/write data segments, a readable code
 * segment, and the registers of cpu64(). */
static struct vmx_operand_cpu cpu32(void)
{
	struct vmx_operand_cpu c = cpu64();

	c.long_mode = false;
	for (unsigned i = 0; i < VMX_SREG_COUNT; i++)
		c.seg[i] = (struct vmx_segment){ 0, 0xffffffffu, AR_DATA_RW };
	c.seg[VMX_CS].ar = AR_CODE_XR;
	return c;
}

static const struct {
	const char *what;
	u32 info;
	u64 qual;
	u64 linear;
} good64[] = {
	{ "base only: [RBX + 0x10]", mem(0, VMX_ADDR64, VMX_DS, NONE, VMX_RBX), 0x10, 0x4010 },
	{ "index only: [RSI*8 + 8]", mem(3, VMX_ADDR64, VMX_DS, VMX_RSI, NONE), 8, 0x38008 },
	{ "[RAX + RCX*1 + 3]", mem(0, VMX_ADDR64, VMX_DS, VMX_RCX, VMX_RAX), 3, 0x3003 },
	{ "[RAX + RCX*2 + 3]", mem(1, VMX_ADDR64, VMX_DS, VMX_RCX, VMX_RAX), 3, 0x5003 },
	{ "[RAX + RCX*4 + 3]", mem(2, VMX_ADDR64, VMX_DS, VMX_RCX, VMX_RAX), 3, 0x9003 },
	{ "[RAX + RCX*8 + 3]", mem(3, VMX_ADDR64, VMX_DS, VMX_RCX, VMX_RAX), 3, 0x11003 },
	{ "[R15 + R8*4 - 8] (displacement sign-extended)",
	  mem(2, VMX_ADDR64, VMX_SS, VMX_R8, VMX_R15), (u64)-8, 0x10000 + 0x24000 - 8 },
	{ "no base, no index: RIP-relative or absolute", mem(0, VMX_ADDR64, VMX_DS, NONE, NONE),
	  0x123456789ull, 0x123456789ull },
	{ "scaling ignored without an index", mem(3, VMX_ADDR64, VMX_DS, NONE, VMX_RDX), 0, 0x3000 },
	{ "ES, CS, SS bases ignored in 64-bit mode", mem(0, VMX_ADDR64, VMX_ES, NONE, VMX_RAX), 0,
	  0x1000 },
	{ "CS base ignored", mem(0, VMX_ADDR64, VMX_CS, NONE, VMX_RAX), 0, 0x1000 },
	{ "FS base added", mem(0, VMX_ADDR64, VMX_FS, NONE, VMX_RAX), 0x20, 0x7000001020ull },
	{ "GS base added", mem(0, VMX_ADDR64, VMX_GS, NONE, VMX_RAX), 0, 0xffff800000001000ull },
	{ "32-bit address size wraps at 4 GiB",
	  mem(0, VMX_ADDR32, VMX_DS, NONE, VMX_RAX), 0xfffff000ull + 0x10, 0x10 },
	{ "32-bit address size truncates before the GS base is added",
	  mem(0, VMX_ADDR32, VMX_GS, NONE, VMX_RAX), 0xfffff010ull, 0xffff800000000010ull },
	{ "64-bit address size wraps at 2^64", mem(0, VMX_ADDR64, VMX_DS, NONE, VMX_RAX),
	  (u64)-0x1000 + 0x18, 0x18 },
};

static const struct {
	const char *what;
	u32 info;
	u64 qual;
	u64 linear;
} good32[] = {
	/* BX 0x7000 + SI 0xe000 + 0xe002 = 0x23002, kept to 16 bits. */
	{ "16-bit: [BX + SI*1 + disp] wraps at 64 KiB", mem(0, VMX_ADDR16, VMX_DS, VMX_RSI, VMX_RBX),
	  0xe002, 0x3002 },
	/* 0xabcd7000 + 0x1c000 + 0xfffff000 = 0x1abcf2000, kept to 32 bits. */
	{ "32-bit: [EBX + ESI*2 + disp] wraps at 4 GiB", mem(1, VMX_ADDR32, VMX_DS, VMX_RSI, VMX_RBX),
	  0xfffff000ull, 0xabcf2000ull },
	{ "segment base added, linear address wraps at 4 GiB",
	  mem(0, VMX_ADDR32, VMX_ES, NONE, VMX_RAX), 0, 0x800 },
};

static const struct {
	const char *what;
	u32 info;
	u64 qual;
	bool la57;
	enum vmx_operand_fault fault;
	const char *why;
} bad64[] = {
	{ "non-canonical through DS: #GP", mem(0, VMX_ADDR64, VMX_DS, NONE, NONE),
	  0x0000800000000000ull, false, VMX_OPERAND_GP, "non-canonical" },
	{ "non-canonical through SS: #SS", mem(0, VMX_ADDR64, VMX_SS, NONE, NONE),
	  0xfff0000000000000ull, false, VMX_OPERAND_SS, "non-canonical" },
	{ "last byte non-canonical: #GP", mem(0, VMX_ADDR64, VMX_ES, NONE, NONE),
	  0x00007ffffffffff9ull, false, VMX_OPERAND_GP, "non-canonical" },
	{ "last byte non-canonical through SS: #SS", mem(0, VMX_ADDR64, VMX_SS, NONE, VMX_RSP),
	  0x00007ffffffffff9ull - 0x5000, false, VMX_OPERAND_SS, "non-canonical" },
	{ "FS base makes it non-canonical: #GP", mem(0, VMX_ADDR64, VMX_FS, NONE, NONE),
	  0x0000800000000000ull - 0x7000000000ull, false, VMX_OPERAND_GP, "non-canonical" },
	{ "with LA57, bit 56 counts", mem(0, VMX_ADDR64, VMX_DS, NONE, NONE),
	  0x0100000000000000ull, true, VMX_OPERAND_GP, "non-canonical" },
	{ "16-bit address size in 64-bit mode", mem(0, VMX_ADDR16, VMX_DS, NONE, NONE), 0, false,
	  VMX_OPERAND_BAD_INFO, "address size" },
	{ "address size 3", mem(0, 3, VMX_DS, NONE, NONE), 0, false, VMX_OPERAND_BAD_INFO,
	  "address size" },
	{ "segment register 6", mem(0, VMX_ADDR64, 6, NONE, NONE), 0, false, VMX_OPERAND_BAD_INFO,
	  "segment register" },
};

/* Protected-mode segment faults: one segment replaced, an access of size
 * bytes at offset (no base, no index). */
static const struct {
	const char *what;
	unsigned seg;
	struct vmx_segment s;
	u64 offset;
	unsigned size;
	bool write;
	enum vmx_operand_fault fault;		/* OK: the access is allowed */
	const char *why;
} seg32[] = {
	{ "last byte at the limit", VMX_DS, { 0, 0xfff, AR_DATA_RW }, 0xff8, 8, false, VMX_OPERAND_OK },
	{ "last byte past the limit", VMX_DS, { 0, 0xfff, AR_DATA_RW }, 0xff9, 8, false,
	  VMX_OPERAND_GP, "beyond the segment limit" },
	{ "past SS's limit: #SS", VMX_SS, { 0, 0xfff, AR_DATA_RW }, 0x1000, 8, true,
	  VMX_OPERAND_SS, "beyond the segment limit" },
	{ "no wrap at 4 GiB in a flat segment", VMX_DS, { 0, 0xffffffffu, AR_DATA_RW },
	  0xfffffffcull, 8, false, VMX_OPERAND_GP, "beyond the segment limit" },
	{ "16-byte descriptor at the limit", VMX_GS, { 0, 0x1f, AR_DATA_RO }, 0x10, 16, false,
	  VMX_OPERAND_OK },
	{ "expand-down: first byte above the limit", VMX_DS, { 0, 0xfff, AR_DATA_RW_DOWN },
	  0x1000, 8, true, VMX_OPERAND_OK },
	{ "expand-down: first byte at the limit", VMX_DS, { 0, 0xfff, AR_DATA_RW_DOWN }, 0xfff, 8,
	  true, VMX_OPERAND_GP, "expand-down" },
	{ "expand-down, B=1: last byte at 4 GiB - 1", VMX_DS, { 0, 0xfff, AR_DATA_RW_DOWN },
	  0xfffffff8ull, 8, false, VMX_OPERAND_OK },
	{ "expand-down, B=1: last byte past 4 GiB - 1", VMX_DS, { 0, 0xfff, AR_DATA_RW_DOWN },
	  0xfffffff9ull, 8, false, VMX_OPERAND_GP, "expand-down" },
	{ "expand-down, B=0: last byte at 64 KiB - 1", VMX_ES,
	  { 0, 0xfff, AR_DATA_RW_DOWN & ~VMX_AR_DB }, 0xfff8, 8, false, VMX_OPERAND_OK },
	{ "expand-down, B=0: last byte past 64 KiB - 1", VMX_ES,
	  { 0, 0xfff, AR_DATA_RW_DOWN & ~VMX_AR_DB }, 0xfff9, 8, false, VMX_OPERAND_GP, "expand-down" },
	{ "expand-down SS below its limit: #SS", VMX_SS, { 0, 0xffff, AR_DATA_RW_DOWN }, 0x100, 4,
	  false, VMX_OPERAND_SS, "expand-down" },
	{ "unusable DS: #GP", VMX_DS, { 0, 0xffffffffu, AR_DATA_RW | VMX_AR_UNUSABLE }, 0, 8, false,
	  VMX_OPERAND_GP, "unusable" },
	{ "unusable SS: #SS", VMX_SS, { 0, 0xffffffffu, AR_DATA_RW | VMX_AR_UNUSABLE }, 0, 8, false,
	  VMX_OPERAND_SS, "unusable" },
	{ "read from a read-only data segment", VMX_FS, { 0, 0xffffffffu, AR_DATA_RO }, 0, 8, false,
	  VMX_OPERAND_OK },
	{ "write to a read-only data segment", VMX_FS, { 0, 0xffffffffu, AR_DATA_RO }, 0, 8, true,
	  VMX_OPERAND_GP, "read-only data segment" },
	{ "read through a readable code segment", VMX_CS, { 0, 0xffffffffu, AR_CODE_XR }, 0, 8,
	  false, VMX_OPERAND_OK },
	{ "write through a code segment", VMX_CS, { 0, 0xffffffffu, AR_CODE_XR }, 0, 8, true,
	  VMX_OPERAND_GP, "code segment" },
	{ "read through an execute-only code segment", VMX_CS, { 0, 0xffffffffu, AR_CODE_X }, 0, 8,
	  false, VMX_OPERAND_GP, "execute-only" },
	{ "expand-down bit is a conforming bit in code: limit is an upper bound", VMX_CS,
	  { 0, 0xfff, AR_CODE_XR | VMX_AR_TYPE_EXPAND_DOWN }, 0xff8, 8, false, VMX_OPERAND_OK },
};

static void check_good(const char *what, const struct vmx_operand_cpu *c, u32 info, u64 qual,
		       u64 linear)
{
	struct vmx_operand op;
	enum vmx_operand_fault f = vmx_operand_decode(c, info, qual, 8, true, &op);

	report(f == VMX_OPERAND_OK && op.kind == VMX_OPERAND_MEM && op.linear == linear,
	       "%s: linear 0x%llx (got %s 0x%llx%s%s)", what, (unsigned long long)linear,
	       vmx_operand_fault_name(f), (unsigned long long)op.linear, *op.why ? ": " : "", op.why);
}

static void check_fault(const char *what, const struct vmx_operand_cpu *c, u32 info, u64 qual,
			unsigned size, bool write, enum vmx_operand_fault fault, const char *why)
{
	struct vmx_operand op;
	enum vmx_operand_fault f = vmx_operand_decode(c, info, qual, size, write, &op);

	if (fault == VMX_OPERAND_OK) {
		report(f == VMX_OPERAND_OK && !*op.why, "%s: allowed (got %s: %s)", what,
		       vmx_operand_fault_name(f), op.why);
		return;
	}
	report(f == fault && op.fault == fault && strstr(op.why, why),
	       "%s: %s \"%s\" (got %s \"%s\")", what, vmx_operand_fault_name(fault), why,
	       vmx_operand_fault_name(f), op.why);
}

static void test_register(void)
{
	struct vmx_operand_cpu c = cpu64();
	struct vmx_operand op;
	/* VMREAD RBP, R11 with garbage in the fields undefined for registers. */
	u32 info = VMX_INFO_IS_REG | VMX_RBP << VMX_INFO_REG1_SHIFT | 0x3u << VMX_INFO_ADDR_SIZE_SHIFT |
		   (u32)VMX_R11 << VMX_INFO_REG2_SHIFT | 7u << VMX_INFO_SEG_SHIFT;

	report(vmx_operand_decode(&c, info, 0, 8, true, &op) == VMX_OPERAND_OK &&
	       op.kind == VMX_OPERAND_REG && op.reg == VMX_RBP,
	       "register operand: RBP, the memory fields ignored");
	report(vmx_info_is_reg(info) && vmx_info_reg1(info) == VMX_RBP &&
	       vmx_info_reg2(info) == VMX_R11, "register helpers: is-register, reg1 RBP, reg2 R11");
	/* INVEPT RDX, [RAX]: reg2 in bits 31:28, bit 10 clear. */
	info = mem(0, VMX_ADDR64, VMX_DS, NONE, VMX_RAX) | (u32)VMX_RDX << VMX_INFO_REG2_SHIFT;
	report(!vmx_info_is_reg(info) && vmx_info_reg2(info) == VMX_RDX &&
	       vmx_operand_decode(&c, info, 0, 16, false, &op) == VMX_OPERAND_OK &&
	       op.kind == VMX_OPERAND_MEM && op.linear == 0x1000 && op.seg == VMX_DS &&
	       op.addr_size == VMX_ADDR64,
	       "INVEPT-style: reg2 RDX and a 16-byte memory descriptor at [RAX]");
}

static void test_64bit(void)
{
	struct vmx_operand_cpu c = cpu64();

	for (unsigned i = 0; i < ARRAY_SIZE(good64); i++)
		check_good(good64[i].what, &c, good64[i].info, good64[i].qual, good64[i].linear);
	for (unsigned i = 0; i < ARRAY_SIZE(bad64); i++) {
		c.la57 = bad64[i].la57;
		check_fault(bad64[i].what, &c, bad64[i].info, bad64[i].qual, 8, false, bad64[i].fault,
			    bad64[i].why);
	}
	c.la57 = true;
	check_good("with LA57, bit 47 set is canonical", &c, mem(0, VMX_ADDR64, VMX_DS, NONE, NONE),
		   0x0000800000000000ull, 0x0000800000000000ull);
	c.la57 = false;
	check_good("canonical upper half", &c, mem(0, VMX_ADDR64, VMX_DS, NONE, NONE),
		   0xffff800000000000ull, 0xffff800000000000ull);
	check_good("no limit, type or usability checks in 64-bit mode", &c,
		   mem(0, VMX_ADDR64, VMX_DS, NONE, NONE), 0x10000000ull, 0x10000000ull);
}

static void test_protected(void)
{
	struct vmx_operand_cpu c = cpu32();
	struct vmx_operand op;

	c.gpr[VMX_RBX] = 0xabcd7000ull;		/* only BX counts with 16-bit addresses */
	c.gpr[VMX_RSI] = 0xe000;
	c.seg[VMX_ES].base = 0xfffff800ull;
	for (unsigned i = 0; i < ARRAY_SIZE(good32); i++)
		check_good(good32[i].what, &c, good32[i].info, good32[i].qual, good32[i].linear);
	c = cpu32();
	c.seg[VMX_DS] = (struct vmx_segment){ 0x10000, 0xffff, AR_DATA_RW & ~VMX_AR_DB };
	report(vmx_operand_decode(&c, mem(0, VMX_ADDR16, VMX_DS, NONE, NONE), 0xfffe, 4, false, &op) ==
	       VMX_OPERAND_GP && op.offset == 0xfffe,
	       "16-bit: an access running past 64 KiB is checked against the limit (%s)", op.why);
	check_fault("64-bit address size outside 64-bit mode", &c,
		    mem(0, VMX_ADDR64, VMX_DS, NONE, NONE), 0, 8, false, VMX_OPERAND_BAD_INFO,
		    "address size");
	check_fault("operand size 0", &c, mem(0, VMX_ADDR32, VMX_DS, NONE, NONE), 0, 0, false,
		    VMX_OPERAND_BAD_INFO, "size 0");

	for (unsigned i = 0; i < ARRAY_SIZE(seg32); i++) {
		c = cpu32();
		c.seg[seg32[i].seg] = seg32[i].s;
		check_fault(seg32[i].what, &c, mem(0, VMX_ADDR32, seg32[i].seg, NONE, NONE),
			    seg32[i].offset, seg32[i].size, seg32[i].write, seg32[i].fault,
			    seg32[i].why);
	}
	/* The segment given by the instruction information decides #SS: an
	 * RBP-based operand with a DS override faults with #GP. */
	c = cpu32();
	c.seg[VMX_DS].limit = 0xff;
	check_fault("[EBP] with a DS override past DS's limit: #GP", &c,
		    mem(0, VMX_ADDR32, VMX_DS, NONE, VMX_RBP), 0, 8, false, VMX_OPERAND_GP, "limit");
}

static void test_names(void)
{
	report(!strcmp(vmx_gpr_name(VMX_RAX), "RAX") && !strcmp(vmx_gpr_name(VMX_RSP), "RSP") &&
	       !strcmp(vmx_gpr_name(VMX_R15), "R15") && !strcmp(vmx_gpr_name(16), "?"),
	       "register names in the SDM's numbering");
	report(!strcmp(vmx_sreg_name(VMX_ES), "ES") && !strcmp(vmx_sreg_name(VMX_SS), "SS") &&
	       !strcmp(vmx_sreg_name(VMX_GS), "GS") && !strcmp(vmx_sreg_name(6), "?"),
	       "segment register names");
	report(!strcmp(vmx_addr_size_name(VMX_ADDR16), "16-bit") &&
	       !strcmp(vmx_addr_size_name(VMX_ADDR64), "64-bit") && !strcmp(vmx_addr_size_name(3), "?"),
	       "address size names");
	report(vmx_operand_fault_vector(VMX_OPERAND_GP) == 13 &&
	       vmx_operand_fault_vector(VMX_OPERAND_SS) == 12 &&
	       vmx_operand_fault_vector(VMX_OPERAND_OK) == -1 &&
	       vmx_operand_fault_vector(VMX_OPERAND_BAD_INFO) == -1 &&
	       !strcmp(vmx_operand_fault_name(VMX_OPERAND_SS), "#SS(0)"),
	       "faults: #GP is vector 13, #SS 12, the others none");
}

void run_tests(void)
{
	test_register();
	test_64bit();
	test_protected();
	test_names();
}
