/* mm/page_pool.c over host heap arenas: the "physical" addresses are the
 * arenas' addresses, so alignment is checked on real pointers. */
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"
#include "../../mm/page_pool.h"

#define ARENA_ALIGN MiB(2)	/* so block alignment in a test is predictable */
#define STRESS_SEED 0x5eed1234abcdull
#define STRESS_OPS 20000
#define STRESS_LIVE 256
#define STRESS_MAX_ORDER 5

static u8 *arena_new(u64 pages)
{
	u8 *a = aligned_alloc(ARENA_ALIGN, ALIGN_UP(pages * PAGE_SIZE, ARENA_ALIGN));

	if (!a) {
		printf("FAIL: host out of memory\n");
		exit(2);
	}
	return a;
}

static bool all_bytes(const void *p, u8 v, u64 n)
{
	const u8 *b = p;

	for (u64 i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static bool stats_are(const struct page_pool *p, u64 total, u64 free,
		      u64 allocs, u64 frees, unsigned zones)
{
	struct page_stats s;

	page_pool_stats(p, &s);
	return s.total_pages == total && s.free_pages == free &&
	       s.used_pages == total - free && s.allocs == allocs &&
	       s.frees == frees && s.zones == zones;
}

static void test_zeroing_and_poison(void)
{
	struct page_pool p;
	u8 *a = arena_new(64), *b, *c;

	memset(a, 0xff, 64 * PAGE_SIZE);
	page_pool_init(&p);
	page_pool_add(&p, ptr_to_phys(a), 64 * PAGE_SIZE);

	b = page_pool_alloc(&p, 2, 0);
	report(b && all_bytes(b, 0, 4 * PAGE_SIZE),
	       "fresh pages come back zeroed over a dirty arena");
	memset(b, 0xa5, 4 * PAGE_SIZE);
	page_pool_free(&p, b);
#ifdef NV_DEBUG
	report(all_bytes(b, PAGE_POISON, 4 * PAGE_SIZE),
	       "a freed block is filled with PAGE_POISON (0x%x)", PAGE_POISON);
#endif
	c = page_pool_alloc(&p, 2, 0);
	report(c == b && all_bytes(c, 0, 4 * PAGE_SIZE),
	       "a dirtied, freed block is reused first and comes back zeroed");
	page_pool_free(&p, c);
#ifdef NV_DEBUG
	c = page_pool_alloc(&p, 2, PAGE_NOZERO);
	report(c == b && all_bytes(c, PAGE_POISON, 4 * PAGE_SIZE),
	       "PAGE_NOZERO hands the block over still poisoned");
	page_pool_free(&p, c);
#endif
	free(a);
}

static void test_alignment(void)
{
	void *blocks[2 * (8 + 1)];
	unsigned n = 0, order;
	struct page_pool p;
	u8 *a = arena_new(2048);
	bool aligned, owned;

	page_pool_init(&p);
	page_pool_add(&p, ptr_to_phys(a), 2048 * PAGE_SIZE);
	for (order = 0; order <= 8; order++) {
		/* A single page first, so the next aligned spot is never the
		 * first free one. */
		blocks[n++] = page_pool_alloc(&p, 0, 0);
		blocks[n] = page_pool_alloc(&p, order, 0);
		aligned = blocks[n] &&
			  IS_ALIGNED(ptr_to_phys(blocks[n]), PAGE_SIZE << order);
		owned = page_pool_owns(&p, ptr_to_phys(blocks[n]));
		report(aligned && owned,
		       "order %u block %p is aligned to %lu KiB and owned",
		       order, blocks[n], (PAGE_SIZE << order) >> 10);
		n++;
	}
	while (n)
		page_pool_free(&p, blocks[--n]);
	report(stats_are(&p, p.total_pages, p.total_pages, 18, 18, 1),
	       "alignment run: every page is free again");
	free(a);
}

/* 33 raw pages at a 2 MiB boundary: page 0 holds the state map, pages
 * 1..32 are managed, so the only 16-page aligned block is pages 16..31. */
static void test_exhaustion_and_stats(void)
{
	void *pages[32];
	struct page_pool p;
	u8 *a = arena_new(33);
	u64 got;
	bool distinct = true, all = true;
	unsigned i, j;

	page_pool_init(&p);
	got = page_pool_add(&p, ptr_to_phys(a), 33 * PAGE_SIZE);
	report(got == 32 && stats_are(&p, 32, 32, 0, 0, 1),
	       "33 pages make a zone of 32 plus a one-page state map (got %lu)",
	       got);
	for (i = 0; i < 32; i++) {
		pages[i] = page_pool_alloc(&p, 0, 0);
		all = all && pages[i];
		for (j = 0; j < i; j++)
			distinct = distinct && pages[i] != pages[j];
	}
	report(all && distinct, "32 order-0 allocations give 32 distinct pages");
	report(page_pool_alloc(&p, 0, 0) == NULL, "the 33rd allocation returns NULL");
	report(stats_are(&p, 32, 0, 32, 0, 1),
	       "stats when exhausted: 32 total, 0 free, 32 used, 32 allocs");
	for (i = 0; i < 32; i++)
		page_pool_free(&p, pages[i]);
	report(stats_are(&p, 32, 32, 32, 32, 1),
	       "stats after freeing all: 32 free, 32 frees");

	pages[0] = page_pool_alloc(&p, 4, 0);
	report(pages[0] == a + 16 * PAGE_SIZE,
	       "the one 16-page aligned block is pages 16..31 (got %p)", pages[0]);
	report(page_pool_alloc(&p, 4, 0) == NULL,
	       "a second order-4 block does not exist with 16 pages free");
	report(page_pool_alloc(&p, 5, 0) == NULL,
	       "order 5 fails: no 32-page aligned run inside the zone");
	report(stats_are(&p, 32, 16, 33, 32, 1),
	       "failed allocations change no counter");

	/* The block skipped pages 1..15 and sits right before page 32:
	 * single pages must still find all of them. */
	for (i = 1, all = true; i <= 16; i++)
		all = all && (pages[i] = page_pool_alloc(&p, 0, 0)) != NULL;
	report(all && pages[16] == a + 32 * PAGE_SIZE &&
	       page_pool_alloc(&p, 0, 0) == NULL,
	       "single pages fill the gap below and the page after a large block");
	for (i = 0; i <= 16; i++)
		page_pool_free(&p, pages[i]);
	free(a);
}

static void test_multi_zone(void)
{
	struct page_pool p;
	u8 *lo = arena_new(17), *hi = arena_new(9);
	u8 *first = lo < hi ? lo : hi, *second = lo < hi ? hi : lo;
	void *pages[24];
	unsigned n = 0, in_lo = 0, in_hi = 0;

	page_pool_init(&p);
	/* The higher arena goes in first: the pool must sort its zones. */
	page_pool_add(&p, ptr_to_phys(second), (second == lo ? 17 : 9) * PAGE_SIZE);
	page_pool_add(&p, ptr_to_phys(first), (first == lo ? 17 : 9) * PAGE_SIZE);
	report(stats_are(&p, 24, 24, 0, 0, 2), "two arenas: two zones, 16 + 8 pages");
	report(p.zones[0].base < p.zones[1].base, "zones are kept sorted by base");
	report(page_pool_owns(&p, ptr_to_phys(lo + PAGE_SIZE)) &&
	       page_pool_owns(&p, ptr_to_phys(hi + 8 * PAGE_SIZE + 123)),
	       "both zones own their managed pages");
	report(!page_pool_owns(&p, ptr_to_phys(lo)) &&
	       !page_pool_owns(&p, ptr_to_phys(hi + 9 * PAGE_SIZE)),
	       "neither owns its state map nor the page past its end");

	while (n < 24 && (pages[n] = page_pool_alloc(&p, 0, 0)))
		n++;
	for (unsigned i = 0; i < n; i++) {
		u8 *pg = pages[i];

		in_lo += pg >= lo && pg < lo + 17 * PAGE_SIZE;
		in_hi += pg >= hi && pg < hi + 9 * PAGE_SIZE;
	}
	report(n == 24 && in_lo == 16 && in_hi == 8,
	       "allocation spills into the second zone (%u from 17-page, %u from "
	       "9-page arena)", in_lo, in_hi);
	report(page_pool_alloc(&p, 0, 0) == NULL, "both zones exhausted -> NULL");
	while (n)
		page_pool_free(&p, pages[--n]);
	report(stats_are(&p, 24, 24, 24, 24, 2), "multi-zone: all frees restore the count");
	free(lo);
	free(hi);
}

static void test_trimming(void)
{
	static const struct {
		u64 offset, size, want;
		const char *what;
	} cases[] = {
		{ 0, 0, 0, "an empty range" },
		{ 100, PAGE_SIZE, 0, "less than a page after trimming" },
		{ 0, PAGE_SIZE, 0, "one page: room for the state map only" },
		{ 0, 2 * PAGE_SIZE, 1, "two pages: map + one page" },
		{ 100, 10 * PAGE_SIZE, 8, "unaligned both ends: 9 whole pages, map + 8" },
		{ PAGE_SIZE - 1, 3 * PAGE_SIZE, 1, "start one byte below a page: map + 1" },
		{ 0, 4097 * PAGE_SIZE, 4096, "4097 pages: one map page covers 4096" },
		{ 0, 4098 * PAGE_SIZE, 4096, "4098 pages: the map needs a second page" },
	};
	u8 *a = arena_new(4200);

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct page_pool p;
		u64 got;

		page_pool_init(&p);
		got = page_pool_add(&p, ptr_to_phys(a) + cases[i].offset,
				    cases[i].size);
		report(got == cases[i].want && p.free_pages == got &&
		       (!got || IS_ALIGNED(p.zones[0].base, PAGE_SIZE)),
		       "add trims %s: %lu pages (got %lu)", cases[i].what,
		       cases[i].want, got);
	}
	free(a);
}

#ifdef NV_DEBUG
static void test_use_after_free(void)
{
	char want[128];
	struct page_pool p;
	u8 *a = arena_new(16), *b;

	page_pool_init(&p);
	page_pool_add(&p, ptr_to_phys(a), 16 * PAGE_SIZE);
	b = page_pool_alloc(&p, 1, 0);
	page_pool_free(&p, b);
	b[PAGE_SIZE + 0x123] = 0x42;
	snprintf(want, sizeof(want), "page %p was written after it was freed "
		 "(offset 0x123, value 0x42)", (void *)(b + PAGE_SIZE));
	EXPECT_PANIC("use after free", want, page_pool_alloc(&p, 1, 0));

	b[PAGE_SIZE + 0x123] = PAGE_POISON;
	b = page_pool_alloc(&p, 1, 0);
	report(b && all_bytes(b, 0, 2 * PAGE_SIZE),
	       "after a caught panic the pool is unlocked and usable");
	page_pool_free(&p, b);
	free(a);
}
#endif

static void test_misuse(void)
{
	char want[128];
	struct page_pool p;
	u8 *a = arena_new(16), *other = arena_new(1), *b, *c;

	page_pool_init(&p);
	page_pool_add(&p, ptr_to_phys(a), 16 * PAGE_SIZE);
	b = page_pool_alloc(&p, 0, 0);
	c = page_pool_alloc(&p, 2, 0);

	page_pool_free(&p, b);
	snprintf(want, sizeof(want), "double free of page %p", (void *)b);
	EXPECT_PANIC("double free", want, page_pool_free(&p, b));
	snprintf(want, sizeof(want), "foreign address %p", (void *)other);
	EXPECT_PANIC("freeing another arena's page", want, page_pool_free(&p, other));
	snprintf(want, sizeof(want), "foreign address %p", (void *)a);
	EXPECT_PANIC("freeing the zone's state map", want, page_pool_free(&p, a));
	snprintf(want, sizeof(want), "unaligned address %p", (void *)(c + 8));
	EXPECT_PANIC("freeing an unaligned address", want, page_pool_free(&p, c + 8));
	snprintf(want, sizeof(want), "%p is not the start of an allocation",
		 (void *)(c + 2 * PAGE_SIZE));
	EXPECT_PANIC("freeing a tail page", want,
		     page_pool_free(&p, c + 2 * PAGE_SIZE));
	EXPECT_PANIC("overlapping add", "overlaps zone",
		     page_pool_add(&p, ptr_to_phys(a) + 4 * PAGE_SIZE, PAGE_SIZE * 8));
	EXPECT_PANIC("add overlapping only the state map", "overlaps zone",
		     page_pool_add(&p, ptr_to_phys(a) - 4 * PAGE_SIZE, 5 * PAGE_SIZE));
	EXPECT_PANIC("order above PAGE_MAX_ORDER", "assertion failed",
		     page_pool_alloc(&p, PAGE_MAX_ORDER + 1, 0));
	EXPECT_PANIC("unknown allocation flag", "assertion failed",
		     page_pool_alloc(&p, 0, BIT(5)));

	page_pool_free(&p, c);
	report(stats_are(&p, 15, 15, 2, 2, 1),
	       "caught misuse left the pool consistent and unlocked");
	free(a);
	free(other);
}

/* A fixed-seed xorshift64: the same run every time. */
static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct live_block {
	u8 *addr;
	unsigned order;
	u8 tag;
};

static bool overlaps_live(const struct live_block *live, unsigned n,
			  const u8 *addr, unsigned order)
{
	for (unsigned i = 0; i < n; i++)
		if (addr < live[i].addr + (PAGE_SIZE << live[i].order) &&
		    live[i].addr < addr + (PAGE_SIZE << order))
			return true;
	return false;
}

static void test_stress(void)
{
	struct live_block live[STRESS_LIVE];
	unsigned n = 0, bad_align = 0, bad_overlap = 0, bad_zero = 0;
	unsigned bad_tag = 0, bad_count = 0, nulls = 0, allocs = 0;
	u64 seed = STRESS_SEED, free_pages, ops;
	struct page_pool p;
	u8 *a = arena_new(700), *b = arena_new(300);

	page_pool_init(&p);
	page_pool_add(&p, ptr_to_phys(a) + 3 * PAGE_SIZE, 697 * PAGE_SIZE);
	page_pool_add(&p, ptr_to_phys(b), 300 * PAGE_SIZE);
	free_pages = p.free_pages;

	for (ops = 0; ops < STRESS_OPS; ops++) {
		u64 r = rng_next(&seed);

		if (n < STRESS_LIVE && (r & 7) < 5) {
			/* Mostly small blocks, as nestvisor asks for them. */
			unsigned order = MIN(__builtin_ctzll(r >> 8),
					     STRESS_MAX_ORDER);
			unsigned flags = (r >> 16) & 1 ? PAGE_NOZERO : 0;
			u8 *blk = page_pool_alloc(&p, order, flags);

			if (!blk) {
				nulls++;
				continue;
			}
			allocs++;
			bad_align += !IS_ALIGNED(ptr_to_phys(blk), PAGE_SIZE << order);
			bad_overlap += overlaps_live(live, n, blk, order);
			bad_zero += !flags && !all_bytes(blk, 0, PAGE_SIZE << order);
			live[n] = (struct live_block){ blk, order, (u8)(r >> 24) };
			memset(blk, live[n].tag, PAGE_SIZE << order);
			free_pages -= BIT(order);
			n++;
		} else if (n) {
			unsigned i = (r >> 8) % n;

			bad_tag += !all_bytes(live[i].addr, live[i].tag,
					      PAGE_SIZE << live[i].order);
			page_pool_free(&p, live[i].addr);
			free_pages += BIT(live[i].order);
			live[i] = live[--n];
		}
		bad_count += p.free_pages != free_pages ||
			     p.zones[0].free + p.zones[1].free != free_pages;
	}
	report_info("stress: %u allocations, %u NULL returns, %u still live",
		    allocs, nulls, n);
	report(nulls > 0, "stress ran the pool into exhaustion at least once");
	report(!bad_align, "stress: every block is aligned to its size (%u bad)", bad_align);
	report(!bad_overlap, "stress: no two live blocks overlap (%u bad)", bad_overlap);
	report(!bad_zero, "stress: every zeroed block is all zero (%u bad)", bad_zero);
	report(!bad_tag, "stress: live blocks keep their contents (%u bad)", bad_tag);
	report(!bad_count, "stress: pool and zone free counts match the model "
	       "after each op (%u bad)", bad_count);
	while (n)
		page_pool_free(&p, live[--n].addr);
	report(stats_are(&p, p.total_pages, p.total_pages, allocs, allocs, 2),
	       "stress: freeing the rest restores every page");
	report(page_pool_alloc(&p, 7, 0) != NULL,
	       "stress: a 128-page block is available again afterwards");
	free(a);
	free(b);
}

void run_tests(void)
{
	test_zeroing_and_poison();
	test_alignment();
	test_exhaustion_and_stats();
	test_multi_zone();
	test_trimming();
#ifdef NV_DEBUG
	test_use_after_free();
#endif
	test_misuse();
	test_stress();
}
