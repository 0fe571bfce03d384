/* prot32: a guest that runs in 32-bit protected mode with paging off
 * (GUEST_MODE_PROT32, guests/lib/start32.asm), with the library built by
 * gcc -m32; it also boots bare through its multiboot header (QEMU
 * -kernel). It checks, bare or under nestvisor: the entry state, CPUID,
 * port I/O, exceptions through its own 32-bit IDT (#UD, #DE, #GP with its
 * error code), INT n, the local APIC timer waking HLT, and zeroed memory. */
#include "../lib/guest.h"
#include "../lib/apic.h"
#include "../lib/mode_checks.h"

#define TIMER_VECTOR 0x40
#define ZERO_CHECK_SIZE MiB(1)
/* A selector far past the GDT's end: loading it is #GP(selector), the
 * error code being the selector with its RPL bits clear (SDM Vol. 3, 6.13). */
#define BAD_SELECTOR 0xfff8u

static const struct guest_boot_info *boot;

static void check_boot(void)
{
	u64 cr0 = read_cr0();

	report_info("prot32: %s, %u MiB RAM, image 0x%llx-0x%llx, cmdline \"%s\"",
		    boot->flags & GUEST_BOOT_BARE ? "bare" : "virtualized", boot->mem_size >> 20,
		    (unsigned long long)guest_image_start(), (unsigned long long)guest_image_end(),
		    boot->cmdline);
	report((cr0 & CR0_PE) && !(cr0 & CR0_PG), "boot: protected mode, paging off");
	report(boot->mem_size >= GUEST_MIN_MEM && boot->mem_size >= guest_image_end(),
	       "boot: mem_size holds the image and at least %u MiB",
	       (unsigned)(GUEST_MIN_MEM >> 20));
}

extern const u8 prot32_load_fs[];

static void load_bad_selector(void)
{
	__asm__ volatile(".globl prot32_load_fs\n"
			 "prot32_load_fs: mov %w0, %%fs" ::"r"(BAD_SELECTOR));
}

static void check_gp_error_code(void)
{
	struct trap_fault f = { 0 };
	bool gp = guest_expect_fault(VEC_GP, load_bad_selector, &f);

	report_info("exceptions: MOV FS, 0x%x: #GP %s, error code 0x%llx at 0x%llx",
		    BAD_SELECTOR, gp ? "taken" : "not taken",
		    (unsigned long long)f.error_code, (unsigned long long)f.ip);
	report(gp && f.error_code == BAD_SELECTOR && f.ip == ptr_to_phys(prot32_load_fs),
	       "exceptions: MOV FS of selector 0x%x past the GDT raised #GP(0x%x) at the MOV",
	       BAD_SELECTOR, BAD_SELECTOR);
}

static void check_memory_zeroed(void)
{
	u64 start = guest_image_end(), first;
	u64 end = MIN(start + ZERO_CHECK_SIZE, (u64)boot->mem_size);
	bool zero = end > start && memory_is_zero(start, end, &first);

	report_info("memory: [0x%llx, 0x%llx) checked, first non-zero dword at 0x%llx",
		    (unsigned long long)start, (unsigned long long)end,
		    (unsigned long long)(zero ? end : first));
	report(zero, "memory: the %u MiB above the image read zero",
	       (unsigned)(ZERO_CHECK_SIZE >> 20));
}

void guest_main(const struct guest_boot_info *bi)
{
	boot = bi;
	check_boot();
	check_cpuid();
	check_serial("prot32");
	check_ud();
	check_de();
	check_gp_error_code();
	check_int_n();
	apic_timer_checks(TIMER_VECTOR);
	check_memory_zeroed();
	guest_exit(report_summary("prot32") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
