/* boot/memmap.c with synthetic UEFI memory maps. */
#include <stdio.h>
#include "harness.h"
#include "../../boot/memmap.h"

#define MAX_DESCS 16
#define MAX_WANT 16
#define JUNK 0xcc		/* fills padding and descriptor tails */
#define CAP_DEFAULT MAX_WANT
#define WB REGION_ATTR_WB
#define UC REGION_ATTR_UC
#define EFI_MEMORY_XP BIT(14)	/* UEFI attribute bits beyond the cache ones */
#define EFI_MEMORY_RUNTIME BIT(63)
#define TOP (0ull - PAGE_SIZE)	/* where conversion clips ranges */

struct desc {
	u32 type;
	u64 base, pages, attr;
};

struct map_case {
	const char *what;
	u64 desc_size;		/* 0: sizeof(struct efi_memory_descriptor) */
	unsigned cap;		/* 0: CAP_DEFAULT */
	unsigned nr;
	struct desc in[MAX_DESCS];
	int want_n;
	struct mem_region want[MAX_WANT];
};

#define R(b, s, t, a) { .base = (b), .size = (s), .type = REGION_##t, .attr = (a) }

static const struct map_case cases[] = {
	{ "one usable entry", 0, 0, 1,
	  { { EFI_MT_CONVENTIONAL, 0x100000, 16, WB } },
	  1, { R(0x100000, 0x10000, USABLE, WB) } },
	{ "empty map", 0, 0, 0, { { 0 } }, 0, { { 0 } } },
	{ "unsorted input comes out sorted", 0, 0, 3,
	  { { EFI_MT_ACPI_NVS, 0x9000, 1, UC },
	    { EFI_MT_CONVENTIONAL, 0x1000, 2, WB },
	    { EFI_MT_BOOT_SERVICES_DATA, 0x5000, 1, WB } },
	  3, { R(0x1000, 0x2000, USABLE, WB), R(0x5000, 0x1000, BOOT_SERVICES, WB),
	       R(0x9000, 0x1000, ACPI_NVS, UC) } },
	{ "reserved inside usable splits it", 0, 0, 2,
	  { { EFI_MT_CONVENTIONAL, 0, 16, WB }, { EFI_MT_RESERVED, 0x4000, 2, WB } },
	  3, { R(0, 0x4000, USABLE, WB), R(0x4000, 0x2000, RESERVED, WB),
	       R(0x6000, 0xa000, USABLE, WB) } },
	{ "usable listed last still loses to reserved", 0, 0, 2,
	  { { EFI_MT_RESERVED, 0x4000, 2, WB }, { EFI_MT_CONVENTIONAL, 0, 16, WB } },
	  3, { R(0, 0x4000, USABLE, WB), R(0x4000, 0x2000, RESERVED, WB),
	       R(0x6000, 0xa000, USABLE, WB) } },
	{ "partial overlap: mmio beats acpi-nvs", 0, 0, 2,
	  { { EFI_MT_ACPI_NVS, 0x1000, 2, UC }, { EFI_MT_MMIO, 0x2000, 2, UC } },
	  2, { R(0x1000, 0x1000, ACPI_NVS, UC), R(0x2000, 0x2000, MMIO, UC) } },
	{ "boot-services over loader data: nestvisor wins", 0, 0, 2,
	  { { EFI_MT_BOOT_SERVICES_CODE, 0, 8, WB }, { EFI_MT_LOADER_DATA, 0x2000, 8, WB } },
	  2, { R(0, 0x2000, BOOT_SERVICES, WB), R(0x2000, 0x8000, NESTVISOR, WB) } },
	{ "identical duplicates collapse", 0, 0, 2,
	  { { EFI_MT_CONVENTIONAL, 0x3000, 4, WB }, { EFI_MT_CONVENTIONAL, 0x3000, 4, WB } },
	  1, { R(0x3000, 0x4000, USABLE, WB) } },
	{ "equal types overlapping keep only common attrs", 0, 0, 2,
	  { { EFI_MT_CONVENTIONAL, 0, 2, WB | UC }, { EFI_MT_CONVENTIONAL, 0x1000, 2, WB } },
	  2, { R(0, 0x1000, USABLE, WB | UC), R(0x1000, 0x2000, USABLE, WB) } },
	{ "zero-length entries are dropped, even inside others", 0, 0, 3,
	  { { EFI_MT_RESERVED, 0x3000, 0, UC }, { EFI_MT_CONVENTIONAL, 0, 16, WB },
	    { EFI_MT_MMIO, 0x80000, 0, UC } },
	  1, { R(0, 0x10000, USABLE, WB) } },
	{ "unknown, OEM and OS types are reserved (and merge)", 0, 0, 4,
	  { { EFI_MT_COUNT, 0x1000, 1, UC }, { 0x70000000, 0x2000, 1, UC },
	    { 0x80000000, 0x3000, 1, UC }, { EFI_MT_RESERVED, 0x4000, 1, UC } },
	  1, { R(0x1000, 0x4000, RESERVED, UC) } },
	{ "every EFI type converts", 0, 0, 15,
	  { { EFI_MT_RESERVED, 0x00000, 1, 0 }, { EFI_MT_LOADER_CODE, 0x02000, 1, 0 },
	    { EFI_MT_LOADER_DATA, 0x04000, 1, 0 },
	    { EFI_MT_BOOT_SERVICES_CODE, 0x06000, 1, 0 },
	    { EFI_MT_BOOT_SERVICES_DATA, 0x08000, 1, 0 },
	    { EFI_MT_RUNTIME_SERVICES_CODE, 0x0a000, 1, 0 },
	    { EFI_MT_RUNTIME_SERVICES_DATA, 0x0c000, 1, 0 },
	    { EFI_MT_CONVENTIONAL, 0x0e000, 1, 0 }, { EFI_MT_UNUSABLE, 0x10000, 1, 0 },
	    { EFI_MT_ACPI_RECLAIM, 0x12000, 1, 0 }, { EFI_MT_ACPI_NVS, 0x14000, 1, 0 },
	    { EFI_MT_MMIO, 0x16000, 1, 0 }, { EFI_MT_MMIO_PORT_SPACE, 0x18000, 1, 0 },
	    { EFI_MT_PAL_CODE, 0x1a000, 1, 0 }, { EFI_MT_PERSISTENT, 0x1c000, 1, 0 } },
	  15, { R(0x00000, 0x1000, RESERVED, 0), R(0x02000, 0x1000, NESTVISOR, 0),
		R(0x04000, 0x1000, NESTVISOR, 0), R(0x06000, 0x1000, BOOT_SERVICES, 0),
		R(0x08000, 0x1000, BOOT_SERVICES, 0), R(0x0a000, 0x1000, RUNTIME_CODE, 0),
		R(0x0c000, 0x1000, RUNTIME_DATA, 0), R(0x0e000, 0x1000, USABLE, 0),
		R(0x10000, 0x1000, RESERVED, 0), R(0x12000, 0x1000, ACPI_RECLAIM, 0),
		R(0x14000, 0x1000, ACPI_NVS, 0), R(0x16000, 0x1000, MMIO, 0),
		R(0x18000, 0x1000, MMIO, 0), R(0x1a000, 0x1000, RESERVED, 0),
		R(0x1c000, 0x1000, RESERVED, 0) } },
	{ "adjacent equal regions merge", 0, 0, 3,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x3000, 2, WB },
	    { EFI_MT_CONVENTIONAL, 0x2000, 1, WB } },
	  1, { R(0x1000, 0x4000, USABLE, WB) } },
	{ "adjacent with different attrs stay apart", 0, 0, 2,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x2000, 1, WB | UC } },
	  2, { R(0x1000, 0x1000, USABLE, WB), R(0x2000, 0x1000, USABLE, WB | UC) } },
	{ "adjacent with different types stay apart", 0, 0, 2,
	  { { EFI_MT_BOOT_SERVICES_DATA, 0x1000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x2000, 1, WB } },
	  2, { R(0x1000, 0x1000, BOOT_SERVICES, WB), R(0x2000, 0x1000, USABLE, WB) } },
	{ "a gap keeps equal regions apart", 0, 0, 2,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x3000, 1, WB } },
	  2, { R(0x1000, 0x1000, USABLE, WB), R(0x3000, 0x1000, USABLE, WB) } },
	{ "only the cache bits of Attribute are kept", 0, 0, 1,
	  { { EFI_MT_RUNTIME_SERVICES_CODE, 0x1000, 1,
	      EFI_MEMORY_RUNTIME | EFI_MEMORY_XP | 0x1f } },
	  1, { R(0x1000, 0x1000, RUNTIME_CODE, 0xf) } },
	{ "48-byte descriptors with junk in the tail", 48, 0, 2,
	  { { EFI_MT_CONVENTIONAL, 0, 16, WB }, { EFI_MT_RESERVED, 0x4000, 2, WB } },
	  3, { R(0, 0x4000, USABLE, WB), R(0x4000, 0x2000, RESERVED, WB),
	       R(0x6000, 0xa000, USABLE, WB) } },
	{ "56-byte descriptors with junk in the tail", 56, 0, 3,
	  { { EFI_MT_ACPI_NVS, 0x9000, 1, UC }, { EFI_MT_CONVENTIONAL, 0x1000, 2, WB },
	    { EFI_MT_LOADER_CODE, 0x3000, 1, WB } },
	  3, { R(0x1000, 0x2000, USABLE, WB), R(0x3000, 0x1000, NESTVISOR, WB),
	       R(0x9000, 0x1000, ACPI_NVS, UC) } },
	{ "44-byte descriptors: misaligned entries are read safely", 44, 0, 2,
	  { { EFI_MT_ACPI_RECLAIM, 0x7000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x1000, 2, WB } },
	  2, { R(0x1000, 0x2000, USABLE, WB), R(0x7000, 0x1000, ACPI_RECLAIM, WB) } },
	{ "a range wrapping past 2^64 is clipped", 0, 0, 1,
	  { { EFI_MT_MMIO, 0xfffffffffff00000ull, 0x1000, UC } },
	  1, { R(0xfffffffffff00000ull, TOP - 0xfffffffffff00000ull, MMIO, UC) } },
	{ "a page count whose byte size overflows is clipped", 0, 0, 1,
	  { { EFI_MT_RESERVED, 0x1000, BIT(60), UC } },
	  1, { R(0x1000, TOP - 0x1000, RESERVED, UC) } },
	{ "an entry in the last page below 2^64 is dropped", 0, 0, 2,
	  { { EFI_MT_RESERVED, TOP, 1, UC }, { EFI_MT_CONVENTIONAL, 0x1000, 1, WB } },
	  1, { R(0x1000, 0x1000, USABLE, WB) } },
	{ "more regions than cap -> -1", 0, 2, 3,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB }, { EFI_MT_RESERVED, 0x3000, 1, WB },
	    { EFI_MT_CONVENTIONAL, 0x5000, 1, WB } },
	  -1, { { 0 } } },
	{ "exactly cap regions fit", 0, 3, 3,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB }, { EFI_MT_RESERVED, 0x3000, 1, WB },
	    { EFI_MT_CONVENTIONAL, 0x5000, 1, WB } },
	  3, { R(0x1000, 0x1000, USABLE, WB), R(0x3000, 0x1000, RESERVED, WB),
	       R(0x5000, 0x1000, USABLE, WB) } },
	{ "cap limits output, not input: 4 entries merge into cap 1", 0, 1, 4,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x2000, 1, WB },
	    { EFI_MT_CONVENTIONAL, 0x3000, 1, WB }, { EFI_MT_CONVENTIONAL, 0x4000, 1, WB } },
	  1, { R(0x1000, 0x4000, USABLE, WB) } },
	{ "desc_size below the struct -> -1", 32, 0, 1,
	  { { EFI_MT_CONVENTIONAL, 0x1000, 1, WB } }, -1, { { 0 } } },
};

