/* The page allocator core: a byte per page and a first-fit search.
 *
 * A block of 2^order pages is found by scanning a zone's state map upward
 * from the zone's hint, trying only indices whose physical address is
 * 2^order-page aligned and jumping over allocated blocks whole. Small
 * blocks therefore pack at the bottom of a zone and large free runs stay
 * at the top. The hint only moves past pages seen in use, which makes
 * order-0 allocation O(1) amortized; a free below the hint pulls it back,
 * and the in-use pages between are scanned again. */
#include "page_pool.h"
#include "../lib/panic.h"
#include "../lib/string.h"

/* Per-page state byte. Heads carry their block's order: PS_HEAD + order. */
enum page_state {
	PS_FREE,		/* free, contents unknown */
	PS_POISONED,		/* free, and all PAGE_POISON since then */
	PS_TAIL,		/* in an allocation, not its first page */
	PS_HEAD,		/* first page of an allocation */
};

/* The poison check reads whole pages a word at a time; the words alias
 * whatever the page held last. */
typedef u64 __attribute__((may_alias)) page_word_t;
#define POISON_WORD (0x0101010101010101ull * PAGE_POISON)

#define NO_BLOCK (~0ull)	/* zone_find() found nothing */

/* The pool is logically const in owns/stats; its lock is not. */
static struct spinlock *pool_lock(const struct page_pool *p)
{
	return (struct spinlock *)&p->lock;
}

/* Releases the lock first: the crash report (and, on the host, the next
 * test after a caught panic) must not find the pool locked. */
#define pool_panic(p, ...)                                                    \
	do {                                                                  \
		spin_unlock(pool_lock(p));                                    \
		panic(__VA_ARGS__);                                           \
	} while (0)

static bool state_is_free(u8 s)
{
	return s == PS_FREE || s == PS_POISONED;
}

/* Pages a scan may skip at an in-use page: a head hides its whole block. */
static u64 state_skip(u8 s)
{
	return s >= PS_HEAD ? BIT(s - PS_HEAD) : 1;
}

static phys_addr_t zone_end(const struct page_zone *z)
{
	return z->base + z->pages * PAGE_SIZE;
}

static phys_addr_t zone_page(const struct page_zone *z, u64 idx)
{
	return z->base + idx * PAGE_SIZE;
}

/* The first index >= idx whose page is aligned to n pages. */
static u64 zone_align(const struct page_zone *z, u64 idx, u64 n)
{
	u64 pfn = (z->base >> PAGE_SHIFT) + idx;

	return ALIGN_UP(pfn, n) - (z->base >> PAGE_SHIFT);
}

static struct page_zone *pool_zone_of(const struct page_pool *p, phys_addr_t pa)
{
	for (unsigned i = 0; i < p->nr_zones; i++) {
		const struct page_zone *z = &p->zones[i];

		if (pa >= z->base && pa < zone_end(z))
			return (struct page_zone *)z;
	}
	return NULL;
}

void page_pool_init(struct page_pool *p)
{
	memset(p, 0, sizeof(*p));
}

/* Panics if [start, end) meets any zone's span (its state map included). */
static void pool_check_overlap(struct page_pool *p, phys_addr_t start,
			       phys_addr_t end)
{
	for (unsigned i = 0; i < p->nr_zones; i++) {
		const struct page_zone *z = &p->zones[i];
		phys_addr_t zs = ptr_to_phys(z->state);

		if (start < zone_end(z) && zs < end)
			pool_panic(p, "page_pool_add: [0x%lx, 0x%lx) overlaps "
				   "zone [0x%lx, 0x%lx)", start, end, zs,
				   zone_end(z));
	}
}

u64 page_pool_add(struct page_pool *p, phys_addr_t base, u64 size)
{
	phys_addr_t start, end;
	u64 raw, map_pages, pages;
	unsigned i;

	/* Page 0 is NULL to C: never hand it out, nor keep a state map there. */
	start = MAX(base, PAGE_SIZE);
	if (start > ~0ull - PAGE_SIZE || size < start - base)
		return 0;
	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(size > ~0ull - base ? ~0ull : base + size, PAGE_SIZE);
	if (end <= start)
		return 0;

	/* raw = map + managed with map * PAGE_SIZE >= managed. */
	raw = (end - start) >> PAGE_SHIFT;
	map_pages = (raw + PAGE_SIZE) / (PAGE_SIZE + 1);
	if (raw <= map_pages)
		return 0;
	pages = raw - map_pages;

	spin_lock(&p->lock);
	pool_check_overlap(p, start, end);
	if (p->nr_zones == MAX_PAGE_ZONES) {
		spin_unlock(&p->lock);
		return 0;
	}
	for (i = p->nr_zones; i > 0 && p->zones[i - 1].base > start; i--)
		p->zones[i] = p->zones[i - 1];
	p->zones[i] = (struct page_zone){
		.base = start + map_pages * PAGE_SIZE,
		.pages = pages,
		.state = phys_to_ptr(start),
		.free = pages,
	};
	memset(p->zones[i].state, PS_FREE, pages);
	p->nr_zones++;
	p->total_pages += pages;
	p->free_pages += pages;
	spin_unlock(&p->lock);
	return pages;
}

