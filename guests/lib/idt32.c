/* The 32-bit build's IDT: 256 interrupt gates to isr32.asm's stubs. */
#include "trap.h"

/* A 32-bit interrupt gate (SDM Vol. 3, 6.11, Figure 6-2). */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 reserved;
	u8 type_attr;
	u16 offset_hi;
};
_Static_assert(sizeof(struct idt_gate) == 8, "32-bit IDT gates are 8 bytes");

#define GATE_PRESENT 0x80
#define GATE_INTERRUPT32 0x0e	/* clears EFLAGS.IF on entry */

struct idt_ptr {
	u16 limit;
	u32 base;
} __packed;

/* From isr32.asm: TRAP_VECTORS entry stubs, TRAP_STUB_SIZE bytes each. */
extern const u8 isr_stubs[];

static struct idt_gate idt[TRAP_VECTORS] __aligned(8);

void trap_init(void)
{
	u16 cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < TRAP_VECTORS; v++) {
		u32 addr = (u32)(uintptr_t)&isr_stubs[v * TRAP_STUB_SIZE];

		idt[v] = (struct idt_gate){
			.offset_lo = (u16)addr,
			.selector = cs,
			.type_attr = GATE_PRESENT | GATE_INTERRUPT32,
			.offset_hi = (u16)(addr >> 16),
		};
	}
}

void trap_load(void)
{
	struct idt_ptr ptr = { .limit = sizeof(idt) - 1, .base = (u32)(uintptr_t)idt };

	__asm__ volatile("lidt %0" ::"m"(ptr));
}
