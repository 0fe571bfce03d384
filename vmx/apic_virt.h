/* Which of the CPU's APIC-virtualization features a vCPU uses (SDM Vol. 3C,
 * chapter 30 "APIC Virtualization and Virtual Interrupts"), chosen from the
 * capability MSRs. What the CPU lacks falls back to VM exits handled by
 * vmm/vlapic.c, so each combination runs; vmm/vapic.c carries the choice
 * out. Pure: host-tested. */
#ifndef VMX_APIC_VIRT_H
#define VMX_APIC_VIRT_H

#include "vmx_caps.h"
#include "../lib/hypercall.h"

/* The NV_APIC_VIRT_* features (lib/hypercall.h) the CPU offers: CR8 with
 * "use TPR shadow"; the TPR MSR with "virtualize x2APIC mode" as well,
 * which needs the TPR shadow (27.2.1.1); register reads with "APIC-register
 * virtualization" as well, which in x2APIC mode needs "virtualize x2APIC
 * mode" (30.5). "Virtual-interrupt delivery" is not used: interrupts are
 * injected by nestvisor. */
unsigned apic_virt_choose(const struct vmx_caps *c);

/* The primary processor-based controls features need: "use TPR shadow",
 * or without it CR8-load and CR8-store exiting, so that MOV CR8 never
 * reaches the real TPR (Table 25-6). */
u32 apic_virt_proc_controls(unsigned features);
/* The secondary ones: "virtualize x2APIC mode", "APIC-register
 * virtualization" (Table 25-7). */
u32 apic_virt_proc2_controls(unsigned features);

/* The choice in words, for the log: "TPR: CR8 and MSR 0x808 served by the
 * CPU", ... */
const char *apic_virt_describe(unsigned features);

#endif
