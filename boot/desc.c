#include "desc.h"
#include "../lib/string.h"

/* The 256 entry stubs of boot/isr.asm, ISR_STUB_SIZE bytes apart. */
extern const u8 isr_stubs[];
#define ISR_STUB_SIZE 16

/* Segment descriptor bits (SDM Vol. 3, 3.4.5). */
#define SEG_ACCESSED BIT(40)
#define SEG_RW BIT(41)
#define SEG_CODE BIT(43)
#define SEG_NOT_SYSTEM BIT(44)
#define SEG_PRESENT BIT(47)
#define SEG_LONG BIT(53)
#define SEG_GRAN_4K BIT(55)
#define SEG_TYPE_TSS_AVAIL (9ull << 40)

#define GATE_INTERRUPT_PRESENT 0x8e	/* P=1, DPL=0, type 14: 64-bit interrupt gate */

static u64 tss_low(u64 base, u32 limit)
{
	return (limit & 0xffff) | ((base & 0xffffff) << 16) | SEG_TYPE_TSS_AVAIL |
	       SEG_PRESENT | ((u64)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
}

static u8 ist_for_vector(unsigned v)
{
	switch (v) {
	case 2: return IST_NMI;
	case 8: return IST_DF;
	case 18: return IST_MC;
	default: return 0;
	}
}

void desc_init(struct cpu_desc *d, const u64 ist_top[IST_SLOTS + 1])
{
	u64 tss = ptr_to_phys(&d->tss);

	memset(d, 0, sizeof(*d));
	d->gdt[GDT_CODE64] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_CODE | SEG_RW |
			     SEG_ACCESSED | SEG_LONG | SEG_GRAN_4K | 0xffff;
	d->gdt[GDT_DATA] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_RW | SEG_ACCESSED |
			   SEG_GRAN_4K | (0xfull << 48) | 0xffff;
	d->gdt[GDT_TSS] = tss_low(tss, sizeof(d->tss) - 1);
	d->gdt[GDT_TSS_HIGH] = tss >> 32;

	for (int i = IST_DF; i <= IST_SLOTS; i++)
		d->tss.ist[i] = ist_top[i];
	d->tss.iomap_base = sizeof(d->tss); /* no I/O bitmap */

	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		u64 handler = ptr_to_phys(isr_stubs) + v * ISR_STUB_SIZE;
		struct idt_gate *g = &d->idt[v];

		g->offset_low = handler & 0xffff;
		g->selector = SEL_CODE64;
		g->ist = ist_for_vector(v);
		g->type_attr = GATE_INTERRUPT_PRESENT;
		g->offset_mid = handler >> 16 & 0xffff;
		g->offset_high = handler >> 32;
	}
}

struct __packed desc_ptr {
	u16 limit;
	u64 base;
};

void desc_load(struct cpu_desc *d)
{
	struct desc_ptr gdtr = { sizeof(d->gdt) - 1, ptr_to_phys(d->gdt) };
	struct desc_ptr idtr = { sizeof(d->idt) - 1, ptr_to_phys(d->idt) };

	__asm__ volatile("lgdt %0" ::"m"(gdtr));
	/* A far return is the one way to reload CS in 64-bit mode. */
	__asm__ volatile("pushq %[cs]\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %[ds], %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 :
			 : [cs] "i"(SEL_CODE64), [ds] "i"(SEL_DATA)
			 : "rax", "memory");
	__asm__ volatile("ltr %w0" ::"r"(SEL_TSS));
	__asm__ volatile("lidt %0" ::"m"(idtr));
}
