/* A guest: its memory, EPT and image (guests/lib/guest_abi.h is the
 * contract with the test guests). */
#ifndef VMM_GUEST_H
#define VMM_GUEST_H

#include "../boot/boot_info.h"
#include "../mm/ept.h"
#include "../guests/lib/guest_abi.h"

#define GUEST_NAME_MAX 32
#define GUEST_VCPUS_MAX 8

struct vcpu;

struct guest {
	char name[GUEST_NAME_MAX];
	void *memory;			/* host view of guest-physical 0 */
	u64 mem_size;
	unsigned mem_order;		/* memory is one 2^mem_order-page block */
	struct ept ept;
	u8 *msr_bitmap;
	u64 entry;			/* guest-physical entry point */
	enum guest_mode mode;		/* the CPU mode it is entered in */
	bool nested;			/* offered VMX as an L1 (vmx/nested.h) */
	int nested_vmwrite_any;		/* -1 as the CPU, 0 off, 1 on */
	bool nested_shadow;		/* use VMCS shadowing for it where the CPU can */

	/* Its vCPUs, by index (= x2APIC ID); set while each one runs. */
	struct vcpu *volatile vcpus[GUEST_VCPUS_MAX];
	unsigned nr_vcpus;
	/* Set when vCPU 0 has ended: the other vCPUs stop at their next exit. */
	volatile bool ending;
};

/* Loads the image file into fresh, zeroed guest memory of mem_size bytes
 * (an ELF64 executable by its PT_LOAD segments, anything else as a flat
 * binary where its header says, vmm/flat_load.h) with a boot info per vCPU, and builds the EPT
 * and MSR bitmap. False, with the reason printed, if it cannot. */
bool guest_create(struct guest *g, const char *name, const struct boot_file *image,
		  u64 mem_size, unsigned nr_vcpus);
void guest_destroy(struct guest *g);

/* \guests\NAME.bin (flat) or, failing that, \guests\NAME.elf (ELF64);
 * NULL if the boot volume has neither. */
const struct boot_file *guest_find_image(const struct boot_info *bi, const char *name);

/* Writes the boot infos of nr_cpus vCPUs (guest_abi.h) at bi: vCPU i's
 * cpu_index is i, the rest the same for all. */
void guest_boot_info_fill(struct guest_boot_info *bi, unsigned nr_cpus, u32 mem_size,
			  u32 flags, const char *cmdline);

/* MSRs a guest owns that the VMCS does not switch: passed through, and
 * swapped around every entry by vcpu_run(). */
extern const u32 guest_syscall_msrs[5];

/* The host address of guest-physical [gpa, gpa + len), or NULL if any of it
 * lies outside the guest's memory: every guest pointer goes through here. */
void *guest_ptr(const struct guest *g, u64 gpa, u64 len);

#endif
