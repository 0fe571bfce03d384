/* A vCPU's hardware APIC virtualization: the TPR shadow, "virtualize x2APIC
 * mode" and APIC-register virtualization where the CPU has them (the design
 * is in vmm/vapic.c). */
#ifndef VMM_VAPIC_H
#define VMM_VAPIC_H

#include "../vmx/vmx_caps.h"

struct vcpu;

/* Chooses v->apic_virt from the capabilities (none with v->apic_virt_off,
 * config apic_virt = off), allocates the vCPU's MSR bitmap and, with the
 * TPR shadow, its virtual-APIC page, and moves the vlapic's registers
 * there. Before the VMCS is set up (it names both pages); false, with the
 * reason printed, when out of memory. */
bool vapic_prepare(struct vcpu *v, const struct vmx_caps *c);

/* Before each VM entry, once the interrupt to inject is chosen: the TPR
 * threshold for what the TPR still holds back. */
void vapic_before_entry(struct vcpu *v);

/* After the guest changed IA32_APIC_BASE: the x2APIC MSRs the CPU serves
 * pass through only while the virtual APIC is in x2APIC mode. */
void vapic_apic_mode_changed(struct vcpu *v);

/* Frees what vapic_prepare() allocated (after the VMCS is done with). */
void vapic_release(struct vcpu *v);

#endif
