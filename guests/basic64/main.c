/* basic64: the first 64-bit guest. Checks what every later guest relies on
 * and what must hold both bare and under nestvisor: the boot contract,
 * CPUID, zeroed memory, the guest's own exception handling and paging,
 * and port I/O. */
#include "../lib/guest.h"

#define CPUID_VENDOR 0x0
#define CPUID_EXT_MAX 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_EDX_LM BIT(29)

#define ZERO_CHECK_SIZE MiB(1)
#define NONCANONICAL_ADDR 0x8000000000000000ull	/* bits 63:47 differ */
#define UD2_LENGTH 2
#define UART_LSR 5
#define UART_LSR_THRE BIT(5)
#define UART_LSR_ABSENT 0xff	/* what an empty port reads */

static const struct guest_boot_info *boot;

static void test_boot_info(void)
{
	report_info("basic64: %s, cpu %u, %u MiB RAM, image 0x%lx-0x%lx, cmdline \"%s\"",
		    boot->flags & GUEST_BOOT_BARE ? "bare" : "virtualized",
		    boot->cpu_index, boot->mem_size >> 20, guest_image_start(),
		    guest_image_end(), boot->cmdline);
	report(boot->mem_size >= GUEST_MIN_MEM && boot->mem_size >= guest_image_end(),
	       "boot: mem_size %u bytes holds the image and at least %lu MiB",
	       boot->mem_size, GUEST_MIN_MEM >> 20);
}

static void test_cpuid_vendor(void)
{
	struct cpuid r = cpuid(CPUID_VENDOR, 0);
	char vendor[13];
	bool printable = true;

	/* The vendor string is EBX, EDX, ECX in that order (SDM Vol. 2A, CPUID). */
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	for (unsigned i = 0; i < 12; i++)
		printable &= vendor[i] >= 0x20 && vendor[i] <= 0x7e;
	report(printable, "cpuid: leaf 0 vendor \"%s\" is 12 printable characters, max leaf 0x%x",
	       printable ? vendor : "?", r.eax);
}

static void test_cpuid_long_mode(void)
{
	u32 max_ext = cpuid(CPUID_EXT_MAX, 0).eax;
	bool lm = max_ext >= CPUID_EXT_FEATURES &&
		  (cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_LM);

	report(lm, "cpuid: leaf 0x80000001 EDX.LM[bit 29] set (max extended leaf 0x%x)",
	       max_ext);
}

static void test_memory_zeroed(void)
{
	u64 start = guest_image_end();
	u64 end = MIN(start + ZERO_CHECK_SIZE, (u64)boot->mem_size);
	const u64 *p = phys_to_ptr(start);
	u64 nonzero = 0, first = 0;

	for (u64 i = 0; i < (end - start) / sizeof(*p); i++) {
		if (p[i] && !nonzero++)
			first = start + i * sizeof(*p);
	}
	report(end > start && !nonzero,
	       "memory: [0x%lx, 0x%lx) above the image is zero (%lu non-zero words, first at 0x%lx)",
	       start, end, nonzero, first);
}

static unsigned ud_count;
static u64 ud_rip;

static void skip_ud2(struct trap_frame *tf)
{
	ud_count++;
	ud_rip = tf->rip;
	tf->rip += UD2_LENGTH;
}

static void test_ud_handler(void)
{
	u64 ud2_addr;

	trap_set_handler(VEC_UD, skip_ud2);
	__asm__ volatile("1: ud2\n\t"
			 "lea 1b(%%rip), %0" : "=r"(ud2_addr));
	trap_set_handler(VEC_UD, NULL);
	report(ud_count == 1 && ud_rip == ud2_addr,
	       "exceptions: own #UD handler took ud2 at 0x%lx (%u times, RIP 0x%lx) and skipped it",
	       ud2_addr, ud_count, ud_rip);
}

static void do_nothing(void)
{
}

static void read_noncanonical(void)
{
	(void)*(volatile u64 *)NONCANONICAL_ADDR;
}

static void test_expect_fault(void)
{
	struct trap_fault f = { 0 };
	bool none = !guest_expect_fault(VEC_GP, do_nothing, NULL);
	bool gp = guest_expect_fault(VEC_GP, read_noncanonical, &f);

	report(none, "exceptions: guest_expect_fault() of a harmless function sees no fault");
	report(gp && f.vector == VEC_GP && f.error_code == 0,
	       "exceptions: non-canonical read raised #GP(0x%lx) at 0x%lx", f.error_code, f.rip);
}

/* A page of .bss of its own, so unmapping it takes nothing else away. */
static u8 pf_victim[PAGE_SIZE] __aligned(PAGE_SIZE);

static void write_victim(void)
{
	*(volatile u8 *)pf_victim = 1;
}

static void test_page_fault(void)
{
	struct trap_fault f = { 0 };
	bool pf;

	paging_unmap_4k(ptr_to_phys(pf_victim));
	pf = guest_expect_fault(VEC_PF, write_victim, &f);
	report(pf && f.cr2 == ptr_to_phys(pf_victim) && f.error_code == PF_ERR_WRITE,
	       "paging: write to unmapped 4K page 0x%lx raised #PF (CR2 0x%lx, error code 0x%lx)",
	       ptr_to_phys(pf_victim), f.cr2, f.error_code);

	paging_map_4k(ptr_to_phys(pf_victim));
	pf = guest_expect_fault(VEC_PF, write_victim, NULL);
	report(!pf && pf_victim[0] == 1, "paging: the page mapped again takes the write");
}

static void test_serial(void)
{
	u8 lsr;

	printf("basic64: this line went out through port 0x%x\n", GUEST_SERIAL_PORT);
	lsr = inb(GUEST_SERIAL_PORT + UART_LSR);
	report(lsr != UART_LSR_ABSENT && (lsr & UART_LSR_THRE),
	       "serial: LSR 0x%x after output: a UART is there and its THR is empty", lsr);
}

static void (*const tests[])(void) = {
	test_boot_info,
	test_cpuid_vendor,
	test_cpuid_long_mode,
	test_memory_zeroed,
	test_ud_handler,
	test_expect_fault,
	test_page_fault,
	test_serial,
};

void guest_main(const struct guest_boot_info *bi)
{
	boot = bi;
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
		tests[i]();
	guest_exit(report_summary("basic64") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
