/* What boot/ hands the rest of nestvisor after ExitBootServices: plain data,
 * no EFI types. Everything here lives in memory nestvisor owns (the image or
 * EfiLoaderData), never in boot-services memory. */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include "../lib/types.h"
#include "../vmm/param.h"

/* Physical memory as nestvisor sees it. Ordered by how nestvisor may use it. */
enum region_type {
	REGION_USABLE,		/* free for the page allocator now */
	REGION_BOOT_SERVICES,	/* free once nestvisor has left the firmware's
				   stack, GDT, IDT and page tables */
	REGION_NESTVISOR,	/* the image and what boot/ allocated (loader code/data) */
	REGION_RUNTIME_CODE,	/* UEFI runtime services: mapped, executable */
	REGION_RUNTIME_DATA,	/* UEFI runtime services: mapped, not executable */
	REGION_ACPI_RECLAIM,	/* ACPI tables */
	REGION_ACPI_NVS,
	REGION_MMIO,		/* device memory: mapped uncacheable */
	REGION_RESERVED,	/* anything else: never touched */
	REGION_TYPE_COUNT
};

/* Cacheability the firmware says a region supports (UEFI EFI_MEMORY_xx). */
#define REGION_ATTR_UC BIT(0)
#define REGION_ATTR_WC BIT(1)
#define REGION_ATTR_WT BIT(2)
#define REGION_ATTR_WB BIT(3)

struct mem_region {
	phys_addr_t base;
	u64 size;
	enum region_type type;
	u32 attr;
};

struct boot_cpu {
	u32 apic_id;
	bool bsp;
	bool enabled;
};

/* A file from the ESP's \guests folder (test guest images), in loader data. */
#define BOOT_FILE_NAME_MAX 32
struct boot_file {
	char name[BOOT_FILE_NAME_MAX];	/* e.g. "basic64.bin" */
	const void *data;
	u64 size;
};

struct boot_info {
	/* Sorted by base, non-overlapping, adjacent equal regions merged. */
	struct mem_region regions[MAX_MEM_REGIONS];
	unsigned nr_regions;

	/* The loaded image, for NX mapping and readable crash addresses. */
	phys_addr_t image_base;
	u64 image_size;

	/* The config file (\nestvisor.cfg on the ESP) and the image's load
	 * options, both as NUL-terminated ASCII; NULL when absent. */
	const char *config_text;
	const char *cmdline;

	/* Every file of \guests on the ESP. */
	struct boot_file files[MAX_BOOT_FILES];
	unsigned nr_files;

	/* ACPI RSDP from the UEFI configuration table; 0 when there is none
	 * (Bochs + OVMF publish no ACPI tables: see platform.md). */
	phys_addr_t rsdp;

	/* CPUs as UEFI MP Services reported them before ExitBootServices;
	 * used when there is no MADT. */
	struct boot_cpu mp_cpus[MAX_CPUS];
	unsigned nr_mp_cpus;

	/* Reserved before ExitBootServices for what must live low. */
	phys_addr_t ap_trampoline;	/* one page below 1 MiB */
	phys_addr_t pml4_low;		/* host page-table root below 4 GiB */

	/* The TSC at efi_main's first statement and right after a successful
	 * ExitBootServices: where nestvisor's boot cost starts (vmm/bench.c).
	 * Under Bochs a TSC tick is one emulated instruction. */
	u64 tsc_entry;
	u64 tsc_exit_boot_services;
};

const char *region_type_name(enum region_type type);

#endif
