#include "bare.h"
#include "console.h"
#include "flat_load.h"
#include "elf_load.h"
#include "guest.h"
#include "percpu.h"
#include "../apic/lapic.h"
#include "../apic/smp.h"
#include "../boot/ap_boot.h"
#include "../lib/panic.h"
#include "../lib/report.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"

/* A bare guest that has not ended after this much time is stopped. */
#define BARE_TIMEOUT_MS 20000
#define BARE_PARK_TIMEOUT_MS 1000
/* Real mode's view of the PC: RAM below 640 KiB, then the legacy hole. */
#define LEGACY_HOLE MiB(1)
#define LOW_RAM_END 0xa0000

void bare_memory_add(phys_addr_t base, u64 size, bool bare_configured)
{
	u64 end = base + size;

	if (bare_configured && base < BARE_MEM_END)
		base = MIN(end, (u64)BARE_MEM_END);
	if (end > base)
		page_alloc_add(base, end - base);
}

static bool free_for_bare(const struct mem_region *r, phys_addr_t trampoline)
{
	return r->type == REGION_USABLE || r->type == REGION_BOOT_SERVICES ||
	       (r->type == REGION_NESTVISOR && r->base == trampoline && r->size == PAGE_SIZE);
}

/* Whether the firmware's map gives [lo, hi) as RAM nestvisor may hand to a
 * bare guest: no gap, nothing of the firmware's or nestvisor's but the
 * trampoline page. */
static bool window_is_ram(const struct boot_info *bi, u64 lo, u64 hi)
{
	u64 pos = lo;

	for (unsigned i = 0; i < bi->nr_regions && pos < hi; i++) {
		const struct mem_region *r = &bi->regions[i];

		if (r->base + r->size <= pos)
			continue;
		if (r->base > pos || !free_for_bare(r, bi->ap_trampoline)) {
			pr_err("bare: physical 0x%lx is %s, not RAM a bare guest may have",
			       MAX(pos, r->base), r->base > pos ? "a hole" : region_type_name(r->type));
			return false;
		}
		pos = r->base + r->size;
	}
	if (pos < hi)
		pr_err("bare: physical 0x%lx is not in the memory map", pos);
	return pos >= hi;
}

/* memset() of physical memory that may start at address 0, which C may not
 * write through a pointer. */
static void phys_zero(phys_addr_t pa, u64 len)
{
	__asm__ volatile("rep stosb" : "+D"(pa), "+c"(len) : "a"(0) : "memory");
}

/* On the AP: leave VMX operation, since INIT is blocked in VMX root
 * operation (SDM 24.8), and wait with interrupts off for the INIT. */