/* Lays the descriptors out as firmware would, junk in every spare byte. */
static u64 build_map(u8 *buf, u64 desc_size, const struct desc *in, unsigned nr)
{
	memset(buf, JUNK, nr * desc_size);
	for (unsigned i = 0; i < nr; i++) {
		struct efi_memory_descriptor d = {
			.type = in[i].type,
			.pad = 0xdeadbeef,
			.phys_start = in[i].base,
			.virt_start = 0xbad0bad0bad0bad0ull,
			.num_pages = in[i].pages,
			.attribute = in[i].attr,
		};

		memcpy(buf + i * desc_size, &d, MIN(sizeof(d), desc_size));
	}
	return nr * desc_size;
}

static bool regions_equal(const struct mem_region *got,
			  const struct mem_region *want, int n)
{
	for (int i = 0; i < n; i++)
		if (got[i].base != want[i].base || got[i].size != want[i].size ||
		    got[i].type != want[i].type || got[i].attr != want[i].attr) {
			report_info("region %d: got [0x%lx +0x%lx %s attr 0x%x], want "
				    "[0x%lx +0x%lx %s attr 0x%x]", i, got[i].base,
				    got[i].size, region_type_name(got[i].type),
				    got[i].attr, want[i].base, want[i].size,
				    region_type_name(want[i].type), want[i].attr);
			return false;
		}
	return true;
}

