#include "paging.h"
#include "exit.h"
#include "../../lib/x86.h"

/* Paging-structure entry bits (SDM Vol. 3, 4.5, 4-level paging). */
#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_U BIT(2)
#define PTE_PS BIT(7)		/* in a PDE: maps a 2 MiB page */
#define PTE_PAT_4K BIT(7)	/* in a PTE */
#define PTE_PAT_2M BIT(12)	/* in a 2 MiB PDE */
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_ADDR_MASK_2M 0x000fffffffe00000ull
#define PTE_FLAGS_LOW 0x1ffull	/* P, W, U, PWT, PCD, A, D, PS/PAT, G */
#define PT_ENTRIES 512
#define LARGE_PAGE_SIZE MiB(2)

/* How many 2 MiB pages the tests may split; each costs a page of .bss,
 * which switch64 (a real-mode image, .bss included below 64 KiB) feels. */
#define SPLIT_TABLES 2

static u64 split_pool[SPLIT_TABLES][PT_ENTRIES] __aligned(PAGE_SIZE);
static unsigned split_used;

static unsigned pt_index(u64 va, unsigned level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) % PT_ENTRIES;
}

static u64 *table_at(u64 entry, u64 va, unsigned level)
{
	if (!(entry & PTE_P) || (level < 4 && (entry & PTE_PS)))
		panic("paging: 0x%lx: no page table below level %u (entry 0x%lx)",
		      va, level, entry);
	return phys_to_ptr(entry & PTE_ADDR_MASK);
}

/* The page-directory entry mapping va, walked from CR3. */
static u64 *pde_of(u64 va)
{
	u64 *pml4 = phys_to_ptr(read_cr3() & PTE_ADDR_MASK);
	u64 *pdpt = table_at(pml4[pt_index(va, 4)], va, 4);
	u64 *pd = table_at(pdpt[pt_index(va, 3)], va, 3);

	return &pd[pt_index(va, 2)];
}

/* Replaces a 2 MiB mapping by a page table mapping the same 4 KiB frames
 * with the same attributes. */
static void split_2m(u64 *pde, u64 va)
{
	u64 *pt, flags;

	if (split_used == SPLIT_TABLES)
		panic("paging: all %u split tables in use (at 0x%lx)", SPLIT_TABLES, va);
	pt = split_pool[split_used++];
	flags = (*pde & PTE_FLAGS_LOW & ~PTE_PS) | (*pde & PTE_NX);
	if (*pde & PTE_PAT_2M)
		flags |= PTE_PAT_4K;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		pt[i] = (*pde & PTE_ADDR_MASK_2M) + i * PAGE_SIZE + flags;
	/* Access rights are the most restrictive along the walk (SDM Vol. 3,
	 * 4.6), so the new PDE only has to keep what the 2 MiB page had. */
	*pde = ptr_to_phys(pt) | (*pde & (PTE_FLAGS_LOW & ~PTE_PS));
	/* The TLB and paging-structure caches may hold the 2 MiB entry; we
	 * use no global pages, so reloading CR3 drops it (SDM Vol. 3, 4.10.4.1). */
	write_cr3(read_cr3());
}

static u64 *pte_of(u64 va, bool split)
{
	u64 *pde;

	if (!IS_ALIGNED(va, PAGE_SIZE) || va >= GiB(4))
		panic("paging: 0x%lx is not a page in the identity map", va);
	pde = pde_of(va);
	if (*pde & PTE_PS) {
		if (!split)
			panic("paging: 0x%lx is still in a 2 MiB page", va);
		split_2m(pde, va);
	}
	return &((u64 *)phys_to_ptr(*pde & PTE_ADDR_MASK))[pt_index(va, 1)];
}

void paging_unmap_4k(u64 va)
{
	u64 *pte = pte_of(va, true);

	*pte &= ~PTE_P;
	invlpg(va);
}

void paging_map_4k(u64 va)
{
	u64 *pte = pte_of(va, false);

	*pte = va | PTE_P | PTE_W;
	invlpg(va);
}

void paging_set_user(u64 start, u64 end)
{
	u64 *pml4 = phys_to_ptr(read_cr3() & PTE_ADDR_MASK);

	if (end > GiB(4) || start > end)
		panic("paging: [0x%lx, 0x%lx) is not in the identity map", start, end);
	for (u64 va = ALIGN_DOWN(start, LARGE_PAGE_SIZE); va < end; va += LARGE_PAGE_SIZE) {
		u64 *pml4e = &pml4[pt_index(va, 4)];
		u64 *pdpte = &((u64 *)table_at(*pml4e, va, 4))[pt_index(va, 3)];
		u64 *pde = &((u64 *)table_at(*pdpte, va, 3))[pt_index(va, 2)];

		*pml4e |= PTE_U;
		*pdpte |= PTE_U;
		*pde |= PTE_U;
		if (!(*pde & PTE_PS))
			for (unsigned i = 0; i < PT_ENTRIES; i++)
				((u64 *)phys_to_ptr(*pde & PTE_ADDR_MASK))[i] |= PTE_U;
	}
	/* The TLB may still hold the stricter entries, and using one would
	 * fault (SDM Vol. 3, 4.10.4.3); without global pages, reloading CR3
	 * drops them. */
	write_cr3(read_cr3());
}
