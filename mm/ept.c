#include "ept.h"

/* EPT entry bits (SDM Tables 29-1 to 29-6). */
#define EPTE_PERMS 0x7ull
#define EPTE_MEMTYPE_WB (6ull << 3)	/* in leaf entries */
#define EPTE_LARGE BIT(7)		/* in a PDE: maps 2 MiB */
#define EPTE_ADDR 0x000ffffffffff000ull
#define EPTP_MEMTYPE_WB 6ull
#define EPTP_WALK_4 (3ull << 3)		/* page-walk length minus one */

#define EPT_ENTRIES 512
#define EPT_LARGE_PAGE MiB(2)
#define GPA_LIMIT (1ull << 48)

static unsigned index_at(u64 gpa, unsigned level)
{
	return gpa >> (12 + 9 * level) & (EPT_ENTRIES - 1);
}

bool ept_init(struct ept *e, void *(*alloc_table)(void))
{
	e->alloc_table = alloc_table;
	e->pml4 = alloc_table();
	e->tables = e->pml4 != NULL;
	return e->pml4 != NULL;
}

/* The table under *entry, created (with all permissions: leaves decide) when
 * absent; NULL if it could not be, or if *entry is a leaf already. */
static u64 *next(struct ept *e, u64 *entry)
{
	if (!*entry) {
		u64 *t = e->alloc_table();

		if (!t)
			return NULL;
		e->tables++;
		*entry = ptr_to_phys(t) | EPTE_PERMS;
	} else if (*entry & EPTE_LARGE) {
		return NULL;
	}
	return phys_to_ptr(*entry & EPTE_ADDR);
}

/* The entry for gpa at level (0: PTE, 1: PDE), walking down from the PML4. */
static u64 *entry_at(struct ept *e, u64 gpa, unsigned level)
{
	u64 *t = e->pml4;

	for (unsigned l = 3; l > level; l--) {
		t = next(e, &t[index_at(gpa, l)]);
		if (!t)
			return NULL;
	}
	return &t[index_at(gpa, level)];
}

bool ept_map(struct ept *e, u64 gpa, phys_addr_t hpa, u64 size, unsigned perms)
{
	u64 leaf = EPTE_MEMTYPE_WB | (perms & EPTE_PERMS);

	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > GPA_LIMIT || gpa + size < gpa)
		return false;
	while (size) {
		bool large = IS_ALIGNED(gpa | hpa, EPT_LARGE_PAGE) && size >= EPT_LARGE_PAGE;
		u64 *entry = entry_at(e, gpa, large ? 1 : 0);
		u64 step = large ? EPT_LARGE_PAGE : PAGE_SIZE;

		if (!entry || *entry)
			return false;
		*entry = hpa | leaf | (large ? EPTE_LARGE : 0);
		gpa += step;
		hpa += step;
		size -= step;
	}
	return true;
}

phys_addr_t ept_translate(const struct ept *e, u64 gpa)
{
	const u64 *t = e->pml4;

	if (gpa >= GPA_LIMIT)
		return EPT_UNMAPPED;
	for (unsigned l = 3;; l--) {
		u64 entry = t[index_at(gpa, l)];

		if (!(entry & EPTE_PERMS))
			return EPT_UNMAPPED;
		if (l == 0 || (l == 1 && (entry & EPTE_LARGE))) {
			u64 offset_mask = l ? EPT_LARGE_PAGE - 1 : PAGE_SIZE - 1;

			return (entry & EPTE_ADDR & ~offset_mask) | (gpa & offset_mask);
		}
		t = phys_to_ptr(entry & EPTE_ADDR);
	}
}

u64 ept_pointer(const struct ept *e)
{
	return ptr_to_phys(e->pml4) | EPTP_WALK_4 | EPTP_MEMTYPE_WB;
}

static void free_level(u64 *t, unsigned level, void (*free_table)(void *))
{
	for (unsigned i = 0; level > 0 && i < EPT_ENTRIES; i++)
		if ((t[i] & EPTE_PERMS) && !(t[i] & EPTE_LARGE))	/* a table, not a leaf */
			free_level(phys_to_ptr(t[i] & EPTE_ADDR), level - 1, free_table);
	free_table(t);
}

void ept_destroy(struct ept *e, void (*free_table)(void *table))
{
	if (e->pml4)
		free_level(e->pml4, 3, free_table);
	e->pml4 = NULL;
	e->tables = 0;
}
