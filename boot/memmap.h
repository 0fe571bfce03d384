/* The UEFI memory map, converted once at the boundary into nestvisor's
 * sorted, non-overlapping region list (struct mem_region). Pure: the
 * caller fetches the map; the host unit tests feed synthetic ones. */
#ifndef BOOT_MEMMAP_H
#define BOOT_MEMMAP_H

#include "boot_info.h"

/* EFI_MEMORY_TYPE (UEFI 2.10, 7.2.1 EFI_BOOT_SERVICES.AllocatePages()). */
enum efi_memory_type {
	EFI_MT_RESERVED,
	EFI_MT_LOADER_CODE,
	EFI_MT_LOADER_DATA,
	EFI_MT_BOOT_SERVICES_CODE,
	EFI_MT_BOOT_SERVICES_DATA,
	EFI_MT_RUNTIME_SERVICES_CODE,
	EFI_MT_RUNTIME_SERVICES_DATA,
	EFI_MT_CONVENTIONAL,
	EFI_MT_UNUSABLE,
	EFI_MT_ACPI_RECLAIM,
	EFI_MT_ACPI_NVS,
	EFI_MT_MMIO,
	EFI_MT_MMIO_PORT_SPACE,
	EFI_MT_PAL_CODE,
	EFI_MT_PERSISTENT,
	EFI_MT_COUNT		/* the rest (OEM, OS) are never ours */
};

/* UEFI pages are 4 KiB whatever the CPU's paging uses (UEFI 2.10, 7.2.3). */
#define UEFI_PAGE_SHIFT 12

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2.3 GetMemoryMap()). Firmware may
 * report a larger descriptor size; always step through a map by that. */
struct efi_memory_descriptor {
	u32 type;
	u32 pad;
	u64 phys_start;
	u64 virt_start;
	u64 num_pages;
	u64 attribute;
};
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "EFI descriptor size");
_Static_assert(offsetof(struct efi_memory_descriptor, type) == 0, "Type");
_Static_assert(offsetof(struct efi_memory_descriptor, phys_start) == 8, "PhysicalStart");
_Static_assert(offsetof(struct efi_memory_descriptor, virt_start) == 16, "VirtualStart");
_Static_assert(offsetof(struct efi_memory_descriptor, num_pages) == 24, "NumberOfPages");
_Static_assert(offsetof(struct efi_memory_descriptor, attribute) == 32, "Attribute");

/* Converts a GetMemoryMap() result into at most cap sorted, non-overlapping,
 * merged regions (on overlap the more restrictive, higher type wins);
 * returns their count, or -1 if desc_size is too small or cap too few. */
int memmap_convert(const void *map, u64 map_size, u64 desc_size,
		   struct mem_region *out, unsigned cap);
/* (region_type_name(), defined in memmap.c, is declared in boot_info.h.) */

/* Bytes of the given type in r[0..n). */
u64 memmap_total(const struct mem_region *r, unsigned n, enum region_type type);

#endif
