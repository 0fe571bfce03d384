/* The checks of basic64: what every later guest relies on and what must
 * hold both bare and under nestvisor: the boot contract, CPUID, zeroed
 * memory, the guest's own exception handling and paging, and port I/O.
 * PASS lines carry nothing that differs between runs (INFO lines do). */
#include "checks.h"
#include "../lib/guest.h"
#include "../lib/mode_checks.h"

#define CPUID_EXT_MAX 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_EDX_LM BIT(29)

#define NONCANONICAL_ADDR 0x8000000000000000ull	/* bits 63:47 differ */

static void check_boot_info(const struct guest_boot_info *bi, const char *guest)
{
	report_info("%s: %s, cpu %u, %u MiB RAM, image 0x%lx-0x%lx, cmdline \"%s\"", guest,
		    bi->flags & GUEST_BOOT_BARE ? "bare" : "virtualized",
		    bi->cpu_index, bi->mem_size >> 20, guest_image_start(),
		    guest_image_end(), bi->cmdline);
	report(bi->mem_size >= GUEST_MIN_MEM && bi->mem_size >= guest_image_end(),
	       "boot: mem_size holds the image and at least %lu MiB", GUEST_MIN_MEM >> 20);
}

static void check_cpuid_long_mode(void)
{
	u32 max_ext = cpuid(CPUID_EXT_MAX, 0).eax;
	bool lm = max_ext >= CPUID_EXT_FEATURES &&
		  (cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_LM);

	report_info("cpuid: max extended leaf 0x%x", max_ext);
	report(lm, "cpuid: leaf 0x80000001 EDX.LM[bit 29] set");
}

static void check_memory_zeroed(u64 start, u64 end)
{
	u64 first;
	bool zero = memory_is_zero(start, end, &first);

	report_info("memory: [0x%lx, 0x%lx) checked, first non-zero dword at 0x%lx",
		    start, end, first);
	report(end > start && zero, "memory: %lu KiB that nothing wrote read zero",
	       (end - start) >> 10);
}

static void do_nothing(void)
{
}

static void read_noncanonical(void)
{
	(void)*(volatile u64 *)NONCANONICAL_ADDR;
}

static void check_expect_fault(void)
{
	struct trap_fault f = { 0 };
	bool none = !guest_expect_fault(VEC_GP, do_nothing, NULL);
	bool gp = guest_expect_fault(VEC_GP, read_noncanonical, &f);

	report(none, "exceptions: guest_expect_fault() of a harmless function sees no fault");
	report_info("exceptions: non-canonical read: #GP(0x%lx) at 0x%lx", f.error_code, f.ip);
	report(gp && f.vector == VEC_GP && f.error_code == 0,
	       "exceptions: non-canonical read raised #GP(0)");
}

/* A page of .bss of its own, so unmapping it takes nothing else away. */
static u8 pf_victim[PAGE_SIZE] __aligned(PAGE_SIZE);

static void write_victim(void)
{
	*(volatile u8 *)pf_victim = 1;
}

static void check_page_fault(void)
{
	struct trap_fault f = { 0 };
	bool pf;

	paging_unmap_4k(ptr_to_phys(pf_victim));
	pf = guest_expect_fault(VEC_PF, write_victim, &f);
	report_info("paging: page 0x%lx unmapped: CR2 0x%lx, error code 0x%lx",
		    ptr_to_phys(pf_victim), f.cr2, f.error_code);
	report(pf && f.cr2 == ptr_to_phys(pf_victim) && f.error_code == PF_ERR_WRITE,
	       "paging: write to an unmapped 4K page raised #PF (CR2 the page, error code 0x%llx)",
	       PF_ERR_WRITE);

	paging_map_4k(ptr_to_phys(pf_victim));
	pf = guest_expect_fault(VEC_PF, write_victim, NULL);
	report(!pf && pf_victim[0] == 1, "paging: the page mapped again takes the write");
}

void basic64_checks(const struct guest_boot_info *bi, const char *guest, u64 zero_start,
		    u64 zero_end)
{
	check_boot_info(bi, guest);
	check_cpuid();
	check_cpuid_long_mode();
	check_memory_zeroed(zero_start, zero_end);
	check_ud();
	check_expect_fault();
	check_page_fault();
	check_serial(guest);
}
