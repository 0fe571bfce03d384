/* mm/ept.c: building and walking guest EPT tables. */
#include "harness.h"
#include "../../mm/ept.h"

#define POOL_TABLES 16

static u64 pool[POOL_TABLES][512] __aligned(4096);
static unsigned used, tables_left;

static void *alloc_table(void)
{
	if (!tables_left || used == POOL_TABLES)
		return NULL;
	tables_left--;
	return pool[used++];	/* static storage: already zero */
}

static unsigned freed;

static void count_free(void *table)
{
	freed += (u64 (*)[512])table >= pool && (u64 (*)[512])table < pool + POOL_TABLES;
}

void run_tests(void)
{
	struct ept e;
	u64 host = GiB(1);	/* host-physical addresses are never dereferenced */

	tables_left = 100;
	report(ept_init(&e, alloc_table) && e.tables == 1, "a fresh EPT has one table");
	report(ept_map(&e, 0, host, MiB(16), EPT_RWX), "map 16 MiB of guest RAM at 0");
	report(e.tables == 3, "2 MiB-aligned RAM needs PML4, PDPT, PD only (%u tables)", e.tables);
	report(ept_translate(&e, 0) == host && ept_translate(&e, 0x123456) == host + 0x123456 &&
	       ept_translate(&e, MiB(16) - 1) == host + MiB(16) - 1,
	       "translation inside the mapping adds the offset");
	report(ept_translate(&e, MiB(16)) == EPT_UNMAPPED, "the first byte past guest RAM is unmapped");
	report(ept_translate(&e, GiB(512)) == EPT_UNMAPPED && ept_translate(&e, 1ull << 48) == EPT_UNMAPPED,
	       "far and out-of-range addresses are unmapped");
	report(!ept_map(&e, MiB(4), host, PAGE_SIZE, EPT_RWX), "an overlapping map is refused");

	report(ept_map(&e, MiB(32) + PAGE_SIZE, host + MiB(64), 3 * PAGE_SIZE, EPT_READ),
	       "map three unaligned 4 KiB pages");
	report(ept_translate(&e, MiB(32) + 2 * PAGE_SIZE + 5) == host + MiB(64) + PAGE_SIZE + 5,
	       "4 KiB mappings translate");
	report(ept_translate(&e, MiB(32)) == EPT_UNMAPPED, "the page before them is unmapped");
	report(!ept_map(&e, 0x1001, host, PAGE_SIZE, EPT_RWX) &&
	       !ept_map(&e, GiB(2), host + 1, PAGE_SIZE, EPT_RWX) &&
	       !ept_map(&e, (1ull << 48) - PAGE_SIZE, host, 2 * PAGE_SIZE, EPT_RWX),
	       "misaligned or out-of-range requests are refused");
	report((ept_pointer(&e) & 0xfff) == 0x1e && (ept_pointer(&e) & ~0xfffull) == (u64)(uintptr_t)e.pml4,
	       "EPTP: WB, walk length 4, PML4 address (0x%lx)", ept_pointer(&e) & 0xfff);

	tables_left = 0;
	report(!ept_map(&e, GiB(8), host, PAGE_SIZE, EPT_RWX), "running out of tables fails cleanly");

	freed = 0;
	ept_destroy(&e, count_free);
	report(freed == used && !e.pml4, "destroy frees every table, no leaf (%u of %u)", freed, used);
}