static void bare_park(struct percpu *cpu, void *arg __unused)
{
	vmx_root_leave(&cpu->vmx_root);
	irq_disable();
	__atomic_store_n(&cpu->state, CPU_BARE, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

static bool park(struct percpu *ap)
{
	u64 end = rdtsc() + tsc_hz() * BARE_PARK_TIMEOUT_MS / 1000;

	ap->work_done = 0;
	__atomic_store_n(&ap->work, bare_park, __ATOMIC_RELEASE);
	lapic_send_ipi(ap->apic_id, VECTOR_IPI);
	while (__atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) != CPU_BARE)
		if ((s64)(rdtsc() - end) > 0)
			return false;
	return true;
}

/* Loads name into physical memory with its boot info and the trampoline;
 * returns the boot info, or NULL with the reason printed. */
static struct guest_boot_info *load(const struct boot_info *bi, const char *name,
				    struct flat_image *im)
{
	const struct boot_file *image = guest_find_image(bi, name);
	struct guest_boot_info *boot = phys_to_ptr(GUEST_BOOT_INFO_ADDR);
	const char *why;

	/* A fixed low address: hide it from the compiler's object-size checks. */
	__asm__("" : "+r"(boot));

	if (!image || elf_is_elf(image->data, image->size)) {
		pr_err("bare %s: no flat image \\guests\\%s.bin on the boot volume", name, name);
		return NULL;
	}
	if (!flat_parse(image->data, image->size, BARE_MEM_END, im, &why)) {
		pr_err("bare %s: image refused: %s", name, why);
		return NULL;
	}
	if (im->load_addr < LEGACY_HOLE && im->image_end > bi->ap_trampoline) {
		pr_err("bare %s: image [0x%x, 0x%x) reaches the trampoline page 0x%lx",
		       name, im->load_addr, im->image_end, bi->ap_trampoline);
		return NULL;
	}
	/* The guest's memory is zero but for its image and boot info. */
	phys_zero(0, bi->ap_trampoline);
	phys_zero(LEGACY_HOLE, BARE_MEM_END - LEGACY_HOLE);
	memcpy(phys_to_ptr(im->load_addr), image->data, image->size);
	guest_boot_info_fill(boot, 1, BARE_MEM_END, GUEST_BOOT_BARE | GUEST_BOOT_EXIT_MAILBOX, name);
	return boot;
}

static void run_one(const struct boot_info *bi, struct percpu *ap, const char *name)
{
	struct bare_boot_params *p = phys_to_ptr(bi->ap_trampoline + AP_PARAMS_OFFSET);
	size_t size = bare_trampoline_end - bare_trampoline_start;
	struct flat_image im;
	struct guest_boot_info *boot = load(bi, name, &im);
	u64 end;
	u32 status;

	if (!boot) {
		report(false, "guest %s (bare): not run", name);
		return;
	}
	ASSERT(size == AP_PARAMS_OFFSET + sizeof(*p));
	memcpy(phys_to_ptr(bi->ap_trampoline), bare_trampoline_start, size);
	*p = (struct bare_boot_params){
		.mode = im.mode, .entry = im.entry,
		.eax = GUEST_BOOT_MAGIC, .ebx = GUEST_BOOT_INFO_ADDR,
	};
	/* From here until the guest ends, the console is the guest's. */
	pr_info("bare %s: starting on cpu%u in %s at 0x%x", name, ap->cpu_id,
		guest_mode_name(im.mode), im.entry);
	barrier();
	smp_init_sipi_sipi(ap->apic_id, bi->ap_trampoline, &p->started);

	end = rdtsc() + tsc_hz() * BARE_TIMEOUT_MS / 1000;
	while (!((status = __atomic_load_n(&boot->exit_status, __ATOMIC_ACQUIRE)) & GUEST_EXITED) &&
	       (s64)(rdtsc() - end) < 0)
		cpu_relax();
	lapic_send_init(ap->apic_id);
	if (status & GUEST_EXITED)
		report((status & 0xff) == GUEST_EXIT_PASS, "guest %s (bare): exit code %u",
		       name, status & 0xff);
	else
		report(false, "guest %s (bare): stopped: %s within %u ms", name,
		       p->started ? "no exit" : "the CPU never started", BARE_TIMEOUT_MS);
}

void bare_run_all(const struct boot_info *bi, const struct nv_config *c)
{
	struct percpu *ap = NULL;

	if (!c->nr_bare)
		return;
	for (unsigned i = 1; i < percpu_count(); i++)
		if (percpu_get(i)->state == CPU_ONLINE)
			ap = percpu_get(i);
	if (!ap) {
		report(false, "bare: %u guests not run: they need a second CPU online", c->nr_bare);
		return;
	}
	if (!window_is_ram(bi, 0, LOW_RAM_END) || !window_is_ram(bi, LEGACY_HOLE, BARE_MEM_END)) {
		report(false, "bare: %u guests not run: no room for them in low memory", c->nr_bare);
		return;
	}
	if (!park(ap)) {
		report(false, "bare: cpu%u did not leave nestvisor within %u ms", ap->cpu_id,
		       BARE_PARK_TIMEOUT_MS);
		return;
	}
	pr_info("bare: cpu%u runs %u guests bare, then stays stopped", ap->cpu_id, c->nr_bare);
	for (unsigned i = 0; i < c->nr_bare; i++)
		run_one(bi, ap, c->bare[i]);
}
