/* The UEFI application: the only code that talks to the firmware. It
 * gathers what nestvisor needs while boot services exist (config file, load
 * options, RSDP, CPU list, low pages, memory map), leaves boot services, and
 * hands vmm_main() a plain struct boot_info. */
#include <efi.h>
#include "boot_info.h"
#include "efi_internal.h"
#include "efi_mp.h"
#include "memmap.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../vmm/console.h"
#include "../vmm/main.h"

#define CONFIG_PATH L"\\nestvisor.cfg"
#define GUESTS_DIR L"\\guests"
#define MAX_CONFIG_BYTES (64 * 1024)
#define MAX_CMDLINE_CHARS 1024
/* The AP start-up vector is a page number below 1 MiB, outside the legacy
 * video/ROM area 0xA0000-0xBFFFF (SDM Vol. 3, 9.4.4.1 and 11.6.1). */
#define AP_TRAMPOLINE_MAX 0x9f000
#define LOW32_MAX 0xfffff000
/* Room for the descriptors the map gains between sizing and fetching it. */
#define MEMMAP_SLACK_DESCS 16

static struct boot_info boot_info;
static EFI_BOOT_SERVICES *bs;

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID mp_guid = EFI_MP_SERVICES_PROTOCOL_GUID;

static void *alloc_pool(UINTN size)
{
	void *p = NULL;

	/* EfiLoaderData survives ExitBootServices: it is nestvisor's memory. */
	if (uefi_call_wrapper(bs->AllocatePool, 3, EfiLoaderData, size, &p) != EFI_SUCCESS)
		return NULL;
	return p;
}

static phys_addr_t alloc_page_below(EFI_PHYSICAL_ADDRESS max, const char *what)
{
	EFI_PHYSICAL_ADDRESS a = max;

	if (uefi_call_wrapper(bs->AllocatePages, 4, AllocateMaxAddress,
			      EfiLoaderData, 1, &a) != EFI_SUCCESS) {
		pr_err("boot: cannot reserve a page below 0x%lx for %s", (u64)max, what);
		return 0;
	}
	memset(phys_to_ptr(a), 0, PAGE_SIZE);
	return a;
}

/* UCS-2 to ASCII; stops at NUL or at the first non-printable character, since
 * firmware boot entries may pass binary data as load options. */
static char *ascii_from_ucs2(const CHAR16 *s, UINTN chars)
{
	char *out = alloc_pool(chars + 1);
	UINTN i;

	if (!out)
		return NULL;
	for (i = 0; i < chars && s[i] >= 0x20 && s[i] < 0x7f; i++)
		out[i] = (char)s[i];
	out[i] = '\0';
	return out;
}

static EFI_FILE_HANDLE open_root(EFI_LOADED_IMAGE *image)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;

	if (uefi_call_wrapper(bs->HandleProtocol, 3, image->DeviceHandle, &fs_guid,
			      (void **)&fs) != EFI_SUCCESS ||
	    uefi_call_wrapper(fs->OpenVolume, 2, fs, &root) != EFI_SUCCESS)
		return NULL;
	return root;
}

