#include "page_alloc.h"
#include "../lib/panic.h"

static struct page_pool pool;
static bool pool_ready;	/* only the boot CPU adds memory, so no race */

void page_alloc_add(phys_addr_t base, u64 size)
{
	if (!pool_ready) {
		page_pool_init(&pool);
		pool_ready = true;
	}
	page_pool_add(&pool, base, size);
}

void *page_alloc(unsigned order, unsigned flags)
{
	return page_pool_alloc(&pool, order, flags);
}

void *page_alloc_or_panic(unsigned order, unsigned flags, const char *what)
{
	void *p = page_pool_alloc(&pool, order, flags);

	if (!p)
		panic("out of memory allocating %s (order %u)", what, order);
	return p;
}

void page_free(void *p)
{
	page_pool_free(&pool, p);
}

void page_alloc_stats(struct page_stats *s)
{
	page_pool_stats(&pool, s);
}

unsigned page_order_for(u64 bytes)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}
