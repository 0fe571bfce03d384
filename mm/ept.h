/* Extended page tables for guests (SDM Vol. 3C, 29.3 "The extended page
 * table mechanism"): 4-level, write-back, guest-physical ranges mapped onto
 * host memory with 2 MiB pages where both sides are aligned. Pure: tables
 * come from a caller-supplied allocator, so the host tests run it. */
#ifndef MM_EPT_H
#define MM_EPT_H

#include "../lib/types.h"

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)		/* supervisor-mode execute */
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)

struct ept {
	u64 *pml4;
	/* Returns a zeroed, 4 KiB-aligned page for a table, or NULL. */
	void *(*alloc_table)(void);
	unsigned tables;	/* how many tables were allocated */
};

/* Prepares e with an empty PML4; false if the allocator failed. */
bool ept_init(struct ept *e, void *(*alloc_table)(void));

/* Maps guest-physical [gpa, gpa + size) to host-physical [hpa, ...) with
 * perms (EPT_READ/WRITE/EXEC) as write-back memory. All three arguments must
 * be 4 KiB aligned and gpa + size within the 48-bit guest-physical space.
 * Returns false if a table could not be allocated or the range overlaps an
 * existing mapping. */
bool ept_map(struct ept *e, u64 gpa, phys_addr_t hpa, u64 size, unsigned perms);

/* The host-physical address gpa maps to, or EPT_UNMAPPED. */
#define EPT_UNMAPPED (~0ull)
phys_addr_t ept_translate(const struct ept *e, u64 gpa);

/* Frees every table of e (not the memory it maps) through free_table. */
void ept_destroy(struct ept *e, void (*free_table)(void *table));

/* The EPTP for the VMCS: WB paging structures, page-walk length 4 (SDM
 * 25.6.11 "Extended-page-table pointer"). */
u64 ept_pointer(const struct ept *e);

#endif
