#include "guest.h"
#include "console.h"
#include "elf_load.h"
#include "flat_load.h"
#include "../guests/lib/guest_abi.h"
#include "../lib/fmt.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../mm/page_alloc.h"
#include "../vmx/msr_bitmap.h"

static void *ept_table(void)
{
	return page_alloc(0, 0);
}

const u32 guest_syscall_msrs[5] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KERNEL_GS_BASE,
};

const struct boot_file *guest_find_image(const struct boot_info *bi, const char *name)
{
	static const char *const suffixes[] = { ".bin", ".elf" };
	char file[BOOT_FILE_NAME_MAX];

	for (unsigned s = 0; s < ARRAY_SIZE(suffixes); s++) {
		fmt_snprintf(file, sizeof(file), "%s%s", name, suffixes[s]);
		for (unsigned i = 0; i < bi->nr_files; i++)
			if (!strcmp(bi->files[i].name, file))
				return &bi->files[i];
	}
	return NULL;
}

void guest_boot_info_fill(struct guest_boot_info *bi, unsigned nr_cpus, u32 mem_size,
			  u32 flags, const char *cmdline)
{
	for (unsigned i = 0; i < nr_cpus; i++) {
		memset(&bi[i], 0, sizeof(bi[i]));
		bi[i].magic = GUEST_BOOT_MAGIC;
		bi[i].mem_size = mem_size;
		bi[i].cpu_index = i;
		bi[i].flags = flags;
		bi[i].nr_cpus = nr_cpus;
		memcpy(bi[i].cmdline, cmdline, MIN(strlen(cmdline), GUEST_CMDLINE_SIZE - 1));
	}
}

static const u32 vmcs_switched_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

void *guest_ptr(const struct guest *g, u64 gpa, u64 len)
{
	if (gpa >= g->mem_size || len > g->mem_size - gpa)
		return NULL;
	return (u8 *)g->memory + gpa;
}

bool guest_create(struct guest *g, const char *name, const struct boot_file *image,
		  u64 mem_size, unsigned nr_vcpus)
{
	struct guest_boot_info *bi;
	const char *why;
	void *dst;

	memset(g, 0, sizeof(*g));
	memcpy(g->name, name, MIN(strlen(name), GUEST_NAME_MAX - 1));
	g->mem_size = MAX(mem_size, (u64)GUEST_MIN_MEM);
	g->mem_order = page_order_for(g->mem_size);
	g->memory = page_alloc(g->mem_order, 0);	/* zeroed: guests rely on it */
	g->msr_bitmap = page_alloc(0, 0);
	if (!g->memory || !g->msr_bitmap || !ept_init(&g->ept, ept_table) ||
	    !ept_map(&g->ept, 0, ptr_to_phys(g->memory), g->mem_size, EPT_RWX)) {
		pr_err("guest %s: out of memory for %lu MiB of guest RAM", name, g->mem_size >> 20);
		guest_destroy(g);
		return false;
	}
	_Static_assert(GUEST_VCPUS_MAX == GUEST_MAX_CPUS, "one limit for guest vCPUs");
	g->nr_vcpus = MAX(1u, MIN(nr_vcpus, (unsigned)GUEST_VCPUS_MAX));
	bi = guest_ptr(g, GUEST_BOOT_INFO_ADDR, g->nr_vcpus * sizeof(*bi));
	if (elf_is_elf(image->data, image->size)) {
		if (!elf64_load(image->data, image->size, g->memory, g->mem_size, &g->entry, &why)) {
			pr_err("guest %s: ELF image refused: %s", name, why);
			guest_destroy(g);
			return false;
		}
		g->mode = GUEST_MODE_PROT32;
		pr_info("guest %s: ELF64 image loaded, entry 0x%lx", name, g->entry);
	} else {
		struct flat_image im;

		if (!flat_parse(image->data, image->size, g->mem_size, &im, &why)) {
			pr_err("guest %s: flat image of %lu bytes refused: %s", name, image->size, why);
			guest_destroy(g);
			return false;
		}
		dst = guest_ptr(g, im.load_addr, image->size);
		memcpy(dst, image->data, image->size);
		g->entry = im.entry;
		g->mode = im.mode;
		if (im.mode != GUEST_MODE_PROT32)
			pr_info("guest %s: %s image at 0x%x, entry 0x%x", name,
				guest_mode_name(im.mode), im.load_addr, im.entry);
	}
	guest_boot_info_fill(bi, g->nr_vcpus, (u32)g->mem_size, 0, name);

	/* The allow list: EFER (loaded and saved by VM entry and exit) and the
	 * SYSCALL MSRs (switched by vcpu_run) pass through; the virtual APIC's
	 * exit to vmm/vlapic.c; everything else exits and faults. */
	msr_bitmap_intercept_all(g->msr_bitmap);
	msr_bitmap_allow(g->msr_bitmap, MSR_IA32_EFER, MSR_BITMAP_READ | MSR_BITMAP_WRITE);
	/* FS/GS bases and SYSENTER: the VMCS saves the guest's on every exit
	 * and loads nestvisor's (SDM 28.3.2, 28.5.1), so a guest may own them. */
	for (unsigned i = 0; i < ARRAY_SIZE(vmcs_switched_msrs); i++)
		msr_bitmap_allow(g->msr_bitmap, vmcs_switched_msrs[i], MSR_BITMAP_READ | MSR_BITMAP_WRITE);
	for (unsigned i = 0; i < ARRAY_SIZE(guest_syscall_msrs); i++)
		msr_bitmap_allow(g->msr_bitmap, guest_syscall_msrs[i], MSR_BITMAP_READ | MSR_BITMAP_WRITE);
	return true;
}

void guest_destroy(struct guest *g)
{
	ept_destroy(&g->ept, page_free);
	if (g->memory)
		page_free(g->memory);
	if (g->msr_bitmap)
		page_free(g->msr_bitmap);
	g->memory = NULL;
	g->msr_bitmap = NULL;
}
