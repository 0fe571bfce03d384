/* UEFI memory map -> region list.
 *
 * Firmware maps come unsorted, may overlap and may use descriptors larger
 * than the struct. Rather than sort and patch, sweep the address space:
 * every descriptor start and end is a boundary, and each stretch between
 * two neighbouring boundaries takes the highest type among the descriptors
 * covering it. Finding the next boundary rescans the map, O(n^2) for a few
 * hundred descriptors, and needs no memory beyond the output array, which
 * comes out sorted and merged as it is written. */
#include "memmap.h"
#include "../lib/string.h"

/* The cacheability bits, which UEFI and REGION_ATTR_* number alike. */
#define REGION_ATTR_CACHE (REGION_ATTR_UC | REGION_ATTR_WC | REGION_ATTR_WT | \
			   REGION_ATTR_WB)

/* Ranges are clipped to end here, dropping the last page below 2^64, so
 * every end is representable; physical addresses stop at 2^52 anyway
 * (SDM Vol. 3A, 4.1.4: MAXPHYADDR is at most 52). */
#define MEMMAP_END_LIMIT (0ull - PAGE_SIZE)
#define NO_BOUNDARY (~0ull)	/* above every end, so never a real boundary */

static const enum region_type efi_region_type[EFI_MT_COUNT] = {
	[EFI_MT_RESERVED] = REGION_RESERVED,
	[EFI_MT_LOADER_CODE] = REGION_NESTVISOR,
	[EFI_MT_LOADER_DATA] = REGION_NESTVISOR,
	[EFI_MT_BOOT_SERVICES_CODE] = REGION_BOOT_SERVICES,
	[EFI_MT_BOOT_SERVICES_DATA] = REGION_BOOT_SERVICES,
	[EFI_MT_RUNTIME_SERVICES_CODE] = REGION_RUNTIME_CODE,
	[EFI_MT_RUNTIME_SERVICES_DATA] = REGION_RUNTIME_DATA,
	[EFI_MT_CONVENTIONAL] = REGION_USABLE,
	[EFI_MT_UNUSABLE] = REGION_RESERVED,
	[EFI_MT_ACPI_RECLAIM] = REGION_ACPI_RECLAIM,
	[EFI_MT_ACPI_NVS] = REGION_ACPI_NVS,
	[EFI_MT_MMIO] = REGION_MMIO,
	[EFI_MT_MMIO_PORT_SPACE] = REGION_MMIO,
	[EFI_MT_PAL_CODE] = REGION_RESERVED,
	[EFI_MT_PERSISTENT] = REGION_RESERVED,
};

static const char *const region_names[REGION_TYPE_COUNT] = {
	[REGION_USABLE] = "usable",
	[REGION_BOOT_SERVICES] = "boot-services",
	[REGION_NESTVISOR] = "nestvisor",
	[REGION_RUNTIME_CODE] = "runtime-code",
	[REGION_RUNTIME_DATA] = "runtime-data",
	[REGION_ACPI_RECLAIM] = "acpi-reclaim",
	[REGION_ACPI_NVS] = "acpi-nvs",
	[REGION_MMIO] = "mmio",
	[REGION_RESERVED] = "reserved",
};

const char *region_type_name(enum region_type type)
{
	if ((unsigned)type >= REGION_TYPE_COUNT || !region_names[type])
		return "invalid";
	return region_names[type];
}

/* Descriptor i as a region [r->base, *end); false if it is empty. The
 * copy also frees the caller from the map's alignment. */
static bool desc_region(const void *map, u64 desc_size, u64 i,
			struct mem_region *r, phys_addr_t *end)
{
	struct efi_memory_descriptor d;
	u64 room;

	memcpy(&d, (const u8 *)map + i * desc_size, sizeof(d));
	if (d.num_pages == 0 || d.phys_start >= MEMMAP_END_LIMIT)
		return false;
	room = (MEMMAP_END_LIMIT - d.phys_start) >> UEFI_PAGE_SHIFT;
	r->base = d.phys_start;
	r->size = MIN(d.num_pages, room) << UEFI_PAGE_SHIFT;
	*end = r->base + r->size;
	if (r->size == 0)
		return false;
	r->type = d.type < EFI_MT_COUNT ? efi_region_type[d.type] : REGION_RESERVED;
	r->attr = d.attribute & REGION_ATTR_CACHE;
	return true;
}

/* Appends [base, end) to out, growing the last region when it continues
 * it exactly; false when that needs more than cap regions. */
static bool emit(struct mem_region *out, unsigned *n, unsigned cap,
		 phys_addr_t base, phys_addr_t end, enum region_type type,
		 u32 attr)
{
	struct mem_region *last = *n ? &out[*n - 1] : NULL;

	if (last && last->base + last->size == base && last->type == type &&
	    last->attr == attr) {
		last->size += end - base;
		return true;
	}
	if (*n == cap)
		return false;
	out[(*n)++] = (struct mem_region){ .base = base, .size = end - base,
					   .type = type, .attr = attr };
	return true;
}

int memmap_convert(const void *map, u64 map_size, u64 desc_size,
		   struct mem_region *out, unsigned cap)
{
	u64 count, i;
	phys_addr_t pos = MEMMAP_END_LIMIT, next, end;
	struct mem_region r, win = { 0 };
	unsigned n = 0;
	bool covered;

	if (desc_size < sizeof(struct efi_memory_descriptor))
		return -1;
	count = map_size / desc_size;

	for (i = 0; i < count; i++)
		if (desc_region(map, desc_size, i, &r, &end))
			pos = MIN(pos, r.base);

	/* pos is a boundary; find the next one and the winner in between. */
	for (;;) {
		next = NO_BOUNDARY;
		covered = false;
		for (i = 0; i < count; i++) {
			if (!desc_region(map, desc_size, i, &r, &end))
				continue;
			if (r.base > pos)
				next = MIN(next, r.base);
			if (end > pos)
				next = MIN(next, end);
			if (r.base > pos || end <= pos)
				continue;
			if (!covered || r.type > win.type) {
				win = r;
				covered = true;
			} else if (r.type == win.type) {
				/* Equal claims: keep only what all of them allow. */
				win.attr &= r.attr;
			}
		}
		if (next == NO_BOUNDARY)
			return n;
		if (covered && !emit(out, &n, cap, pos, next, win.type, win.attr))
			return -1;
		pos = next;
	}
}

u64 memmap_total(const struct mem_region *r, unsigned n, enum region_type type)
{
	u64 bytes = 0;

	for (unsigned i = 0; i < n; i++)
		if (r[i].type == type)
			bytes += r[i].size;
	return bytes;
}
