/* Entering VMX root operation on a CPU (SDM Vol. 3C, 24.7 "Enabling and
 * entering VMX operation"). */
#ifndef VMX_VMXON_H
#define VMX_VMXON_H

#include "vmx_detect.h"

struct vmx_root {
	phys_addr_t vmxon_region;
	bool on;		/* this CPU is in VMX root operation */
};

/* On the calling CPU, with info from vmx_detect(): locks IA32_FEATURE_CONTROL
 * with "VMX outside SMX" if the firmware left it unlocked, applies the CR0
 * and CR4 fixed bits (CR4.VMXE among them), and executes VMXON. Prints one
 * line unless VMX is absent (vmx_print() reports that); returns false if VMX
 * cannot be used on this CPU. */
bool vmx_root_enter(struct vmx_root *root, const struct vmx_cpu_info *info);

/* Leaves VMX operation (before power-off or when VMX is switched off). */
void vmx_root_leave(struct vmx_root *root);

#endif
