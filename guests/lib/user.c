#include "user.h"
#include "boot.h"
#include "exit.h"
#include "paging.h"
#include "../../lib/string.h"
#include "../../lib/x86.h"

/* Segment descriptor fields (SDM Vol. 3, 3.4.5, Figure 3-8). */
#define DESC_LIMIT_LO 0xffffull			/* limit 15:0 */
#define DESC_LIMIT_HI (0xfull << 48)		/* limit 19:16 */
#define DESC_BASE_LO_SHIFT 16			/* base 23:0 in bits 39:16 */
#define DESC_BASE_LO_MASK 0xffffffull
#define DESC_ACCESS_SHIFT 40			/* P, DPL, S, type */
#define DESC_FLAGS_SHIFT 52			/* G, D/B, L, AVL */
#define DESC_BASE_HI_SHIFT 56			/* base 31:24 */
#define ACCESS_DATA_DPL0 0x93			/* present, DPL 0, data, RW, accessed */
#define ACCESS_DATA_DPL3 0xf3
#define ACCESS_CODE_DPL0 0x9b			/* present, DPL 0, code, RX, accessed */
#define ACCESS_CODE_DPL3 0xfb
#define ACCESS_TSS64 0x89			/* present, DPL 0, 64-bit TSS (available) */
#define FLAGS_32BIT 0xc				/* G = 1, D/B = 1 */
#define FLAGS_64BIT_CODE 0xa			/* G = 1, L = 1 */
#define SEL_RPL3 3
#define SEL_INDEX_SHIFT 3

#define GDT_ENTRIES 32
#define USER_STACK_SIZE 4096
/* Exceptions of the code run here arrive this far below the caller's
 * stack pointer, in the vCPU's stack, clear of the frames of the run. */
#define TRAP_STACK_GAP 1024
#define RFLAGS_FIXED1 BIT(1)

/* The 64-bit TSS (SDM Vol. 3, 8.7, Figure 8-11): only RSP0 is used, for
 * exceptions from CPL 3. No I/O bitmap: its base lies past the limit. */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "the 64-bit TSS is 104 bytes");

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static u64 gdt[GDT_ENTRIES] __aligned(16);
static unsigned gdt_used;
static struct tss64 tss __aligned(16);
static u16 user_cs, user_ss, code32_cs;
static u8 user_stack[USER_STACK_SIZE] __aligned(16);

/* The code user_run() enters at CPL 3: calls RBX, then ends at user_done. */
extern const u8 user_entry[], user_done[];
__asm__(".pushsection .text\n"
	"user_entry:\n\t"
	"call *%rbx\n"
	"user_done:\n\t"
	"ud2\n"
	".popsection");

static u64 seg_desc(u32 base, u8 access, u8 flags)
{
	return DESC_LIMIT_LO | DESC_LIMIT_HI |
	       (((u64)base & DESC_BASE_LO_MASK) << DESC_BASE_LO_SHIFT) |
	       ((u64)access << DESC_ACCESS_SHIFT) | ((u64)flags << DESC_FLAGS_SHIFT) |
	       ((u64)(base >> 24) << DESC_BASE_HI_SHIFT);
}

/* Appends n descriptors and returns the selector of the first (RPL 0). */
static u16 gdt_add(const u64 *desc, unsigned n)
{
	if (gdt_used + n > GDT_ENTRIES)
		panic("user: GDT full (%u entries)", GDT_ENTRIES);
	memcpy(&gdt[gdt_used], desc, n * sizeof(*desc));
	gdt_used += n;
	return (u16)((gdt_used - n) << SEL_INDEX_SHIFT);
}

static void gdt_load(void)
{
	struct desc_ptr p = { .limit = gdt_used * sizeof(gdt[0]) - 1, .base = (u64)gdt };

	__asm__ volatile("lgdt %0" ::"m"(p) : "memory");
}

void user_init(void)
{
	struct desc_ptr old;
	u64 tss_base = (u64)&tss;
	u64 tss_desc[2] = {
		(sizeof(tss) - 1) | ((tss_base & DESC_BASE_LO_MASK) << DESC_BASE_LO_SHIFT) |
		((u64)ACCESS_TSS64 << DESC_ACCESS_SHIFT) |
		((tss_base >> 24 & 0xff) << DESC_BASE_HI_SHIFT),
		tss_base >> 32,
	};
	u64 desc;
	u16 tss_sel;

	/* Keep the start code's descriptors where they are: CS, SS and the
	 * IDT's gates use their selectors. */
	__asm__ volatile("sgdt %0" : "=m"(old));
	gdt_used = 0;
	gdt_add(phys_to_ptr(old.base), (old.limit + 1u) / sizeof(gdt[0]));
	desc = seg_desc(0, ACCESS_CODE_DPL3, FLAGS_64BIT_CODE);
	user_cs = gdt_add(&desc, 1) | SEL_RPL3;
	desc = seg_desc(0, ACCESS_DATA_DPL3, FLAGS_32BIT);
	user_ss = gdt_add(&desc, 1) | SEL_RPL3;
	desc = seg_desc(0, ACCESS_CODE_DPL0, FLAGS_32BIT);
	code32_cs = gdt_add(&desc, 1);
	tss_sel = gdt_add(tss_desc, 2);
	tss.iomap_base = sizeof(tss);
	gdt_load();
	__asm__ volatile("ltr %0" ::"r"(tss_sel));
	paging_set_user(guest_image_start(), guest_image_end());
}

u16 user_add_data_segment(u32 base)
{
	u64 desc = seg_desc(base, ACCESS_DATA_DPL0, FLAGS_32BIT);
	u16 sel = gdt_add(&desc, 1);

	gdt_load();
	return sel;
}

static u64 trap_stack(void)
{
	u64 rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	return ALIGN_DOWN(rsp - TRAP_STACK_GAP, 16);
}

bool user_run(void (*fn)(void), struct trap_fault *fault)
{
	struct catch_entry e = {
		.rip = (u64)user_entry, .rsp = (u64)user_stack + sizeof(user_stack),
		.rflags = RFLAGS_FIXED1, .cs = user_cs, .ss = user_ss,
		.rbx = (u64)fn, .done = (u64)user_done,
	};

	if (!user_cs)
		panic("user_run() before user_init()");
	tss.rsp[0] = trap_stack();
	return catch_iret(&e, fault);
}

bool compat_run(const void *code, const void *done, struct trap_fault *fault)
{
	struct catch_entry e = {
		.rip = (u64)code, .rsp = trap_stack(), .rflags = RFLAGS_FIXED1,
		.cs = code32_cs, .done = (u64)done,
	};

	if (!code32_cs)
		panic("compat_run() before user_init()");
	if ((u64)code >= GiB(4) || (u64)done >= GiB(4))
		panic("compat_run: code at 0x%lx is not below 4 GiB", (u64)code);
	__asm__ volatile("mov %%ss, %0" : "=r"(e.ss));
	return catch_iret(&e, fault);
}
