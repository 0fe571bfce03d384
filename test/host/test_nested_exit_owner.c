/* vmx/nested_exit_owner.c: whose is an exit of L2, nestvisor's (L0) or
 * L1's, against SDM Vol. 3C 26.1-26.2 on a table of cases. Each case sets
 * a few fields of a fake vmcs12 (every other field 0) and the bits of L1's
 * I/O and MSR bitmaps, and states the owner the SDM gives, in its own words;
 * nothing here calls the code's helpers to work an expectation out. The
 * exit qualifications and bitmap layouts are written here from the SDM's
 * tables, independently of the code's. A case whose answer is "not wanted"
 * sets every other bit of the word it tests (or of the bitmaps), so a rule
 * looking at the wrong bit cannot pass by accident. */
#include "harness.h"
#include "../../lib/x86.h"
#include "../../vmx/nested_exit_owner.h"
#include "../../vmx/vmcs_field.h"
#include "../../vmx/vmx_controls.h"
#include "../../vmx/vmx_errors.h"

#define L0 NESTED_OWNER_L0
#define L1 NESTED_OWNER_L1

/* The fake vmcs12: every encoding is below 0x8000 (bit 15 and up are
 * reserved, SDM 25.11.2). */
#define ENCODINGS 0x8000u
static u64 vmcs12[ENCODINGS];

/* L1's memory: the three bitmap pages at these addresses, nothing else. */
enum l1_page_id { NO_PAGE, IO_A_PAGE, IO_B_PAGE, MSR_PAGE, NR_PAGES };
static const u64 page_gpa[NR_PAGES] = {
	[IO_A_PAGE] = 0x10000, [IO_B_PAGE] = 0x11000, [MSR_PAGE] = 0x12000,
};
#define OUTSIDE_L1 0xfee00000ull	/* no page of L1's there */
static u8 pages[NR_PAGES][PAGE_SIZE];

/* What the function asked for that a caller could not answer: an odd (HIGH)
 * or out-of-range field, an unaligned page address. */
static unsigned bad_requests;
static char bad_what[64];
static const int the_ctx;

static void bad_request(const char *what, u64 value)
{
	if (!bad_requests++)
		fmt_snprintf(bad_what, sizeof(bad_what), "%s 0x%llx", what, (unsigned long long)value);
}

static u64 fake_read12(const void *ctx, u32 field)
{
	if (ctx != &the_ctx || field >= ENCODINGS || (field & VMCS_ENC_HIGH)) {
		bad_request("read12 of", field);
		return 0;
	}
	return vmcs12[field];
}

static const u8 *fake_l1_page(const void *ctx, u64 gpa)
{
	if (ctx != &the_ctx || gpa % PAGE_SIZE)
		bad_request("l1_page of", gpa);
	for (unsigned i = NO_PAGE + 1; i < NR_PAGES; i++)
		if (gpa == page_gpa[i])
			return pages[i];
	return NULL;
}

/* A bit of one bitmap page. I/O bitmaps (SDM 25.6.4): A has one bit per
 * port 0000H-7FFFH, B one per port 8000H-FFFFH (bit n is port 8000H + n).
 * MSR bitmap (25.6.9): read bitmap for low MSRs (00000000H-00001FFFH) at
 * byte 0, for high MSRs (C0000000H-C0001FFFH) at byte 1024, then the two
 * write bitmaps at bytes 2048 and 3072; bit n is MSR n of the range. */
struct bitmap_bit {
	enum l1_page_id page;
	unsigned bit;
};
#define IO_A(port)	{ IO_A_PAGE, (port) }
#define IO_B(n)		{ IO_B_PAGE, (n) }
#define MSR_RD_LO(n)	{ MSR_PAGE, (n) }
#define MSR_RD_HI(n)	{ MSR_PAGE, 1024 * 8 + (n) }
#define MSR_WR_LO(n)	{ MSR_PAGE, 2048 * 8 + (n) }
#define MSR_WR_HI(n)	{ MSR_PAGE, 3072 * 8 + (n) }

/* Exit qualification for control-register accesses (SDM 28.2.1, Table
 * 28-3): bits 3:0 the register, 5:4 the access type (0 MOV to CR, 1 MOV
 * from CR, 2 CLTS, 3 LMSW), 11:8 the general register, 31:16 LMSW's
 * source data. */
#define MOV_TO_CR(n)	((u64)(n) | 0u << 4 | 1u << 8)	/* from RCX */
#define MOV_FROM_CR(n)	((u64)(n) | 1u << 4 | 1u << 8)
#define CLTS_QUAL	(2u << 4)
#define LMSW_QUAL(src)	(3u << 4 | (u64)(src) << 16)

