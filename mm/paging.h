/* Host page tables: one identity map of physical memory shared by all CPUs,
 * 4-level, 2 MiB pages where a range is uniform and 4 KiB pages elsewhere
 * (SDM Vol. 3, 4.5). */
#ifndef MM_PAGING_H
#define MM_PAGING_H

#include "../boot/boot_info.h"

/* Builds the map from the region list and loads it on this CPU:
 *  - RAM write-back, devices and holes below 4 GiB uncacheable (PAT index 3);
 *  - everything no-execute, except nestvisor's text (read-only), UEFI runtime
 *    code, and the AP trampoline page;
 *  - the root is bi->pml4_low, below 4 GiB for the APs' 32-bit stage. */
void paging_init(const struct boot_info *bi);

/* Loads the host tables on an AP (which arrives with CR3 already set by the
 * trampoline): programs PAT the way the tables assume. */
void paging_init_ap(void);

/* The CR3 value of the host tables. */
u64 paging_root(void);

/* Makes the 4 KiB page at pa not-present (a stack guard page), splitting a
 * 2 MiB mapping if needed. Flushes this CPU's TLB entry only: call it before
 * other CPUs can have cached the page. */
void paging_unmap_page(phys_addr_t pa);

#endif
