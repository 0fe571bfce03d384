#include "percpu.h"
#include "../lib/msr.h"
#include "../lib/panic.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../mm/paging.h"

static struct percpu *cpus[MAX_CPUS];
static unsigned nr_cpus;
static bool gs_live;	/* GS points at a struct percpu on every running CPU */

static const unsigned stack_order[CPU_STACKS] = {
	[STACK_MAIN] = STACK_ORDER,
	[STACK_DF] = IST_STACK_ORDER,
	[STACK_NMI] = IST_STACK_ORDER,
	[STACK_MC] = IST_STACK_ORDER,
};

const char *percpu_stack_name(enum cpu_stack_id id)
{
	static const char *const names[CPU_STACKS] = {
		[STACK_MAIN] = "main", [STACK_DF] = "#DF", [STACK_NMI] = "NMI",
		[STACK_MC] = "#MC",
	};

	return id < CPU_STACKS ? names[id] : "?";
}

static struct cpu_stack stack_alloc(unsigned order)
{
	void *p = page_alloc_or_panic(order, PAGE_NOZERO, "a CPU stack");
	struct cpu_stack s = { ptr_to_phys(p), ptr_to_phys(p) + (PAGE_SIZE << order) };

	/* An overflow faults on the guard page; the #PF cannot be pushed on
	 * the same stack, so it becomes a #DF, which runs on its own IST stack
	 * and reports the overflow. */
	paging_unmap_page(s.base);
	return s;
}

struct percpu *percpu_alloc(u32 apic_id)
{
	struct percpu *cpu;
	u64 ist_top[IST_SLOTS + 1] = { 0 };

	if (nr_cpus == MAX_CPUS)
		panic("percpu: more than %u CPUs", MAX_CPUS);
	cpu = page_alloc_or_panic(1, 0, "a per-CPU struct");
	_Static_assert(sizeof(struct percpu) <= 2 * PAGE_SIZE, "percpu fits order 1");
	cpu->self = cpu;
	cpu->cpu_id = nr_cpus;
	cpu->apic_id = apic_id;
	for (int i = 0; i < CPU_STACKS; i++)
		cpu->stacks[i] = stack_alloc(stack_order[i]);
	ist_top[IST_DF] = cpu->stacks[STACK_DF].top;
	ist_top[IST_NMI] = cpu->stacks[STACK_NMI].top;
	ist_top[IST_MC] = cpu->stacks[STACK_MC].top;
	desc_init(&cpu->desc, ist_top);
	cpus[nr_cpus++] = cpu;
	return cpu;
}

void percpu_activate(struct percpu *cpu)
{
	desc_load(&cpu->desc);
	wrmsr(MSR_GS_BASE, ptr_to_phys(cpu));
	__atomic_store_n(&gs_live, true, __ATOMIC_RELEASE);
}

struct percpu *percpu_get(unsigned cpu_id)
{
	return cpu_id < nr_cpus ? cpus[cpu_id] : NULL;
}

unsigned percpu_count(void)
{
	return nr_cpus;
}

struct percpu *this_cpu(void)
{
	struct percpu *cpu;

	if (!__atomic_load_n(&gs_live, __ATOMIC_ACQUIRE))
		return cpus[0];
	__asm__ volatile("movq %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

unsigned this_cpu_id(void)
{
	struct percpu *cpu = this_cpu();

	return cpu ? cpu->cpu_id : 0;
}

int percpu_stack_of(const struct percpu *cpu, u64 addr, bool *guard)
{
	for (int i = 0; cpu && i < CPU_STACKS; i++) {
		const struct cpu_stack *s = &cpu->stacks[i];

		if (addr >= s->base && addr < s->top) {
			*guard = addr < s->base + PAGE_SIZE;
			return i;
		}
	}
	return -1;
}