/* Exit qualification for I/O instructions (Table 28-5): bits 2:0 the size
 * minus 1, bit 3 the direction (1 = IN), 31:16 the port. */
#define IO_IN(port, size)	((u64)((size) - 1) | 1u << 3 | (u64)(port) << 16)
#define IO_OUT(port, size)	((u64)((size) - 1) | (u64)(port) << 16)

/* VM-exit interruption information (25.9.2, Table 25-19): vector in 7:0,
 * type in 10:8 (2 NMI, 3 hardware exception, 6 software exception), bit
 * 11 error code valid, bit 31 valid. */
#define EVENT(type, vector)	(BIT(31) | (u32)(type) << 8 | (vector))
#define HW_EXC(vector)		EVENT(3, vector)
#define HW_EXC_CODE(vector)	(EVENT(3, vector) | BIT(11))
#define SW_EXC(vector)		EVENT(6, vector)
#define NMI_EVENT		EVENT(2, 2)
#define UD 6
#define BP 3
#define GP 13
#define PF 14
/* #PF error code bits (Vol. 3A 4.7). */
#define PFEC_P BIT(0)
#define PFEC_W BIT(1)
#define PFEC_U BIT(2)

/* A word with only the given bits, or with every bit but them. */
#define ONLY(bits)	((u64)(bits))
#define ALL_BUT(bits)	((u64)(u32)~(u32)(bits))

#define SET(field, value)	{ VMCS_##field, (value) }
#define PROC(v)			SET(CPU_BASED_VM_EXEC_CONTROL, v)
#define PROC2(v)		SET(SECONDARY_VM_EXEC_CONTROL, v)
#define PIN(v)			SET(PIN_BASED_VM_EXEC_CONTROL, v)

struct field_value {
	u32 field;
	u64 value;
};

struct exit_case {
	const char *words;
	struct field_value set[6];		/* unused entries write 0 to field 0 */
	struct nested_exit_query exit;		/* the exit's own information */
	u8 fill;				/* every byte of the three bitmaps */
	struct bitmap_bit flip[4];		/* bits the other way; NO_PAGE ends */
	enum nested_owner want;
};

