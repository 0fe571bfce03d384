/* switch64: a real-mode image (GUEST_MODE_REAL16) that switches itself to
 * protected mode and then to long mode (start.asm), checking each mode it
 * passes through with code of its own: CR0, CPUID leaf 0, and a #UD through
 * that mode's own IVT or IDT. In long mode the 64-bit library reports
 * those checks, then runs basic64's checks and the APIC timer checks. */
#include "../basic64/checks.h"
#include "../lib/guest.h"
#include "../lib/apic.h"

#define TIMER_VECTOR 0x40
#define CPUID_VENDOR 0x0
/* Zeroed RAM that nothing of this guest's uses: the image and its page
 * tables and stacks lie below it, bare runs have [1 MiB, 4 MiB). */
#define ZERO_CHECK_START MiB(1)
#define ZERO_CHECK_END MiB(2)

/* What start.asm recorded in real and in protected mode. */
extern u32 switch_real_cr0, switch_real_ud_count, switch_real_ud_ip, switch_real_cpuid[4];
extern u32 switch_prot_cr0, switch_prot_ud_count, switch_prot_ud_ip, switch_prot_cpuid[4];
extern const u8 switch_real_ud2[], switch_prot_ud2[];

/* A mode's CPUID leaf 0 (EAX, EBX, ECX, EDX) is long mode's. */
static bool same_cpuid(const u32 *seen)
{
	struct cpuid r = cpuid(CPUID_VENDOR, 0);

	return seen[0] == r.eax && seen[1] == r.ebx && seen[2] == r.ecx && seen[3] == r.edx;
}

static void check_mode(const char *mode, u32 cr0, bool cr0_ok, const char *cr0_says,
		       const u32 *cpuid0, u32 ud_count, u32 ud_ip, const u8 *ud2, const char *table)
{
	report_info("%s: CR0 0x%x, #UD taken %u times, last at 0x%x (ud2 at 0x%llx)", mode,
		    cr0, ud_count, ud_ip, (unsigned long long)ptr_to_phys(ud2));
	report(cr0_ok, "%s: %s", mode, cr0_says);
	report(same_cpuid(cpuid0), "%s: CPUID leaf 0 reads as it does in long mode", mode);
	report(ud_count == 1 && ud_ip == ptr_to_phys(ud2),
	       "%s: its own %s's #UD handler took ud2 once at its address and skipped it",
	       mode, table);
}

static void check_long_mode(void)
{
	u64 efer = rdmsr(MSR_IA32_EFER);

	report((efer & EFER_LMA) && (read_cr0() & CR0_PG) && (read_cr4() & CR4_PAE),
	       "long mode: EFER.LMA, CR0.PG and CR4.PAE set");
}

void guest_main(const struct guest_boot_info *bi)
{
	check_mode("real mode", switch_real_cr0, !(switch_real_cr0 & CR0_PE),
		   "entered with CR0.PE clear",
		   switch_real_cpuid, switch_real_ud_count, switch_real_ud_ip, switch_real_ud2,
		   "IVT");
	check_mode("protected mode", switch_prot_cr0,
		   (switch_prot_cr0 & CR0_PE) && !(switch_prot_cr0 & CR0_PG),
		   "CR0.PE set, paging off", switch_prot_cpuid, switch_prot_ud_count,
		   switch_prot_ud_ip, switch_prot_ud2, "IDT");
	check_long_mode();
	basic64_checks(bi, "switch64", ZERO_CHECK_START, MIN(ZERO_CHECK_END, (u64)bi->mem_size));
	apic_timer_checks(TIMER_VECTOR);
	guest_exit(report_summary("switch64") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