/* First fit for n aligned pages from the hint: their index, or NO_BLOCK. */
static u64 zone_find(const struct page_zone *z, u64 n)
{
	u64 i, j;

	if (z->free < n)
		return NO_BLOCK;
	for (i = zone_align(z, z->hint, n); i <= z->pages && n <= z->pages - i;
	     i = zone_align(z, j + state_skip(z->state[j]), n)) {
		for (j = i; j < i + n && state_is_free(z->state[j]); j++)
			;
		if (j == i + n)
			return i;
	}
	return NO_BLOCK;
}

#ifdef NV_DEBUG
/* Use-after-free detection: a poisoned page must still be all poison. */
static void zone_check_poison(struct page_pool *p, struct page_zone *z,
			      u64 idx, u64 n)
{
	for (u64 k = idx; k < idx + n; k++) {
		const page_word_t *w = phys_to_ptr(zone_page(z, k));
		const u8 *b;
		u64 off;

		if (z->state[k] != PS_POISONED)
			continue;
		for (off = 0; off < PAGE_SIZE / sizeof(*w); off++)
			if (w[off] != POISON_WORD)
				break;
		if (off == PAGE_SIZE / sizeof(*w))
			continue;
		b = (const u8 *)&w[off];
		for (off *= sizeof(*w); *b == PAGE_POISON; b++)
			off++;
		pool_panic(p, "page 0x%lx was written after it was freed "
			   "(offset 0x%lx, value 0x%x)", zone_page(z, k), off,
			   *b);
	}
}
#else
static void zone_check_poison(struct page_pool *p __unused,
			      struct page_zone *z __unused, u64 idx __unused,
			      u64 n __unused)
{
}
#endif

void *page_pool_alloc(struct page_pool *p, unsigned order, unsigned flags)
{
	u64 n, idx = NO_BLOCK;
	struct page_zone *z = NULL;
	void *block;

	ASSERT(order <= PAGE_MAX_ORDER);
	ASSERT((flags & ~PAGE_NOZERO) == 0);
	n = BIT(order);

	spin_lock(&p->lock);
	for (unsigned i = 0; i < p->nr_zones && idx == NO_BLOCK; i++) {
		z = &p->zones[i];
		idx = zone_find(z, n);
	}
	if (idx == NO_BLOCK) {
		spin_unlock(&p->lock);
		return NULL;
	}
	zone_check_poison(p, z, idx, n);
	z->state[idx] = PS_HEAD + order;
	memset(&z->state[idx + 1], PS_TAIL, n - 1);
	/* Order 0 scanned every page from the hint; larger orders did not. */
	if (n == 1 || idx == z->hint)
		z->hint = idx + n;
	z->free -= n;
	p->free_pages -= n;
	p->allocs++;
	spin_unlock(&p->lock);

	/* The block is ours now: zero it outside the lock. FAULT_ALLOC_NOZERO
	 * is a deliberate defect that proves the in-machine test catches it. */
	block = phys_to_ptr(zone_page(z, idx));
#ifndef FAULT_ALLOC_NOZERO
	if (!(flags & PAGE_NOZERO))
		memset(block, 0, n * PAGE_SIZE);
#endif
	return block;
}

void page_pool_free(struct page_pool *p, void *addr)
{
	phys_addr_t pa = ptr_to_phys(addr);
	struct page_zone *z;
	u64 idx, n;
	u8 s;

	spin_lock(&p->lock);
	z = pool_zone_of(p, pa);
	if (!z)
		pool_panic(p, "page_pool_free: foreign address 0x%lx (no zone "
			   "owns it)", pa);
	if (!IS_ALIGNED(pa, PAGE_SIZE))
		pool_panic(p, "page_pool_free: unaligned address 0x%lx", pa);
	idx = (pa - z->base) >> PAGE_SHIFT;
	s = z->state[idx];
	if (state_is_free(s))
		pool_panic(p, "page_pool_free: double free of page 0x%lx", pa);
	if (s == PS_TAIL)
		pool_panic(p, "page_pool_free: 0x%lx is not the start of an "
			   "allocation", pa);

	n = BIT(s - PS_HEAD);
#ifdef NV_DEBUG
	/* Under the lock, so a racing double free cannot see it half done. */
	memset(addr, PAGE_POISON, n * PAGE_SIZE);
	memset(&z->state[idx], PS_POISONED, n);
#else
	memset(&z->state[idx], PS_FREE, n);
#endif
	if (idx < z->hint)
		z->hint = idx;
	z->free += n;
	p->free_pages += n;
	p->frees++;
	spin_unlock(&p->lock);
}

bool page_pool_owns(const struct page_pool *p, phys_addr_t pa)
{
	bool owns;

	spin_lock(pool_lock(p));
	owns = pool_zone_of(p, pa) != NULL;
	spin_unlock(pool_lock(p));
	return owns;
}

void page_pool_stats(const struct page_pool *p, struct page_stats *s)
{
	spin_lock(pool_lock(p));
	*s = (struct page_stats){
		.total_pages = p->total_pages,
		.free_pages = p->free_pages,
		.used_pages = p->total_pages - p->free_pages,
		.allocs = p->allocs,
		.frees = p->frees,
		.zones = p->nr_zones,
	};
	spin_unlock(pool_lock(p));
}