static const struct exit_case cases[] = {
	/* --- exceptions (26.2; exception bitmap and #PF rule, 25.6.3) --- */
	{ "26.2 #UD, its bit set in the exception bitmap: L1",
	  { SET(EXCEPTION_BITMAP, ONLY(BIT(UD))) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC(UD) }, .want = L1 },
	{ "26.2 #UD, every bit but its own set: L0",
	  { SET(EXCEPTION_BITMAP, ALL_BUT(BIT(UD))) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC(UD) }, .want = L0 },
	{ "26.2 #BP from INT3 (software exception), bit 3 set: L1",
	  { SET(EXCEPTION_BITMAP, ONLY(BIT(BP))) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = SW_EXC(BP) }, .want = L1 },
	{ "26.2 #BP from INT3, bit 3 clear: L0",
	  { SET(EXCEPTION_BITMAP, ALL_BUT(BIT(BP))) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = SW_EXC(BP) }, .want = L0 },
	{ "26.2 #GP, bit 13 set; the #PF mask/match (mismatching) do not apply to it: L1",
	  { SET(EXCEPTION_BITMAP, ONLY(BIT(GP))), SET(PAGE_FAULT_ERROR_CODE_MASK, ~0u),
	    SET(PAGE_FAULT_ERROR_CODE_MATCH, 0x5) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(GP), .intr_error = 0 },
	  .want = L1 },
	{ "26.2 #GP, bit 13 clear; the #PF mask/match (matching) do not apply to it: L0",
	  { SET(EXCEPTION_BITMAP, ALL_BUT(BIT(GP))) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(GP), .intr_error = 0 },
	  .want = L0 },
	{ "26.2 #PF, bit 14 set, (PFEC & mask) == match: exits, L1",
	  { SET(EXCEPTION_BITMAP, ONLY(BIT(PF))), SET(PAGE_FAULT_ERROR_CODE_MASK, PFEC_W | PFEC_U),
	    SET(PAGE_FAULT_ERROR_CODE_MATCH, PFEC_W) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(PF),
	    .intr_error = PFEC_P | PFEC_W }, .want = L1 },
	{ "26.2 #PF, bit 14 set, (PFEC & mask) != match: no exit, L0",
	  { SET(EXCEPTION_BITMAP, ONLY(BIT(PF))), SET(PAGE_FAULT_ERROR_CODE_MASK, PFEC_W | PFEC_U),
	    SET(PAGE_FAULT_ERROR_CODE_MATCH, PFEC_W) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(PF),
	    .intr_error = PFEC_P | PFEC_W | PFEC_U }, .want = L0 },
	{ "26.2 #PF, bit 14 clear, (PFEC & mask) == match: no exit, L0",
	  { SET(EXCEPTION_BITMAP, ALL_BUT(BIT(PF))), SET(PAGE_FAULT_ERROR_CODE_MASK, PFEC_W | PFEC_U),
	    SET(PAGE_FAULT_ERROR_CODE_MATCH, PFEC_W) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(PF),
	    .intr_error = PFEC_W }, .want = L0 },
	{ "26.2 #PF, bit 14 clear, (PFEC & mask) != match: the sense inverts, exits, L1",
	  { SET(EXCEPTION_BITMAP, ALL_BUT(BIT(PF))), SET(PAGE_FAULT_ERROR_CODE_MASK, PFEC_W | PFEC_U),
	    SET(PAGE_FAULT_ERROR_CODE_MATCH, PFEC_W) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(PF),
	    .intr_error = PFEC_U }, .want = L1 },
	{ "26.2 #PF, bit 14 set, mask and match 0 (every #PF matches): L1",
	  { SET(EXCEPTION_BITMAP, ONLY(BIT(PF))) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(PF),
	    .intr_error = PFEC_P | PFEC_W | PFEC_U }, .want = L1 },
	{ "26.2 #PF, bit 14 clear, mask 0 and match 1 (no #PF matches): L1",
	  { SET(PAGE_FAULT_ERROR_CODE_MATCH, PFEC_P) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = HW_EXC_CODE(PF),
	    .intr_error = PFEC_P }, .want = L1 },
	{ "26.2 NMI with L1's \"NMI exiting\" and bit 2 set: the host's NMI, L0",
	  { PIN(ONLY(PIN_NMI_EXITING)), SET(EXCEPTION_BITMAP, ~0u) },
	  { .reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = NMI_EVENT }, .want = L0 },

	/* --- MOV to CR0 / CR4 (26.1.3; guest/host masks, 25.6.6) --- */
	{ "26.1.3 MOV to CR0 changes an owned bit (PG) against the read shadow: L1",
	  { SET(CR0_GUEST_HOST_MASK, CR0_PE | CR0_PG), SET(CR0_READ_SHADOW, CR0_PE | CR0_PG) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(0), .cr_source = CR0_PE },
	  .want = L1 },
	{ "26.1.3 MOV to CR0 matches the shadow on owned bits, changes others (TS, WP): L0",
	  { SET(CR0_GUEST_HOST_MASK, CR0_PE | CR0_PG), SET(CR0_READ_SHADOW, CR0_PE | CR0_PG) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(0),
	    .cr_source = CR0_PE | CR0_PG | CR0_TS | CR0_WP }, .want = L0 },
	{ "26.1.3 MOV to CR0 with an all-clear mask cannot exit: L0",
	  { SET(CR0_READ_SHADOW, ~0ull) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(0), .cr_source = 0 },
	  .want = L0 },
	{ "26.1.3 MOV to CR4 changes an owned bit (VMXE): L1",
	  { SET(CR4_GUEST_HOST_MASK, CR4_VMXE | CR4_PAE), SET(CR4_READ_SHADOW, CR4_PAE) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(4),
	    .cr_source = CR4_PAE | CR4_VMXE }, .want = L1 },
	{ "26.1.3 MOV to CR4 changes only unowned bits (PGE); CR0's mask says nothing: L0",
	  { SET(CR4_GUEST_HOST_MASK, CR4_VMXE | CR4_PAE), SET(CR4_READ_SHADOW, CR4_PAE),
	    SET(CR0_GUEST_HOST_MASK, ~0ull) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(4),
	    .cr_source = CR4_PAE | CR4_PGE }, .want = L0 },

	/* --- MOV to/from CR3 (26.1.3; CR3-target controls, 25.6.7) --- */
	{ "26.1.3 MOV to CR3, \"CR3-load exiting\" 0: L0",
	  { PROC(ALL_BUT(CPU_CR3_LOAD_EXITING)), SET(CR3_TARGET_COUNT, 0) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(3), .cr_source = 0x5000 },
	  .want = L0 },
	{ "26.1.3 MOV to CR3, CR3-target count 0: always exits, even equal to target 0: L1",
	  { PROC(ONLY(CPU_CR3_LOAD_EXITING)), SET(CR3_TARGET_VALUE0, 0x5000) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(3), .cr_source = 0x5000 },
	  .want = L1 },
	{ "26.1.3 MOV to CR3 equal to target 3 of 4: no exit, L0",
	  { PROC(ONLY(CPU_CR3_LOAD_EXITING)), SET(CR3_TARGET_COUNT, 4),
	    SET(CR3_TARGET_VALUE0, 0x1000), SET(CR3_TARGET_VALUE1, 0x2000),
	    SET(CR3_TARGET_VALUE2, 0x3000), SET(CR3_TARGET_VALUE3, 0x5000) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(3), .cr_source = 0x5000 },
	  .want = L0 },
	{ "26.1.3 MOV to CR3 equal to target 3 with count 3 (only the first n count): L1",
	  { PROC(ONLY(CPU_CR3_LOAD_EXITING)), SET(CR3_TARGET_COUNT, 3),
	    SET(CR3_TARGET_VALUE3, 0x5000) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(3), .cr_source = 0x5000 },
	  .want = L1 },
	{ "26.1.3 MOV to CR3 equal to no target of 4: L1",
	  { PROC(ONLY(CPU_CR3_LOAD_EXITING)), SET(CR3_TARGET_COUNT, 4),
	    SET(CR3_TARGET_VALUE0, 0x1000), SET(CR3_TARGET_VALUE1, 0x2000),
	    SET(CR3_TARGET_VALUE2, 0x3000), SET(CR3_TARGET_VALUE3, 0x4000) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(3), .cr_source = 0x5000 },
	  .want = L1 },
	{ "26.1.3 MOV from CR3, \"CR3-store exiting\" 1: L1",
	  { PROC(ONLY(CPU_CR3_STORE_EXITING)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_FROM_CR(3) }, .want = L1 },
	{ "26.1.3 MOV from CR3, \"CR3-store exiting\" 0: L0",
	  { PROC(ALL_BUT(CPU_CR3_STORE_EXITING)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_FROM_CR(3) }, .want = L0 },

	/* --- CR8 (26.1.3) --- */
	{ "26.1.3 MOV to CR8, \"CR8-load exiting\" 1: L1",
	  { PROC(ONLY(CPU_CR8_LOAD_EXITING)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(8), .cr_source = 0xf },
	  .want = L1 },
	{ "26.1.3 MOV to CR8, \"CR8-load exiting\" 0: L0",
	  { PROC(ALL_BUT(CPU_CR8_LOAD_EXITING)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_TO_CR(8), .cr_source = 0xf },
	  .want = L0 },
	{ "26.1.3 MOV from CR8, \"CR8-store exiting\" 1: L1",
	  { PROC(ONLY(CPU_CR8_STORE_EXITING)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_FROM_CR(8) }, .want = L1 },
	{ "26.1.3 MOV from CR8, \"CR8-store exiting\" 0: L0",
	  { PROC(ALL_BUT(CPU_CR8_STORE_EXITING)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = MOV_FROM_CR(8) }, .want = L0 },

	/* --- CLTS and LMSW (26.1.3) --- */
	{ "26.1.3 CLTS, bit 3 (TS) set in both mask and read shadow: L1",
	  { SET(CR0_GUEST_HOST_MASK, CR0_TS), SET(CR0_READ_SHADOW, CR0_TS) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = CLTS_QUAL }, .want = L1 },
	{ "26.1.3 CLTS, TS set in the mask only (every other shadow bit set): L0",
	  { SET(CR0_GUEST_HOST_MASK, CR0_TS), SET(CR0_READ_SHADOW, ALL_BUT(CR0_TS)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = CLTS_QUAL }, .want = L0 },
	{ "26.1.3 CLTS, TS set in the shadow only (every other mask bit set): L0",
	  { SET(CR0_GUEST_HOST_MASK, ALL_BUT(CR0_TS)), SET(CR0_READ_SHADOW, CR0_TS) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = CLTS_QUAL }, .want = L0 },
	{ "26.1.3 LMSW sets PE, owned and clear in the shadow: L1",
	  { SET(CR0_GUEST_HOST_MASK, CR0_PE) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(CR0_PE) }, .want = L1 },
	{ "26.1.3 LMSW with PE clear, owned and set in the shadow: LMSW cannot clear PE, L0",
	  { SET(CR0_GUEST_HOST_MASK, CR0_PE), SET(CR0_READ_SHADOW, CR0_PE) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(0) }, .want = L0 },
	{ "26.1.3 LMSW with PE clear, owned and clear in the shadow: L0",
	  { SET(CR0_GUEST_HOST_MASK, CR0_PE) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(0) }, .want = L0 },
	{ "26.1.3 LMSW writes MP, owned and differing from the shadow: L1",
	  { SET(CR0_GUEST_HOST_MASK, CR0_MP) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(CR0_MP) }, .want = L1 },
	{ "26.1.3 LMSW clears TS, owned and set in the shadow: L1",
	  { SET(CR0_GUEST_HOST_MASK, CR0_TS), SET(CR0_READ_SHADOW, CR0_TS) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(CR0_MP) }, .want = L1 },
	{ "26.1.3 LMSW writes EM equal to the shadow, MP and TS unowned: L0",
	  { SET(CR0_GUEST_HOST_MASK, CR0_EM), SET(CR0_READ_SHADOW, CR0_EM) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(CR0_EM | CR0_MP | CR0_TS) },
	  .want = L0 },
	{ "26.1.3 LMSW source bits 15:4 differ on owned bits (only the low 4 mask bits count): L0",
	  { SET(CR0_GUEST_HOST_MASK, ALL_BUT(0xf)) },
	  { .reason = EXIT_REASON_CR_ACCESS, .qualification = LMSW_QUAL(0xfff0) }, .want = L0 },

	/* --- I/O (26.1.3; I/O bitmaps, 25.6.4) --- */
	{ "26.1.3 OUT, \"unconditional I/O exiting\" 1, no bitmaps: L1",
	  { PROC(ONLY(CPU_UNCONDITIONAL_IO_EXITING)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_OUT(0x80, 1) }, .want = L1 },
	{ "26.1.3 OUT, neither I/O control: L0",
	  { PROC(ALL_BUT(CPU_UNCONDITIONAL_IO_EXITING | CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_OUT(0x80, 1) },
	  .fill = 0xff, .want = L0 },
	{ "26.1.3 OUT byte to 0x80, its bit set in bitmap A: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_OUT(0x80, 1) },
	  .flip = { IO_A(0x80) }, .want = L1 },
	{ "26.1.3 OUT byte to 0x80, its bit clear, \"unconditional I/O exiting\" ignored: L0",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS | CPU_UNCONDITIONAL_IO_EXITING)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_OUT(0x80, 1) },
	  .fill = 0xff, .flip = { IO_A(0x80) }, .want = L0 },
	{ "26.1.3 IN byte from 0x8000: bit 0 of bitmap B set, bit 0 of A clear: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x8000, 1) },
	  .flip = { IO_B(0) }, .want = L1 },
	{ "26.1.3 IN byte from 0x8000: bit 0 of B clear, bit 0 of A set: L0",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x8000, 1) },
	  .fill = 0xff, .flip = { IO_B(0) }, .want = L0 },
	{ "26.1.3 IN word from 0x7fff crosses into B: only B's bit 0 (port 0x8000) set: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x7fff, 2) },
	  .flip = { IO_B(0) }, .want = L1 },
	{ "26.1.3 IN word from 0x7fff: only A's bit 0x7fff set: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x7fff, 2) },
	  .flip = { IO_A(0x7fff) }, .want = L1 },
	{ "26.1.3 IN word from 0x7fff: both ports' bits clear, all others set: L0",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x7fff, 2) },
	  .fill = 0xff, .flip = { IO_A(0x7fff), IO_B(0) }, .want = L0 },
	{ "26.1.3 OUT dword to 0xcfe: only the last port's bit (0xd01) set: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_OUT(0xcfe, 4) },
	  .flip = { IO_A(0xd01) }, .want = L1 },
	{ "26.1.3 OUT dword to 0xcfe: its four ports' bits clear, all others set: L0",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_OUT(0xcfe, 4) },
	  .fill = 0xff, .flip = { IO_A(0xcfe), IO_A(0xcff), IO_A(0xd00), IO_A(0xd01) }, .want = L0 },
	{ "26.1.3 IN dword from 0xfffe wraps past 0xffff: exits with no bit set: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0xfffe, 4) }, .want = L1 },
	{ "26.1.3 IN word from 0xffff wraps: L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0xffff, 2) }, .want = L1 },
	{ "26.1.3 IN word from 0xfffe does not wrap: its bits clear, all others set: L0",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0xfffe, 2) },
	  .fill = 0xff, .flip = { IO_B(0x7ffe), IO_B(0x7fff) }, .want = L0 },
	{ "I/O bitmap B outside L1's memory, port 0x8000: unreadable, goes to L1",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)), SET(IO_BITMAP_B, OUTSIDE_L1) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x8000, 1) }, .want = L1 },
	{ "I/O bitmap B outside L1's memory, port 0x80 (A's bit clear): B not needed, L0",
	  { PROC(ONLY(CPU_USE_IO_BITMAPS)), SET(IO_BITMAP_B, OUTSIDE_L1) },
	  { .reason = EXIT_REASON_IO_INSTRUCTION, .qualification = IO_IN(0x80, 1) }, .want = L0 },

	/* --- RDMSR / WRMSR (26.1.3; MSR bitmaps, 25.6.9) --- */
	{ "26.1.3 RDMSR, \"use MSR bitmaps\" 0 (no bitmap): L1",
	  { PROC(ALL_BUT(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x10 }, .want = L1 },
	{ "26.1.3 WRMSR, \"use MSR bitmaps\" 0 (no bitmap): L1",
	  { PROC(ALL_BUT(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_WRITE, .msr = 0x10 }, .want = L1 },
	{ "26.1.3 RDMSR 0x10, read-low bit set: L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x10 },
	  .flip = { MSR_RD_LO(0x10) }, .want = L1 },
	{ "26.1.3 RDMSR 0x10, read-low bit clear, every other bit set: L0",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x10 },
	  .fill = 0xff, .flip = { MSR_RD_LO(0x10) }, .want = L0 },
	{ "26.1.3 WRMSR 0x10, write-low bit set: L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_WRITE, .msr = 0x10 },
	  .flip = { MSR_WR_LO(0x10) }, .want = L1 },
	{ "26.1.3 WRMSR 0x10, only its read-low bit set: L0",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_WRITE, .msr = 0x10 },
	  .flip = { MSR_RD_LO(0x10) }, .want = L0 },
	{ "26.1.3 RDMSR 0xc0000080, read-high bit 0x80 set: L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0xc0000080 },
	  .flip = { MSR_RD_HI(0x80) }, .want = L1 },
	{ "26.1.3 RDMSR 0xc0000080, read-high bit clear, read-low bit 0x80 set: L0",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0xc0000080 },
	  .fill = 0xff, .flip = { MSR_RD_HI(0x80) }, .want = L0 },
	{ "26.1.3 WRMSR 0xc0001fff (last high MSR), write-high bit set: L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_WRITE, .msr = 0xc0001fff },
	  .flip = { MSR_WR_HI(0x1fff) }, .want = L1 },
	{ "26.1.3 WRMSR 0xc0001fff, write-high bit clear, every other bit set: L0",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_WRITE, .msr = 0xc0001fff },
	  .fill = 0xff, .flip = { MSR_WR_HI(0x1fff) }, .want = L0 },
	{ "26.1.3 WRMSR 0xc0002000 is outside both ranges: exits with no bit set, L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_WRITE, .msr = 0xc0002000 }, .want = L1 },
	{ "26.1.3 RDMSR 0x1fff (last low MSR), read-low bit clear, every other bit set: L0",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x1fff },
	  .fill = 0xff, .flip = { MSR_RD_LO(0x1fff) }, .want = L0 },
	{ "26.1.3 RDMSR 0x2000 is outside both ranges: L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x2000 }, .want = L1 },
	{ "26.1.3 RDMSR 0x40000000 is outside both ranges: L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x40000000 }, .want = L1 },
	{ "MSR bitmap outside L1's memory: unreadable, goes to L1",
	  { PROC(ONLY(CPU_USE_MSR_BITMAPS)), SET(MSR_BITMAP, OUTSIDE_L1) },
	  { .reason = EXIT_REASON_MSR_READ, .msr = 0x10 }, .want = L1 },

	/* --- secondary controls (26.1.3; 25.6.2: all 0 without "activate
	 * secondary controls") --- */
	{ "26.1.3 RDTSCP, \"RDTSC exiting\" and \"enable RDTSCP\" 1: L1",
	  { PROC(ONLY(CPU_RDTSC_EXITING | CPU_ACTIVATE_SECONDARY)), PROC2(ONLY(CPU2_ENABLE_RDTSCP)) },
	  { .reason = EXIT_REASON_RDTSCP }, .want = L1 },
	{ "26.1.3 RDTSCP, \"RDTSC exiting\" 0: L0",
	  { PROC(ALL_BUT(CPU_RDTSC_EXITING)), PROC2(~0u) },
	  { .reason = EXIT_REASON_RDTSCP }, .want = L0 },
	{ "26.1.3 RDTSCP, \"enable RDTSCP\" 0: #UD in L2, no exit for L1 (26.3): L0",
	  { PROC(ONLY(CPU_RDTSC_EXITING | CPU_ACTIVATE_SECONDARY)), PROC2(ALL_BUT(CPU2_ENABLE_RDTSCP)) },
	  { .reason = EXIT_REASON_RDTSCP }, .want = L0 },
	{ "26.1.3 WBINVD, \"WBINVD exiting\" 1: L1",
	  { PROC(ONLY(CPU_ACTIVATE_SECONDARY)), PROC2(ONLY(CPU2_WBINVD_EXITING)) },
	  { .reason = EXIT_REASON_WBINVD }, .want = L1 },
	{ "26.1.3 WBINVD, \"WBINVD exiting\" 0: L0",
	  { PROC(~0u), PROC2(ALL_BUT(CPU2_WBINVD_EXITING)) },
	  { .reason = EXIT_REASON_WBINVD }, .want = L0 },
	{ "25.6.2 WBINVD, \"WBINVD exiting\" 1 but secondary controls not activated: L0",
	  { PROC(ALL_BUT(CPU_ACTIVATE_SECONDARY)), PROC2(~0u) },
	  { .reason = EXIT_REASON_WBINVD }, .want = L0 },

};

/* Exits under one primary processor-based control (26.1.3; the window
 * exits, 26.2): L1's with only that control 1, L0's with every control but
 * it 1 (then the exit is nestvisor's: it sets HLT and PAUSE exiting and the
 * windows in vmcs02 for itself). */
static const struct {
	u32 reason;
	u32 control;
	const char *words;
} one_control[] = {
	{ EXIT_REASON_HLT, CPU_HLT_EXITING, "26.1.3 HLT, \"HLT exiting\"" },
	{ EXIT_REASON_INVLPG, CPU_INVLPG_EXITING, "26.1.3 INVLPG, \"INVLPG exiting\"" },
	{ EXIT_REASON_RDPMC, CPU_RDPMC_EXITING, "26.1.3 RDPMC, \"RDPMC exiting\"" },
	{ EXIT_REASON_RDTSC, CPU_RDTSC_EXITING, "26.1.3 RDTSC, \"RDTSC exiting\"" },
	{ EXIT_REASON_DR_ACCESS, CPU_MOV_DR_EXITING, "26.1.3 MOV DR, \"MOV-DR exiting\"" },
	{ EXIT_REASON_MWAIT_INSTRUCTION, CPU_MWAIT_EXITING, "26.1.3 MWAIT, \"MWAIT exiting\"" },
	{ EXIT_REASON_MONITOR_INSTRUCTION, CPU_MONITOR_EXITING,
	  "26.1.3 MONITOR, \"MONITOR exiting\"" },
	{ EXIT_REASON_PAUSE_INSTRUCTION, CPU_PAUSE_EXITING, "26.1.3 PAUSE, \"PAUSE exiting\"" },
	{ EXIT_REASON_INTERRUPT_WINDOW, CPU_INTERRUPT_WINDOW_EXITING,
	  "26.2 interrupt window, \"interrupt-window exiting\"" },
	{ EXIT_REASON_NMI_WINDOW, CPU_NMI_WINDOW_EXITING,
	  "26.2 NMI window, \"NMI-window exiting\"" },
};

/* A reason whose owner does not depend on vmcs12. */
struct named_reason {
	u32 reason;
	const char *name;
};

/* Unconditional exits (26.1.2 and, for triple fault, task switch and INIT,
 * 26.2): L1's whatever its controls. VMREAD and VMWRITE are unconditional
 * for an L1 without VMCS shadowing (nestvisor offers none yet). */
static const struct named_reason unconditional[] = {
	{ EXIT_REASON_CPUID, "CPUID" }, { EXIT_REASON_GETSEC, "GETSEC" },
	{ EXIT_REASON_INVD, "INVD" }, { EXIT_REASON_XSETBV, "XSETBV" },
	{ EXIT_REASON_VMCALL, "VMCALL" }, { EXIT_REASON_VMCLEAR, "VMCLEAR" },
	{ EXIT_REASON_VMLAUNCH, "VMLAUNCH" }, { EXIT_REASON_VMPTRLD, "VMPTRLD" },
	{ EXIT_REASON_VMPTRST, "VMPTRST" }, { EXIT_REASON_VMREAD, "VMREAD" },
	{ EXIT_REASON_VMRESUME, "VMRESUME" }, { EXIT_REASON_VMWRITE, "VMWRITE" },
	{ EXIT_REASON_VMXOFF, "VMXOFF" }, { EXIT_REASON_VMXON, "VMXON" },
	{ EXIT_REASON_INVEPT, "INVEPT" }, { EXIT_REASON_INVVPID, "INVVPID" },
	{ EXIT_REASON_TRIPLE_FAULT, "triple fault" }, { EXIT_REASON_TASK_SWITCH, "task switch" },
	{ EXIT_REASON_INIT_SIGNAL, "INIT" },
};

/* nestvisor's own (the header's list): L0's even when L1 asks for
 * everything. */
static const struct named_reason nestvisors[] = {
	{ EXIT_REASON_EXTERNAL_INTERRUPT, "external interrupt" },
	{ EXIT_REASON_PREEMPTION_TIMER, "preemption timer" },
	{ EXIT_REASON_EPT_VIOLATION, "EPT violation" },
	{ EXIT_REASON_EPT_MISCONFIG, "EPT misconfiguration" },
	{ EXIT_REASON_TPR_BELOW_THRESHOLD, "TPR below threshold" },
	{ EXIT_REASON_MCE_DURING_VMENTRY, "machine check during VM entry" },
};

/* Resets L1's world: vmcs12 all fill_fields bytes but for the bitmap
 * addresses (pointing at the pages), the bitmaps all fill. */
static void reset(u8 fill_fields, u8 fill)
{
	memset(vmcs12, fill_fields, sizeof(vmcs12));
	vmcs12[VMCS_IO_BITMAP_A] = page_gpa[IO_A_PAGE];
	vmcs12[VMCS_IO_BITMAP_B] = page_gpa[IO_B_PAGE];
	vmcs12[VMCS_MSR_BITMAP] = page_gpa[MSR_PAGE];
	memset(pages, fill, sizeof(pages));
	bad_requests = 0;
}

static enum nested_owner ask(struct nested_exit_query q)
{
	q.read12 = fake_read12;
	q.l1_page = fake_l1_page;
	q.ctx = &the_ctx;
	return nested_exit_owner(&q);
}

/* The owner the function gives for case c, in L1's world as c sets it. */
static enum nested_owner run(const struct exit_case *c)
{
	reset(0, c->fill);
	for (unsigned i = 0; i < ARRAY_SIZE(c->set); i++)
		vmcs12[c->set[i].field] = c->set[i].value;
	for (unsigned i = 0; i < ARRAY_SIZE(c->flip) && c->flip[i].page != NO_PAGE; i++)
		pages[c->flip[i].page][c->flip[i].bit / 8] ^= (u8)(1u << (c->flip[i].bit % 8));
	return ask(c->exit);
}

static void run_case(const struct exit_case *c)
{
	enum nested_owner got = run(c);

	report(got == c->want && !bad_requests, "%s (got %s%s%s)", c->words,
	       nested_owner_name(got), bad_requests ? "; bad request: " : "",
	       bad_requests ? bad_what : "");
}

static void check_one_control(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(one_control); i++) {
		struct exit_case c = { .exit = { .reason = one_control[i].reason } };
		enum nested_owner with, without;
		unsigned bad;

		c.set[0] = (struct field_value)PROC(ONLY(one_control[i].control));
		with = run(&c);
		bad = bad_requests;
		c.set[0] = (struct field_value)PROC(ALL_BUT(one_control[i].control));
		without = run(&c);
		bad += bad_requests;
		report(with == L1 && without == L0 && !bad,
		       "%s 1: L1, 0 with every other bit 1: L0 (got %s, %s%s%s)",
		       one_control[i].words, nested_owner_name(with), nested_owner_name(without),
		       bad ? "; bad request: " : "", bad ? bad_what : "");
	}
}

