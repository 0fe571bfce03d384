#include "paging.h"
#include "page_alloc.h"
#include "../lib/msr.h"
#include "../lib/panic.h"
#include "../lib/x86.h"

/* Page-table entry bits (SDM Vol. 3, Tables 4-15 to 4-20). */
#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_PS BIT(7)		/* in a PDE: maps a 2 MiB page */
#define PTE_NX BIT(63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PT_ENTRIES 512
#define LARGE_PAGE MiB(2)

/* With IA32_PAT at its power-on value, PWT|PCD selects entry 3: UC. */
#define PAT_POWER_ON 0x0007040600070406ull
#define PTE_UC (PTE_PCD | PTE_PWT)

/* Attributes nestvisor maps a page with: PTE bits apart from the address. */
#define MAP_RAM (PTE_P | PTE_W | PTE_NX)
#define MAP_TEXT (PTE_P)
#define MAP_CODE (PTE_P | PTE_W)
#define MAP_DEVICE (PTE_P | PTE_W | PTE_NX | PTE_UC)
#define MAP_NONE 0

static u64 *pml4;

static u64 *table_at(u64 entry)
{
	return phys_to_ptr(entry & PTE_ADDR);
}

/* The entry one level down, creating the table if needed. */
static u64 *next_table(u64 *entry)
{
	if (!(*entry & PTE_P)) {
		u64 *t = page_alloc_or_panic(0, 0, "a page table");

		*entry = ptr_to_phys(t) | PTE_P | PTE_W;
	}
	ASSERT(!(*entry & PTE_PS));
	return table_at(*entry);
}

static u64 *pde_of(u64 va)
{
	u64 *pdpt = next_table(&pml4[va >> 39 & 511]);
	u64 *pd = next_table(&pdpt[va >> 30 & 511]);

	return &pd[va >> 21 & 511];
}

/* A 2 MiB mapping becomes 512 4 KiB mappings with the same attributes. */
static u64 *pte_of(u64 va)
{
	u64 *pde = pde_of(va);

	if (*pde & PTE_PS) {
		u64 *pt = page_alloc_or_panic(0, PAGE_NOZERO, "a page table");
		u64 attrs = *pde & ~PTE_ADDR & ~PTE_PS;
		u64 base = *pde & PTE_ADDR;

		for (int i = 0; i < PT_ENTRIES; i++)
			pt[i] = (base + i * PAGE_SIZE) | attrs;
		*pde = ptr_to_phys(pt) | PTE_P | PTE_W;
		invlpg(va);
	}
	return &next_table(pde)[va >> 12 & 511];
}

static u64 region_attrs(enum region_type type)
{
	switch (type) {
	case REGION_USABLE:
	case REGION_BOOT_SERVICES:
	case REGION_NESTVISOR:
	case REGION_RUNTIME_DATA:
	case REGION_ACPI_RECLAIM:
	case REGION_ACPI_NVS:
		return MAP_RAM;
	case REGION_RUNTIME_CODE:
		/* Runtime drivers keep their data inside their code regions. */
		return MAP_CODE;
	case REGION_MMIO:
	case REGION_RESERVED:
	case REGION_TYPE_COUNT:
		break;
	}
	return MAP_DEVICE;
}

struct span {
	u64 attrs;
	u64 end;
};

struct map_plan {
	const struct boot_info *bi;
	u64 text_start, text_end;	/* nestvisor's code */
	u64 top;			/* mapping covers [0, top) */
};

/* Attributes at addr, and how far they hold (one region or hole). */
static struct span span_at(const struct map_plan *p, u64 addr)
{
	const struct boot_info *bi = p->bi;
	struct span s = { MAP_NONE, p->top };
	unsigned i;

	for (i = 0; i < bi->nr_regions; i++) {
		const struct mem_region *r = &bi->regions[i];

		if (addr < r->base) {	/* a hole: devices below 4 GiB, else nothing */
			s.attrs = addr < GiB(4) ? MAP_DEVICE : MAP_NONE;
			s.end = addr < GiB(4) ? MIN(r->base, GiB(4)) : r->base;
			break;
		}
		if (addr < r->base + r->size) {
			s.attrs = region_attrs(r->type);
			s.end = r->base + r->size;
			break;
		}
	}
	if (i == bi->nr_regions && addr < GiB(4)) {
		s.attrs = MAP_DEVICE;
		s.end = GiB(4);
	}

	if (addr >= p->text_start && addr < p->text_end) {
		s.attrs = MAP_TEXT;
		s.end = MIN(s.end, p->text_end);
	} else if (addr < p->text_start) {
		s.end = MIN(s.end, p->text_start);
	}
	if (addr == bi->ap_trampoline) {
		s.attrs = MAP_CODE;	/* real-mode code that ends in long mode */
		s.end = addr + PAGE_SIZE;
	} else if (addr < bi->ap_trampoline) {
		s.end = MIN(s.end, bi->ap_trampoline);
	}
	s.end = MIN(s.end, p->top);
	return s;
}

static void map_range(u64 start, u64 end, u64 attrs)
{
	u64 a = start;

	while (a < end) {
		if (IS_ALIGNED(a, LARGE_PAGE) && a + LARGE_PAGE <= end) {
			*pde_of(a) = a | attrs | PTE_PS;
			a += LARGE_PAGE;
		} else {
			*pte_of(a) = a | attrs;
			a += PAGE_SIZE;
		}
	}
}

extern const char _text[], _etext[];

void paging_init(const struct boot_info *bi)
{
	const struct mem_region *last = &bi->regions[bi->nr_regions - 1];
	struct map_plan plan = {
		.bi = bi,
		.text_start = ALIGN_DOWN(ptr_to_phys(_text), PAGE_SIZE),
		.text_end = ALIGN_UP(ptr_to_phys(_etext), PAGE_SIZE),
		.top = MAX(GiB(4), ALIGN_UP(last->base + last->size, LARGE_PAGE)),
	};
	u64 a = 0;

	pml4 = phys_to_ptr(bi->pml4_low);
	while (a < plan.top) {
		struct span s = span_at(&plan, a), next;

		/* Neighbouring spans with equal attributes form one range, so
		 * they can share 2 MiB pages. */
		while (s.end < plan.top && (next = span_at(&plan, s.end)).attrs == s.attrs)
			s.end = next.end;
		if (s.attrs != MAP_NONE)
			map_range(a, s.end, s.attrs);
		a = s.end;
	}
	paging_init_ap();
	write_cr3(ptr_to_phys(pml4));
}

void paging_init_ap(void)
{
	/* The tables use XD and read-only text: turn on what they rely on. */
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	wrmsr(MSR_IA32_PAT, PAT_POWER_ON);
}

u64 paging_root(void)
{
	return ptr_to_phys(pml4);
}

void paging_unmap_page(phys_addr_t pa)
{
	*pte_of(pa) = 0;
	invlpg(pa);
}
