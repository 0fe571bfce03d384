/* The boot story of nestvisor, in order. efi_main() (boot/) has left boot
 * services and calls vmm_main() on the firmware's stack; from here nestvisor
 * owns the machine. */
#include "main.h"
#include "bare.h"
#include "bench.h"
#include "config.h"
#include "console.h"
#include "cpus.h"
#include "percpu.h"
#include "selftest.h"
#include "shutdown.h"
#include "vcpu.h"
#include "../apic/lapic.h"
#include "../boot/memmap.h"
#include "../lib/panic.h"
#include "../lib/report.h"
#include "../lib/spinlock.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../mm/paging.h"

extern void stack_switch(u64 stack_top, void (*fn)(void *), void *arg);

static struct nv_config config;

static void config_complaint(const char *msg)
{
	pr_warn("%s", msg);
}

static void config_init(const struct boot_info *bi)
{
	char line[128];

	config_defaults(&config);
	config_parse(&config, bi->config_text, false, config_complaint);
	config_parse(&config, bi->cmdline, true, config_complaint);
	console_set_level(config.log_level);
	config_describe(&config, line, sizeof(line));
	pr_info("config: %s", line);
}

/* Hands the page allocator every region of one type. */
static void memory_add(const struct boot_info *bi, enum region_type type)
{
	for (unsigned i = 0; i < bi->nr_regions; i++)
		if (bi->regions[i].type == type)
			bare_memory_add(bi->regions[i].base, bi->regions[i].size,
					config.nr_bare > 0);
}

static void memory_summary(const struct boot_info *bi)
{
	struct page_stats s;

	for (unsigned i = 0; i < bi->nr_regions; i++)
		pr_debug("mm: %016lx-%016lx %s", bi->regions[i].base,
			 bi->regions[i].base + bi->regions[i].size - 1,
			 region_type_name(bi->regions[i].type));
	page_alloc_stats(&s);
	pr_info("mm: %lu MiB free in %u zones; nestvisor %lu KiB, runtime services %lu KiB, ACPI %lu KiB",
		s.free_pages * PAGE_SIZE >> 20, s.zones,
		memmap_total(bi->regions, bi->nr_regions, REGION_NESTVISOR) >> 10,
		(memmap_total(bi->regions, bi->nr_regions, REGION_RUNTIME_CODE) +
		 memmap_total(bi->regions, bi->nr_regions, REGION_RUNTIME_DATA)) >> 10,
		(memmap_total(bi->regions, bi->nr_regions, REGION_ACPI_RECLAIM) +
		 memmap_total(bi->regions, bi->nr_regions, REGION_ACPI_NVS)) >> 10);
}

/* What every CPU does once its local APIC is reset. */
static void cpu_bringup(struct percpu *cpu, const struct vmx_cpu_info *bsp_vmx)
{
	vmx_detect(&cpu->vmx);
	vmx_print(&cpu->vmx, bsp_vmx);
	if (cpu->vmx.available)
		report(vmx_root_enter(&cpu->vmx_root, &cpu->vmx),
		       "vmx: cpu%u entered VMX root operation", cpu->cpu_id);
	if (config.selftest)
		selftest_this_cpu(cpu);
}