/* Each reason of list with vmcs12 and the bitmaps all zeros, then all
 * ones: a line saying how many answers are not want, and the first. */
static void check_fixed(const struct named_reason *list, size_t n, enum nested_owner want,
			const char *what)
{
	unsigned wrong = 0;
	const char *first = "";

	for (size_t i = 0; i < n; i++)
		for (unsigned ones = 0; ones < 2; ones++) {
			reset(ones ? 0xff : 0, ones ? 0xff : 0);
			if (ask((struct nested_exit_query){ .reason = list[i].reason }) == want &&
			    !bad_requests)
				continue;
			if (!wrong++)
				first = list[i].name;
		}
	report(!wrong, "%s: %zu reasons, %s with every vmcs12 bit 0 and every bit 1 "
	       "(%u wrong%s%s)", what, n, nested_owner_name(want), wrong,
	       wrong ? ", first " : "", first);
}

void run_tests(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	check_one_control();
	check_fixed(unconditional, ARRAY_SIZE(unconditional), L1,
		    "26.1.2/26.2 unconditional exits (CPUID, VMX instructions, XSETBV, triple fault, ...)");
	check_fixed(nestvisors, ARRAY_SIZE(nestvisors), L0,
		    "nestvisor's own exits (external interrupt, preemption timer, EPT, ...)");
	report(!strcmp(nested_owner_name(L0), "L0") && !strcmp(nested_owner_name(L1), "L1"),
	       "owner names: L0, L1");
}
