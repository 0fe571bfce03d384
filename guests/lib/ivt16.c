/* The real-mode build's interrupt vector table: 256 far pointers at
 * physical 0 (SDM Vol. 3, 21.1.4), each to an isr16.asm stub in segment 0. */
#include "trap.h"

struct ivt_entry {
	u16 offset, segment;
};

#define IVT_ADDR 0

struct idt_ptr {
	u16 limit;
	u32 base;
} __packed;

/* From isr16.asm: TRAP_VECTORS entry stubs, TRAP_STUB_SIZE bytes each. */
extern const u8 isr_stubs[];

void trap_init(void)
{
	struct ivt_entry *ivt = phys_to_ptr(IVT_ADDR);

	/* Physical 0 is the IVT's address, not a null pointer. */
	__asm__("" : "+r"(ivt));
	for (unsigned v = 0; v < TRAP_VECTORS; v++)
		ivt[v] = (struct ivt_entry){
			.offset = (u16)(uintptr_t)&isr_stubs[v * TRAP_STUB_SIZE],
			.segment = 0,
		};
}

void trap_load(void)
{
	/* Where the contract puts it already; loaded all the same, as the
	 * other modes load theirs. */
	struct idt_ptr ptr = { .limit = TRAP_VECTORS * sizeof(struct ivt_entry) - 1,
			       .base = IVT_ADDR };

	__asm__ volatile("lidtl %0" ::"m"(ptr));
}