static bool listed(const char (*list)[GUEST_NAME_LEN], unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* One configured guest, shared by the CPUs that run its vCPUs: the first
 * to arrive creates it, the last to leave destroys it. */
struct guest_slot {
	struct spinlock lock;
	struct guest *guest;
	unsigned joined, left;
	bool failed;
};
static struct guest_slot slots[MAX_GUESTS];

static struct guest *slot_join(const struct boot_info *bi, unsigned i)
{
	struct guest_slot *s = &slots[i];
	const char *name = config.guests[i];
	const struct boot_file *image;
	struct guest *g;

	spin_lock(&s->lock);
	if (!s->guest && !s->failed) {
		image = guest_find_image(bi, name);
		g = page_alloc(page_order_for(sizeof(*g)), 0);
		if (!image)
			report(false, "guest %s: no \\guests\\%s.bin or .elf on the boot volume", name, name);
		else if (g && guest_create(g, name, image, MiB(config.guest_mem_mib),
					   config.guest_nr_vcpus[i])) {
			g->nested = listed(config.nested, config.nr_nested, name);
			g->nested_vmwrite_any = config.nested_vmwrite_any;
			g->nested_shadow = config.nested_shadow;
			s->guest = g;
		} else {
			report(false, "guest %s: could not be created", name);
		}
		if (!s->guest && g)
			page_free(g);
		s->failed = !s->guest;
	}
	s->joined++;
	g = s->guest;
	spin_unlock(&s->lock);
	/* The vCPUs of a guest start together: a vCPU that waits for a
	 * sibling which has not even started would wait forever. (So the
	 * guests' order must agree on every CPU, or two CPUs wait for each
	 * other.) */
	while (g && __atomic_load_n(&s->joined, __ATOMIC_ACQUIRE) < config.guest_nr_vcpus[i])
		cpu_relax();
	return g;
}

static void slot_leave(unsigned i)
{
	struct guest_slot *s = &slots[i];

	spin_lock(&s->lock);
	if (++s->left == config.guest_nr_vcpus[i] && s->guest) {
		guest_destroy(s->guest);
		page_free(s->guest);
		s->guest = NULL;
	}
	spin_unlock(&s->lock);
}

/* Runs vCPU vcpu_index of configured guest i on the calling CPU to its end
 * and reports the outcome: vCPU 0's exit code is the guest's. */
static void run_vcpu(const struct boot_info *bi, unsigned i, unsigned vcpu_index)
{
	const char *name = config.guests[i];
	struct guest *g = slot_join(bi, i);
	struct vcpu *v = page_alloc(page_order_for(sizeof(struct vcpu)), 0);
	int code;

	if (!this_cpu()->vmx_root.on)
		report(false, "guest %s: cpu%u is not in VMX operation", name, this_cpu_id());
	else if (!v)
		report(false, "guest %s: out of memory", name);
	else if (g) {
		v->guest = g;
		v->index = vcpu_index;
		v->break_state = !strcmp(config.bad_vmcs, name);
		v->bench = config.bench;
		v->apic_virt_off = config.apic_virt_off;
		code = vcpu_run(v);
		/* The boot ends at the first configured guest's first instruction. */
		if (config.bench && i == 0 && vcpu_index == 0)
			bench_print_boot(bi, name, v->tsc_first_entry);
		if (vcpu_index == 0)
			report(code == 0, "guest %s: exit code %d (%s)", name, code, v->stop_reason);
		else
			report(code == 0 || g->ending, "guest %s: vCPU %u ended (%s)", name,
			       vcpu_index, v->stop_reason);
	}
	if (v)
		page_free(v);
	slot_leave(i);
}

/* This CPU's share of the configured guests' vCPUs, in the guests' order. */
static void run_my_guests(struct percpu *cpu, void *arg)
{
	const struct boot_info *bi = arg;

	for (unsigned i = 0; i < config.nr_guests; i++)
		for (unsigned j = 0; j < config.guest_nr_vcpus[i] && !slots[i].failed; j++)
			if (config.guest_cpus[i][j] == cpu->cpu_id)
				run_vcpu(bi, i, j);
}

/* Every CPU with vCPUs runs them at the same time: the APs are handed the
 * work and woken with an IPI, cpu0 runs its own, then waits for the rest. */
static void run_guests(const struct boot_info *bi)
{
	bool busy[MAX_CPUS] = { false };

	if (config.nr_guests && !this_cpu()->vmx_root.on) {
		pr_info("guests: %u configured, none run: this CPU is not in VMX operation",
			config.nr_guests);
		return;
	}
	/* A guest whose vCPUs cannot all run is not started at all: its
	 * other vCPUs would wait for the missing one forever. */
	for (unsigned i = 0; i < config.nr_guests; i++) {
		for (unsigned j = 0; j < config.guest_nr_vcpus[i]; j++) {
			struct percpu *cpu = percpu_get(config.guest_cpus[i][j]);

			if (!cpu || cpu->state != CPU_ONLINE) {
				report(false, "guest %s: not run: vCPU %u's cpu%u is not online",
				       config.guests[i], j, config.guest_cpus[i][j]);
				slots[i].failed = true;
				break;
			}
		}
	}
	for (unsigned i = 0; i < config.nr_guests; i++) {
		for (unsigned j = 0; j < config.guest_nr_vcpus[i] && !slots[i].failed; j++) {
			unsigned c = config.guest_cpus[i][j];
			struct percpu *cpu = percpu_get(c);

			if (c == 0 || busy[c])
				continue;
			busy[c] = true;
			cpu->work_arg = (void *)bi;
			cpu->work_done = 0;
			__atomic_store_n(&cpu->work, run_my_guests, __ATOMIC_RELEASE);
			lapic_send_ipi(cpu->apic_id, VECTOR_IPI);
		}
	}
	run_my_guests(this_cpu(), (void *)bi);
	for (unsigned c = 1; c < MAX_CPUS; c++)
		while (busy[c] && !__atomic_load_n(&percpu_get(c)->work_done, __ATOMIC_ACQUIRE))
			cpu_relax();
}

/* The APs allocate and print during their bring-up: let them finish before
 * the allocator's statistics are checked and the guests start. */
static void wait_for_aps(void)
{
	u64 end = rdtsc() + tsc_hz() * AP_SETTLE_TIMEOUT_MS / 1000;

	for (unsigned i = 1; i < percpu_count(); i++) {
		struct percpu *cpu = percpu_get(i);

		while (cpu->state == CPU_ONLINE && !__atomic_load_n(&cpu->settled, __ATOMIC_ACQUIRE) &&
		       (s64)(rdtsc() - end) < 0)
			cpu_relax();
		if (cpu->state == CPU_ONLINE && !cpu->settled)
			report(false, "smp: cpu%u did not finish its bring-up within %u ms",
			       cpu->cpu_id, AP_SETTLE_TIMEOUT_MS);
	}
}

static noreturn void ap_main(struct percpu *cpu)
{
#ifdef FAULT_AP_SILENT
	/* Deliberate defect (make FAULT=ap-silent): never report in. */
	cpu_halt_forever();
#endif
	percpu_activate(cpu);
	paging_init_ap();
	cpu->state = CPU_ONLINE;
	__atomic_store_n(&cpu->reported_in, 1, __ATOMIC_RELEASE);
	pr_info("smp: cpu%u online (APIC ID %u)", cpu->cpu_id, cpu->apic_id);
	cpu->spiv_after_reset = lapic_init_cpu();
	cpu_bringup(cpu, &percpu_get(0)->vmx);
	__atomic_store_n(&cpu->settled, 1, __ATOMIC_RELEASE);
	/* Idle until handed work: an IPI wakes it; sti's one-instruction
	 * shadow makes "sti; hlt" race-free. */
	for (;;) {
		void (*work)(struct percpu *, void *) = __atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE);

		if (work) {
			cpu->work = NULL;
			work(cpu, cpu->work_arg);
			__atomic_store_n(&cpu->work_done, 1, __ATOMIC_RELEASE);
			continue;
		}
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

static noreturn void bsp_main(void *arg)
{
	struct boot_info *bi = arg;
	struct percpu *cpu = this_cpu();
	unsigned failures;

	/* Off the firmware's stack, GDT, IDT and page tables: its memory is free. */
	memory_add(bi, REGION_BOOT_SERVICES);
	memory_summary(bi);

	if (!lapic_init_bsp(config.prefer_xapic))
		panic("no usable local APIC");
	cpu->spiv_after_reset = lapic_init_cpu();
	selftest_init(config.crash);
	lapic_calibrate();
	cpu->apic_id = lapic_id();
	cpu->state = CPU_ONLINE;
	cpu_bringup(cpu, NULL);

	cpus_start_aps(bi, config.max_cpus, ap_main);
	wait_for_aps();

	if (config.selftest) {
		selftest_memory();
		selftest_ipis();
		selftest_crash(config.crash);
		selftest_cpus_alive();
	}
	bare_run_all(bi, &config);
	run_guests(bi);
	failures = report_summary("nestvisor");
	power_off(failures ? EXIT_FAILURE_CODE : EXIT_SUCCESS_CODE);
}

noreturn void vmm_main(struct boot_info *bi)
{
	struct percpu *bsp;

	config_init(bi);
	memory_add(bi, REGION_USABLE);	/* boot-services memory is still in use */
	paging_init(bi);		/* nestvisor's identity map, NX, UC devices */
	bsp = percpu_alloc(0);		/* cpu0: stacks with guard pages, GDT/TSS/IDT */
	percpu_activate(bsp);
	stack_switch(bsp->stacks[STACK_MAIN].top, (void (*)(void *))bsp_main, bi);
	__builtin_unreachable();
}
