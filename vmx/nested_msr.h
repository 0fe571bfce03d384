/* vmcs12's MSR lists (SDM Vol. 3C 25.7.2, 25.8.2, Table 25-15), processed
 * in software: vmcs02 has none. The MSRs an L2 may own are those the VMX
 * transitions do not switch and nestvisor passes through: the SYSCALL MSRs
 * and KERNEL_GS_BASE (vmm/guest.c), kept per vCPU in v->syscall_msrs and
 * shared by L1 and L2 as on a real CPU. Every list address is an L1
 * guest-physical address, read through guest_ptr(). */
#ifndef VMX_NESTED_MSR_H
#define VMX_NESTED_MSR_H

#include "../lib/types.h"

struct vcpu;

/* Loads a VM-entry (27.4) or VM-exit (28.6) MSR-load list in order, each
 * entry checked first. At the first entry that fails: false, its number
 * counted from 1 in *failed and the words in *why; the entries before it
 * stay loaded, as on a CPU. */
bool nested_msr_load_list(struct vcpu *v, u64 addr, u64 count, u32 *failed, const char **why);

/* Stores L2's values of the MSRs a VM-exit MSR-store list names (28.4),
 * with vmcs02 current; false as above. */
bool nested_msr_store_list(struct vcpu *v, u64 addr, u64 count, u32 *failed, const char **why);

#endif