/* Reads up to max bytes of dir\path into loader data, NUL-terminated. */
static char *read_file(EFI_FILE_HANDLE dir, CHAR16 *path, u64 max, u64 *size_out)
{
	EFI_FILE_HANDLE file;
	UINT8 info_buf[sizeof(EFI_FILE_INFO) + 256];
	UINTN size = sizeof(info_buf);
	char *data = NULL;

	if (!dir || uefi_call_wrapper(dir->Open, 5, dir, &file, path, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return NULL;
	if (uefi_call_wrapper(file->GetInfo, 4, file, &file_info_guid, &size,
			      info_buf) == EFI_SUCCESS) {
		size = ((EFI_FILE_INFO *)info_buf)->FileSize;
		if (size > max) {
			pr_warn("boot: a file is %lu bytes; reading the first %lu", (u64)size, max);
			size = max;
		}
		data = alloc_pool(size + 1);
		if (data && uefi_call_wrapper(file->Read, 3, file, &size, data) == EFI_SUCCESS) {
			data[size] = '\0';
			*size_out = size;
		} else {
			data = NULL;
		}
	}
	uefi_call_wrapper(file->Close, 1, file);
	return data;
}

/* Every regular file in \guests: the test guest images. */
static void read_guest_files(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	EFI_FILE_HANDLE dir;
	UINT8 info_buf[sizeof(EFI_FILE_INFO) + 256];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;

	if (!root || uefi_call_wrapper(root->Open, 5, root, &dir, GUESTS_DIR,
				       EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return;
	for (;;) {
		UINTN size = sizeof(info_buf);
		struct boot_file *f = &bi->files[bi->nr_files];
		unsigned i;

		/* Reading a directory yields one EFI_FILE_INFO per call; 0 bytes at the end. */
		if (uefi_call_wrapper(dir->Read, 3, dir, &size, info_buf) != EFI_SUCCESS || !size)
			break;
		if (info->Attribute & EFI_FILE_DIRECTORY)
			continue;
		if (bi->nr_files == MAX_BOOT_FILES) {
			pr_warn("boot: more than %u files in \\guests; ignoring the rest", MAX_BOOT_FILES);
			break;
		}
		for (i = 0; i + 1 < BOOT_FILE_NAME_MAX && info->FileName[i]; i++)
			f->name[i] = info->FileName[i] < 0x80 ? (char)info->FileName[i] : '?';
		f->name[i] = '\0';
		f->data = read_file(dir, info->FileName, MAX_BOOT_FILE_BYTES, &f->size);
		if (f->data)
			bi->nr_files++;
	}
	uefi_call_wrapper(dir->Close, 1, dir);
}

static phys_addr_t find_rsdp(EFI_SYSTEM_TABLE *st)
{
	phys_addr_t acpi10 = 0;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (!memcmp(&t->VendorGuid, &acpi20_guid, sizeof(EFI_GUID)))
			return ptr_to_phys(t->VendorTable);
		if (!memcmp(&t->VendorGuid, &acpi10_guid, sizeof(EFI_GUID)))
			acpi10 = ptr_to_phys(t->VendorTable);
	}
	return acpi10;
}

static void read_mp_cpus(struct boot_info *bi)
{
	EFI_MP_SERVICES_PROTOCOL *mp;
	UINTN count, enabled;

	if (uefi_call_wrapper(bs->LocateProtocol, 3, &mp_guid, NULL, (void **)&mp) != EFI_SUCCESS ||
	    uefi_call_wrapper(mp->GetNumberOfProcessors, 3, mp, &count, &enabled) != EFI_SUCCESS) {
		pr_info("boot: no UEFI MP Services protocol");
		return;
	}
	if (count > MAX_CPUS) {
		pr_warn("boot: firmware reports %lu CPUs; nestvisor handles %u",
			(u64)count, MAX_CPUS);
		count = MAX_CPUS;
	}
	for (UINTN i = 0; i < count; i++) {
		EFI_PROCESSOR_INFORMATION info;
		struct boot_cpu *c = &bi->mp_cpus[bi->nr_mp_cpus];

		if (uefi_call_wrapper(mp->GetProcessorInfo, 3, mp, i, &info) != EFI_SUCCESS)
			continue;
		c->apic_id = (u32)info.ProcessorId;
		c->bsp = info.StatusFlag & PROCESSOR_AS_BSP_BIT;
		c->enabled = info.StatusFlag & PROCESSOR_ENABLED_BIT;
		bi->nr_mp_cpus++;
	}
	pr_info("boot: UEFI MP Services: %u CPUs (%lu enabled)", bi->nr_mp_cpus, (u64)enabled);
}

/* Gets the final memory map and leaves boot services. After a failed
 * ExitBootServices only GetMemoryMap and ExitBootServices may be called
 * (UEFI spec 7.4), so the buffer is sized with slack beforehand. */
static bool exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN map_size = 0, key, desc_size, cap;
	UINT32 desc_version;
	void *map;
	EFI_STATUS s;
	int n;

	uefi_call_wrapper(bs->GetMemoryMap, 5, &map_size, NULL, &key, &desc_size, &desc_version);
	cap = map_size + MEMMAP_SLACK_DESCS * desc_size;
	map = alloc_pool(cap);
	if (!map)
		return false;
	for (int attempt = 0; attempt < 2; attempt++) {
		map_size = cap;
		s = uefi_call_wrapper(bs->GetMemoryMap, 5, &map_size, map, &key,
				      &desc_size, &desc_version);
		if (s != EFI_SUCCESS)
			return false;
		s = uefi_call_wrapper(bs->ExitBootServices, 2, image, key);
		if (s == EFI_SUCCESS)
			break;
	}
	if (s != EFI_SUCCESS)
		return false;

	/* From here on nestvisor owns the machine. */
	bi->tsc_exit_boot_services = rdtsc();
	n = memmap_convert(map, map_size, desc_size, bi->regions, MAX_MEM_REGIONS);
	if (n < 0) {
		pr_err("boot: memory map does not fit %u regions (descriptor size %lu)",
		       MAX_MEM_REGIONS, (u64)desc_size);
		return false;
	}
	bi->nr_regions = n;
	return true;
}

EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *st);

/* gnu-efi's crt0 calls this with the SysV ABI: no EFIAPI (platform.md). */
EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *st)
{
	struct boot_info *bi = &boot_info;
	EFI_LOADED_IMAGE *image;
	EFI_FILE_HANDLE root;
	u64 config_size;

	/* First, so the boot cost counts everything nestvisor does. */
	bi->tsc_entry = rdtsc();
	bs = st->BootServices;
	/* nestvisor writes to COM1 itself and never through ConOut, which OVMF
	 * mirrors to COM1 too: every line appears once. */
	console_init();
	pr_info("nestvisor: a research hypervisor for nested VMX");

	if (uefi_call_wrapper(bs->HandleProtocol, 3, image_handle, &loaded_image_guid,
			      (void **)&image) != EFI_SUCCESS) {
		pr_err("boot: no loaded-image protocol");
		return EFI_LOAD_ERROR;
	}
	bi->image_base = ptr_to_phys(image->ImageBase);
	bi->image_size = image->ImageSize;
	root = open_root(image);
	bi->config_text = read_file(root, CONFIG_PATH, MAX_CONFIG_BYTES, &config_size);
	read_guest_files(root, bi);
	if (image->LoadOptionsSize)
		bi->cmdline = ascii_from_ucs2(image->LoadOptions,
					      MIN(image->LoadOptionsSize / 2, MAX_CMDLINE_CHARS));
	pr_info("boot: image at 0x%lx (%lu KiB), config %s, %u guest image%s", bi->image_base,
		bi->image_size / 1024, bi->config_text ? "\\nestvisor.cfg" : "absent",
		bi->nr_files, bi->nr_files == 1 ? "" : "s");

	bi->rsdp = find_rsdp(st);
	read_mp_cpus(bi);
	bi->ap_trampoline = alloc_page_below(AP_TRAMPOLINE_MAX, "the AP trampoline");
	bi->pml4_low = alloc_page_below(LOW32_MAX, "the page-table root");
	if (!bi->ap_trampoline || !bi->pml4_low)
		return EFI_OUT_OF_RESOURCES;

	efi_runtime_init(st->RuntimeServices);
	if (!exit_boot_services(image_handle, bi)) {
		pr_err("boot: ExitBootServices failed");
		return EFI_ABORTED;
	}
	vmm_main(bi);
}
