/* A physical page allocator over a few contiguous zones: power-of-two
 * blocks, naturally aligned, zeroed unless asked not to. Pure logic with
 * no globals, so the host unit tests run it over heap arenas; nestvisor's
 * one system pool lives in mm/page_alloc.c. */
#ifndef MM_PAGE_POOL_H
#define MM_PAGE_POOL_H

#include "../lib/types.h"
#include "../lib/spinlock.h"
#include "../vmm/param.h"

#define PAGE_NOZERO BIT(0)	/* the caller overwrites the pages anyway: skip zeroing */
#define PAGE_POISON 0x6b	/* byte pattern freed pages are filled with in NV_DEBUG builds */

/* Largest order a caller may ask for (16 TiB); beyond it is a bug. */
#define PAGE_MAX_ORDER 32

/* One contiguous range of managed pages. Its state map (one byte per
 * page) sits in the pages just below base, carved from the range itself. */
struct page_zone {
	phys_addr_t base;	/* first managed page */
	u64 pages;		/* managed pages from base */
	u8 *state;		/* the state map; also where the zone's span begins */
	u64 free;		/* free pages in this zone */
	u64 hint;		/* no page below this index is free */
};

struct page_pool {
	struct page_zone zones[MAX_PAGE_ZONES];	/* sorted by base */
	unsigned nr_zones;
	u64 total_pages, free_pages;
	u64 allocs, frees;	/* successful calls, not pages */
	struct spinlock lock;
};

struct page_stats {
	u64 total_pages, free_pages, used_pages, allocs, frees;
	unsigned zones;
};

/* Makes p an empty pool. */
void page_pool_init(struct page_pool *p);
/* Adds [base, base + size) trimmed inward to pages; returns the pages made
 * available (0 if too small or out of zones); panics if it overlaps a zone. */
u64 page_pool_add(struct page_pool *p, phys_addr_t base, u64 size);
/* 2^order pages aligned to 2^order pages, zeroed unless PAGE_NOZERO; NULL
 * when no such block is free. */
void *page_pool_alloc(struct page_pool *p, unsigned order, unsigned flags);
/* Returns a block from page_pool_alloc; panics on any other address. */
void page_pool_free(struct page_pool *p, void *addr);
/* Whether pa lies in a page the pool manages (free or allocated). */
bool page_pool_owns(const struct page_pool *p, phys_addr_t pa);
/* A consistent snapshot of the pool's counters. */
void page_pool_stats(const struct page_pool *p, struct page_stats *s);

#endif