static void run_case(const struct map_case *c)
{
	static u8 buf[MAX_DESCS * 64];
	struct mem_region out[MAX_WANT];
	u64 desc_size = c->desc_size ? c->desc_size : sizeof(struct efi_memory_descriptor);
	u64 size = build_map(buf, desc_size, c->in, c->nr);
	int n;

	n = memmap_convert(buf, size, desc_size, out, c->cap ? c->cap : CAP_DEFAULT);
	report(n == c->want_n && regions_equal(out, c->want, n),
	       "%s: %d regions (got %d)", c->what, c->want_n, n);
}

static void test_odd_sizes(void)
{
	static const struct desc in[] = {
		{ EFI_MT_CONVENTIONAL, 0x1000, 1, WB },
		{ EFI_MT_CONVENTIONAL, 0x5000, 1, WB },
	};
	u8 buf[2 * sizeof(struct efi_memory_descriptor)];
	struct mem_region out[4];
	u64 size = build_map(buf, sizeof(struct efi_memory_descriptor), in, 2);

	report(memmap_convert(buf, size, 0, out, 4) == -1,
	       "desc_size 0 -> -1");
	report(memmap_convert(buf, size - 1, sizeof(struct efi_memory_descriptor),
			      out, 4) == 1 && out[0].base == 0x1000,
	       "a trailing partial descriptor is ignored");
	report(memmap_convert(NULL, 0, sizeof(struct efi_memory_descriptor), out, 0) == 0,
	       "an empty map fits in cap 0");
}

