/* Changes to the guest's own identity map (built by start64.asm with
 * 2 MiB pages over [0, 4 GiB)), so tests can provoke page faults. All
 * vCPUs share the map, but these flush only the caller's TLB, and they
 * take no lock: use them from one vCPU, on pages no other vCPU touches. */
#ifndef GUESTS_PAGING_H
#define GUESTS_PAGING_H

#include "../../lib/types.h"

/* Makes the 4 KiB page at va (page aligned, below 4 GiB) not present,
 * first splitting its 2 MiB page into 4 KiB pages with the same mapping.
 * Panics when the library's pool of page tables for splits is used up. */
void paging_unmap_4k(u64 va);

/* Maps the 4 KiB page at va to itself again, writable; va must have been
 * split by paging_unmap_4k(). */
void paging_map_4k(u64 va);

/* Lets CPL 3 use [start, end) (below 4 GiB): sets U/S in every paging
 * entry that maps it, at each level, since a user-mode access needs U/S = 1
 * all along the walk (SDM Vol. 3, 4.6.1). Pages already split into 4 KiB
 * ones get U/S on each of them; later splits keep it. */
void paging_set_user(u64 start, u64 end);

#endif
