/* Thin wrappers for the x86 instructions C cannot express. */
#ifndef LIB_X86_H
#define LIB_X86_H

#include "types.h"

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

struct cpuid { u32 eax, ebx, ecx, edx; };

static inline struct cpuid cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* Control registers and RFLAGS are register-sized: 64 bits in nestvisor
 * and the 64-bit guests, 32 in the guests' 16- and 32-bit builds (which
 * read them as u64 all the same). */
#define DEFINE_CR(n)                                                          \
	static inline u64 read_cr##n(void)                                    \
	{                                                                     \
		unsigned long v;                                              \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));             \
		return v;                                                     \
	}                                                                     \
	static inline void write_cr##n(u64 v)                                 \
	{                                                                     \
		__asm__ volatile("mov %0, %%cr" #n ::"r"((unsigned long)v)    \
				 : "memory");                                 \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
DEFINE_CR(8)	/* the TPR's class (SDM Vol. 3A, 11.8.6); 64-bit mode only */
#undef DEFINE_CR

static inline u64 read_rflags(void)
{
	unsigned long v;
	__asm__ volatile("pushf; pop %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void invlpg(u64 va) { __asm__ volatile("invlpg (%0)" ::"r"((unsigned long)va) : "memory"); }

/* Stops this CPU for good: interrupts off, halted; NMIs return to the loop. */
static inline noreturn void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* The status flags, through which VMX instructions report (SDM 31.2). */
#define RFLAGS_CF BIT(0)
#define RFLAGS_PF BIT(2)
#define RFLAGS_AF BIT(4)
#define RFLAGS_ZF BIT(6)
#define RFLAGS_SF BIT(7)
#define RFLAGS_OF BIT(11)
#define RFLAGS_STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)
#define RFLAGS_IF BIT(9)
#define RFLAGS_AC BIT(18)

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_WP BIT(16)
#define CR0_PG BIT(31)
/* PAE paging (SDM Vol. 3A 4.4.1): CR3 bits 31:5 locate four PDPTEs. */
#define PAE_CR3_MASK 0xffffffe0ull
#define PAE_PDPTE_COUNT 4
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)
#define CR4_LA57 BIT(12)
#define CR4_VMXE BIT(13)
#define CR4_SMAP BIT(21)

#endif
