/* The 64-bit build's IDT: 256 interrupt gates to isr.asm's stubs. */
#include "trap.h"

/* A 64-bit interrupt gate (SDM Vol. 3, 6.14.1, Figure 6-8). */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

#define GATE_PRESENT 0x80
#define GATE_INTERRUPT64 0x0e	/* clears RFLAGS.IF on entry */

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

/* From isr.asm: TRAP_VECTORS entry stubs, TRAP_STUB_SIZE bytes each. */
extern const u8 isr_stubs[];

static struct idt_gate idt[TRAP_VECTORS] __aligned(16);

void trap_init(void)
{
	u16 cs;

	/* The gates use whatever code segment the start code runs us in. */
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < TRAP_VECTORS; v++) {
		u64 addr = (u64)&isr_stubs[v * TRAP_STUB_SIZE];

		idt[v] = (struct idt_gate){
			.offset_lo = (u16)addr,
			.selector = cs,
			.type_attr = GATE_PRESENT | GATE_INTERRUPT64,
			.offset_mid = (u16)(addr >> 16),
			.offset_hi = (u32)(addr >> 32),
		};
	}
}

void trap_load(void)
{
	struct idt_ptr ptr = { .limit = sizeof(idt) - 1, .base = (u64)idt };

	__asm__ volatile("lidt %0" ::"m"(ptr));
}
