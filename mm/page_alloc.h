/* nestvisor's one system page pool: every page nestvisor allocates for
 * itself or its guests comes from here (see mm/page_pool.h for the rules). */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include "page_pool.h"

/* Gives [base, base + size) to the pool; boot-time, before other CPUs run. */
void page_alloc_add(phys_addr_t base, u64 size);
/* 2^order aligned pages, zeroed unless PAGE_NOZERO; NULL when exhausted. */
void *page_alloc(unsigned order, unsigned flags);
/* As page_alloc(), but running out is fatal; what names the allocation. */
void *page_alloc_or_panic(unsigned order, unsigned flags, const char *what);
/* Returns a block from page_alloc(); panics on misuse. */
void page_free(void *p);
/* The smallest order whose block holds bytes. */
unsigned page_order_for(u64 bytes);
/* The system pool's counters. */
void page_alloc_stats(struct page_stats *s);

#endif
