/* Per-CPU VMX detection: CPUID, IA32_FEATURE_CONTROL and the capability
 * MSRs, read (never written) on the calling CPU, then printed in words. */
#ifndef VMX_VMX_DETECT_H
#define VMX_VMX_DETECT_H

#include "vmx_caps.h"

struct vmx_cpu_info {
	bool available;		/* VMX present and not locked off by firmware */
	const char *why_not;	/* when !available: the reason, in words */
	u64 feature_control;	/* IA32_FEATURE_CONTROL as found */
	struct vmx_caps caps;	/* all zero when CPUID reports no VMX */
};

/* Fills info for the calling CPU; reads only; checks CPUID.1:ECX[5] first. */
void vmx_detect(struct vmx_cpu_info *info);

/* Prints info on the calling CPU: cpu0 (bsp == NULL) gets the full decode;
 * other CPUs print "vmx: capabilities identical to cpu0" or the MSRs that
 * differ from bsp's. Without VMX it prints exactly one line. */
void vmx_print(const struct vmx_cpu_info *info, const struct vmx_cpu_info *bsp);

#endif
