#include "mode_checks.h"
#include "console.h"
#include "guest_abi.h"
#include "../../lib/report.h"
#include "../../lib/string.h"
#include "../../lib/x86.h"

#define CPUID_VENDOR 0x0
#define CPUID_FEATURES 0x1
#define UD2_LENGTH 2
#define INT_N_VECTOR 0x30
#define UART_LSR 5
#define UART_LSR_THRE BIT(5)
#define UART_LSR_ABSENT 0xff	/* what an empty port reads */

/* The family as SDM Vol. 2A, CPUID leaf 1 EAX, computes it. */
static unsigned cpu_family(u32 eax)
{
	unsigned family = (eax >> 8) & 0xf;

	return family == 0xf ? family + ((eax >> 20) & 0xff) : family;
}

void check_cpuid(void)
{
	struct cpuid r = cpuid(CPUID_VENDOR, 0);
	char vendor[13];
	bool printable = true;
	unsigned family = 0;

	/* The vendor string is EBX, EDX, ECX in that order (SDM Vol. 2A, CPUID). */
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	for (unsigned i = 0; i < 12; i++)
		printable &= vendor[i] >= 0x20 && vendor[i] <= 0x7e;
	if (r.eax >= CPUID_FEATURES)
		family = cpu_family(cpuid(CPUID_FEATURES, 0).eax);
	report_info("cpuid: vendor \"%s\", max leaf 0x%x, family 0x%x",
		    printable ? vendor : "?", r.eax, family);
	report(printable, "cpuid: leaf 0 vendor is 12 printable characters");
	report(family != 0, "cpuid: leaf 1 gives a nonzero family");
}

void check_serial(const char *guest)
{
	u8 lsr;

	printf("%s: this line went out through port 0x%x\n", guest, GUEST_SERIAL_PORT);
	/* A UART that sends at its baud rate (Bochs's) is busy for a while
	 * after the last byte: wait, bounded, for it to be done. */
	console_drain();
	lsr = inb(GUEST_SERIAL_PORT + UART_LSR);
	report(lsr != UART_LSR_ABSENT && (lsr & UART_LSR_THRE),
	       "serial: LSR after output: a UART is there and its THR is empty");
}

static unsigned ud_count;
static u64 ud_ip;

static void skip_ud2(struct trap_frame *tf)
{
	ud_count++;
	ud_ip = trap_frame_ip(tf);
	trap_frame_skip(tf, UD2_LENGTH);
}

void check_ud(void)
{
	unsigned long ud2_addr;

	trap_set_handler(VEC_UD, skip_ud2);
	__asm__ volatile("mov $1f, %0\n\t"
			 "1: ud2" : "=r"(ud2_addr));
	trap_set_handler(VEC_UD, NULL);
	report_info("exceptions: ud2 at 0x%lx, #UD handler saw IP 0x%llx",
		    ud2_addr, (unsigned long long)ud_ip);
	report(ud_count == 1 && ud_ip == ud2_addr,
	       "exceptions: own #UD handler took ud2 once at its address and skipped it");
}

/* The DIV's address, for the fault's IP to be compared with. */
extern const u8 mode_checks_div[];

static void divide_by_zero(void)
{
	__asm__ volatile(".globl mode_checks_div\n"
			 "mode_checks_div: divl %0" ::"r"(0), "a"(1), "d"(0));
}

void check_de(void)
{
	struct trap_fault f = { 0 };
	bool de = guest_expect_fault(VEC_DE, divide_by_zero, &f);

	report(de && f.ip == ptr_to_phys(mode_checks_div) && f.error_code == 0,
	       "exceptions: DIV by zero raised #DE at the DIV");
}

static unsigned int_count;
static u64 int_ip;
static unsigned long int_return;

static void count_int(struct trap_frame *tf)
{
	int_count++;
	int_ip = trap_frame_ip(tf);
}

void check_int_n(void)
{
	trap_set_handler(INT_N_VECTOR, count_int);
	__asm__ volatile("mov $1f, %0\n\t"
			 "int %1\n"
			 "1:" : "=&r"(int_return) : "i"(INT_N_VECTOR) : "memory");
	trap_set_handler(INT_N_VECTOR, NULL);
	report(int_count == 1 && int_ip == int_return,
	       "exceptions: INT 0x%x entered its handler once and returned after the INT",
	       INT_N_VECTOR);
}

#if GUEST_BITS == 16
/* Real mode reaches 64 KiB from a segment's base: FS = pa / 16. */
static u32 phys_read32(u64 pa)
{
	u32 v;

	__asm__ volatile("mov %w2, %%fs\n\t"
			 "movl %%fs:(%1), %0" : "=r"(v) : "r"((u32)pa & 0xf), "r"((u32)(pa >> 4)));
	return v;
}
#else
static u32 phys_read32(u64 pa)
{
	return *(volatile const u32 *)phys_to_ptr(pa);
}
#endif

bool memory_is_zero(u64 start, u64 end, u64 *first)
{
	for (u64 pa = start; pa < end; pa += sizeof(u32))
		if (phys_read32(pa)) {
			*first = pa;
			return false;
		}
	*first = end;
	return true;
}
