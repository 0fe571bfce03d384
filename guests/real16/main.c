/* real16: a guest that runs in real mode from its first instruction to its
 * exit (GUEST_MODE_REAL16, guests/lib/start16.asm), with the library built
 * by gcc -m16. It checks what a real-mode guest relies on, bare or under
 * nestvisor: the entry state, CPUID, port I/O, exceptions through its own
 * IVT (which push IP, CS and FLAGS and never an error code), INT n, the
 * local APIC timer waking HLT (xAPIC through unreal mode where there is no
 * x2APIC), and zeroed memory. */
#include "../lib/guest.h"
#include "../lib/apic.h"
#include "../lib/mode_checks.h"

#define TIMER_VECTOR 0x40
/* Bare, nestvisor gives real mode [0, 0x9e000) below the AP trampoline
 * page (vmm/bare.c); the legacy hole follows. */
#define LOW_RAM_END 0x9e000
#define FLAGS_RESERVED_1 BIT(1)	/* FLAGS bit 1 always reads 1 (SDM Vol. 1, 3.4.3) */

static const struct guest_boot_info *boot;

static void check_boot(void)
{
	u64 cr0 = read_cr0();

	report_info("real16: %s, %u MiB RAM, image 0x%llx-0x%llx, boot info 0x%llx, cmdline \"%s\"",
		    boot->flags & GUEST_BOOT_BARE ? "bare" : "virtualized", boot->mem_size >> 20,
		    (unsigned long long)guest_image_start(), (unsigned long long)guest_image_end(),
		    (unsigned long long)ptr_to_phys(boot), boot->cmdline);
	report(!(cr0 & CR0_PE) && !(cr0 & CR0_PG), "boot: real mode (CR0.PE and CR0.PG clear)");
	report(boot->mem_size >= GUEST_MIN_MEM && guest_image_start() >= GUEST_REAL_LOAD_MIN &&
	       guest_image_end() <= GUEST_REAL_END,
	       "boot: the image lies in [0x%x, 0x%x), mem_size is at least %u MiB",
	       GUEST_REAL_LOAD_MIN, GUEST_REAL_END, (unsigned)(GUEST_MIN_MEM >> 20));
}

/* QEMU's TCG checks no segment limits on memory accesses, so a word at
 * offset 0xffff raises nothing there. It is the one CPU known to do so,
 * and it says who it is: CPUID.1:ECX bit 31 (a hypervisor, SDM Vol. 2A,
 * CPUID) and then "TCGTCGTCGTCG" in EBX, ECX, EDX of leaf 0x40000000, the
 * hypervisor range's signature leaf (QEMU's tcg-cpuid property, on by
 * default; seen under QEMU 7.2 -cpu max). Bochs sets no bit 31; nestvisor
 * signs "nestvisor L0" (vmx/exit_cpuid.c). */
#define CPUID_FEATURES 0x1
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_LEAF_HV_BASE 0x40000000u
#define HV_SIGNATURE_LEN 12
#define TCG_SIGNATURE "TCGTCGTCGTCG"
#define TCG_NO_LIMITS "QEMU TCG checks no segment limits"

static bool limits_unchecked;

static void identify_tcg(void)
{
	bool hv = cpuid(CPUID_FEATURES, 0).ecx & CPUID_1_ECX_HYPERVISOR;
	char sig[HV_SIGNATURE_LEN + 1] = "";

	if (hv) {
		struct cpuid r = cpuid(CPUID_LEAF_HV_BASE, 0);

		memcpy(sig, &r.ebx, 4);
		memcpy(sig + 4, &r.ecx, 4);
		memcpy(sig + 8, &r.edx, 4);
	}
	limits_unchecked = hv && !memcmp(sig, TCG_SIGNATURE, HV_SIGNATURE_LEN);
	report_info("cpuid: hypervisor bit %u, leaf 0x%x signature \"%s\"%s", hv,
		    CPUID_LEAF_HV_BASE, sig, limits_unchecked ? ": " TCG_NO_LIMITS : "");
}

/* A word at offset 0xffff ends past the 64 KiB limit of a real-mode
 * segment: #GP through DS, #SS through SS (SDM Vol. 2, MOV, "Real-Address
 * Mode Exceptions"). */
extern const u8 real16_word_ds[], real16_word_ss[];

static void word_at_ffff_ds(void)
{
	__asm__ volatile(".globl real16_word_ds\n"
			 "real16_word_ds: movw 0xffff, %%ax" ::: "eax");
}

static void word_at_ffff_ss(void)
{
	__asm__ volatile(".globl real16_word_ss\n"
			 "real16_word_ss: movw %%ss:0xffff, %%ax" ::: "eax");
}

/* Real mode pushes FLAGS, CS, IP and nothing more (SDM Vol. 3, 21.1.4):
 * with an error code pushed on top, the handler would find it where IP
 * belongs, IP as CS and CS (0) as FLAGS, whose bit 1 is always set. */
static void check_segment_limit(unsigned vector, void (*fn)(void), const u8 *insn,
				const char *seg)
{
	struct trap_fault f = { 0 };
	bool fault;

	if (limits_unchecked) {
		report_skip("exceptions: a word at %s:0xffff: " TCG_NO_LIMITS, seg);
		return;
	}
	fault = guest_expect_fault(vector, fn, &f);
	report_info("exceptions: word at %s:0xffff: %s, frame IP 0x%llx CS 0x%llx FLAGS 0x%llx",
		    seg, fault ? "fault" : "no fault", (unsigned long long)f.ip,
		    (unsigned long long)f.cs, (unsigned long long)f.flags);
	report(fault && f.ip == ptr_to_phys(insn) && f.cs == 0 && (f.flags & FLAGS_RESERVED_1),
	       "exceptions: a word at %s:0xffff raised %s with IP, CS, FLAGS and no error code",
	       seg, vector == VEC_GP ? "#GP" : "#SS");
}

static void check_memory_zeroed(void)
{
	u64 start = guest_image_end(), first;
	bool zero = memory_is_zero(start, LOW_RAM_END, &first);

	report_info("memory: [0x%llx, 0x%x) checked, first non-zero dword at 0x%llx",
		    (unsigned long long)start, LOW_RAM_END, (unsigned long long)first);
	report(zero, "memory: from the image's end to 0x%x reads zero", LOW_RAM_END);
}

void guest_main(const struct guest_boot_info *bi)
{
	boot = bi;
	check_boot();
	check_cpuid();
	check_serial("real16");
	check_ud();
	check_de();
	check_int_n();
	identify_tcg();
	check_segment_limit(VEC_GP, word_at_ffff_ds, real16_word_ds, "DS");
	check_segment_limit(VEC_SS, word_at_ffff_ss, real16_word_ss, "SS");
	apic_timer_checks(TIMER_VECTOR);
	check_memory_zeroed();
	guest_exit(report_summary("real16") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