/* Something shaped like OVMF's map, for the totals. */
static void test_totals(void)
{
	static const struct desc in[] = {
		{ EFI_MT_BOOT_SERVICES_CODE, 0x0, 1, UC | WB },
		{ EFI_MT_CONVENTIONAL, 0x1000, 0x9f, UC | WB },
		{ EFI_MT_LOADER_CODE, 0x100000, 0x20, UC | WB },
		{ EFI_MT_CONVENTIONAL, 0x120000, 0x7ee0, UC | WB },
		{ EFI_MT_ACPI_NVS, 0x8000000, 0x10, UC | WB },
		{ EFI_MT_BOOT_SERVICES_DATA, 0x8010000, 0x100, UC | WB },
		{ EFI_MT_RUNTIME_SERVICES_DATA, 0x8110000, 0x80, UC | WB },
		{ EFI_MT_MMIO, 0xffc00000, 0x400, UC },
		{ EFI_MT_RESERVED, 0xfeffc000, 4, UC },
	};
	static const struct {
		enum region_type type;
		u64 bytes;
	} want[] = {
		{ REGION_USABLE, (0x9full + 0x7ee0) << 12 },
		{ REGION_BOOT_SERVICES, (1ull + 0x100) << 12 },
		{ REGION_NESTVISOR, 0x20ull << 12 },
		{ REGION_RUNTIME_CODE, 0 },
		{ REGION_RUNTIME_DATA, 0x80ull << 12 },
		{ REGION_ACPI_NVS, 0x10ull << 12 },
		{ REGION_MMIO, 0x400ull << 12 },
		{ REGION_RESERVED, 4ull << 12 },
	};
	u8 buf[ARRAY_SIZE(in) * 48];
	struct mem_region out[16];
	u64 size = build_map(buf, 48, in, ARRAY_SIZE(in));
	int n = memmap_convert(buf, size, 48, out, ARRAY_SIZE(out));

	report(n == (int)ARRAY_SIZE(in), "OVMF-like map converts to %zu regions (got %d)",
	       ARRAY_SIZE(in), n);
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		u64 got = memmap_total(out, n < 0 ? 0 : n, want[i].type);

		report(got == want[i].bytes, "total %s: 0x%lx bytes (got 0x%lx)",
		       region_type_name(want[i].type), want[i].bytes, got);
	}
}

static void test_names(void)
{
	static const char *const want[REGION_TYPE_COUNT] = {
		"usable", "boot-services", "nestvisor", "runtime-code", "runtime-data",
		"acpi-reclaim", "acpi-nvs", "mmio", "reserved",
	};

	for (unsigned t = 0; t < REGION_TYPE_COUNT; t++)
		report(strcmp(region_type_name(t), want[t]) == 0,
		       "region_type_name(%u) is \"%s\" (got \"%s\")", t, want[t],
		       region_type_name(t));
	report(strcmp(region_type_name(REGION_TYPE_COUNT), "invalid") == 0,
	       "region_type_name out of range is \"invalid\"");
}

void run_tests(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	test_odd_sizes();
	test_totals();
	test_names();
}
