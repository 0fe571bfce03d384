/* nestvisor's own descriptor tables, one set per CPU: a GDT with a 64-bit
 * TSS, and an IDT whose every vector enters boot/isr.asm (SDM Vol. 3, 3.4.5,
 * 7.7 "Task management in 64-bit mode", 6.14 "Exception and interrupt
 * handling in 64-bit mode"). */
#ifndef BOOT_DESC_H
#define BOOT_DESC_H

#include "../lib/types.h"

enum gdt_index { GDT_NULL, GDT_CODE64, GDT_DATA, GDT_TSS, GDT_TSS_HIGH, GDT_ENTRIES };
#define SEL_CODE64 (GDT_CODE64 * 8)
#define SEL_DATA (GDT_DATA * 8)
#define SEL_TSS (GDT_TSS * 8)

/* Interrupt-stack-table slots: exceptions that must not run on a stack that
 * may be the cause (a #DF after a stack overflow) or may be mid-use (NMI, #MC). */
enum ist_slot { IST_DF = 1, IST_NMI, IST_MC, IST_SLOTS = IST_MC };

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 ist[8];	/* ist[0] is the reserved slot, so ist[n] is ISTn */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "TSS is 104 bytes (SDM Figure 8-11)");

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

#define IDT_VECTORS 256

struct cpu_desc {
	struct idt_gate idt[IDT_VECTORS];
	u64 gdt[GDT_ENTRIES];
	struct tss64 tss;
};

/* Fills d for a CPU whose IST stacks end at ist_top[IST_DF..IST_MC]. */
void desc_init(struct cpu_desc *d, const u64 ist_top[IST_SLOTS + 1]);
/* Loads d's GDT, reloads every segment register, then TR and the IDT. */
void desc_load(struct cpu_desc *d);

#endif
