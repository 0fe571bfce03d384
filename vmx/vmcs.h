/* Building a VMCS for one of nestvisor's own guests (vmcs01): controls fitted
 * to the CPU, complete host state, and the guest entry state of
 * guests/lib/guest_abi.h (32-bit flat protected mode or real mode, paging
 * off, which needs "unrestricted guest"; SDM Vol. 3C, 26.8). */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include "vmx_caps.h"
#include "../boot/desc.h"

struct vmcs_setup {
	u64 eptp;
	u16 vpid;			/* 0: VPID not used */
	phys_addr_t msr_bitmap;
	unsigned apic_virt;		/* NV_APIC_VIRT_* (vmx/apic_virt.h) */
	phys_addr_t virtual_apic;	/* with NV_APIC_VIRT_CR8: the virtual-APIC page */
	u64 entry_rip;
	bool real_mode;			/* enter in real mode (CS:IP = 0:entry_rip) */
	u32 preemption_timer;		/* watchdog budget in timer ticks; 0 = none */
	const struct cpu_desc *host;	/* this CPU's GDT, TSS and IDT */
};

/* Allocates a VMCS region with the CPU's revision id, VMCLEARs and loads it;
 * returns its address, or 0 (with the reason printed) on failure. */
phys_addr_t vmcs_create(const struct vmx_caps *caps);

/* Fills the current VMCS; false, with the reason printed, when the CPU
 * lacks a control nestvisor needs. */
bool vmcs_setup_guest(const struct vmx_caps *caps, const struct vmcs_setup *s);

/* The host-state area of the current VMCS: nestvisor on this CPU, for
 * every VMCS it runs (vmcs01 and vmcs02 alike). */
void vmcs_setup_host(const struct cpu_desc *host);
/* After a VM exit: GDTR and IDTR limits were set to 0xffff (SDM 28.5.2);
 * put this CPU's back. */
void vmcs_restore_host_tables(const struct cpu_desc *host);

#endif
