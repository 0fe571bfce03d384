/* VM-execution, VM-exit and VM-entry control bits nestvisor sets (SDM Vol. 3C,
 * 25.6 to 25.8), and the one function that fits a request to the CPU. */
#ifndef VMX_VMX_CONTROLS_H
#define VMX_VMX_CONTROLS_H

#include "../lib/types.h"

/* Pin-based (Table 25-5). */
#define PIN_EXTERNAL_INTERRUPT_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_PREEMPTION_TIMER BIT(6)
#define PIN_POSTED_INTERRUPTS BIT(7)

/* Primary processor-based (Table 25-6). */
#define CPU_INTERRUPT_WINDOW_EXITING BIT(2)
#define CPU_TSC_OFFSETTING BIT(3)
#define CPU_HLT_EXITING BIT(7)
#define CPU_INVLPG_EXITING BIT(9)
#define CPU_MWAIT_EXITING BIT(10)
#define CPU_RDPMC_EXITING BIT(11)
#define CPU_RDTSC_EXITING BIT(12)
#define CPU_CR3_LOAD_EXITING BIT(15)
#define CPU_CR3_STORE_EXITING BIT(16)
#define CPU_CR8_LOAD_EXITING BIT(19)
#define CPU_CR8_STORE_EXITING BIT(20)
#define CPU_USE_TPR_SHADOW BIT(21)
#define CPU_NMI_WINDOW_EXITING BIT(22)
#define CPU_MOV_DR_EXITING BIT(23)
#define CPU_UNCONDITIONAL_IO_EXITING BIT(24)
#define CPU_USE_IO_BITMAPS BIT(25)
#define CPU_MONITOR_TRAP_FLAG BIT(27)
#define CPU_USE_MSR_BITMAPS BIT(28)
#define CPU_MONITOR_EXITING BIT(29)
#define CPU_PAUSE_EXITING BIT(30)
#define CPU_ACTIVATE_SECONDARY BIT(31)

/* Secondary processor-based (Table 25-7). */
#define CPU2_VIRTUALIZE_APIC_ACCESSES BIT(0)
#define CPU2_ENABLE_EPT BIT(1)
#define CPU2_ENABLE_RDTSCP BIT(3)
#define CPU2_VIRTUALIZE_X2APIC BIT(4)
#define CPU2_ENABLE_VPID BIT(5)
#define CPU2_WBINVD_EXITING BIT(6)
#define CPU2_UNRESTRICTED_GUEST BIT(7)
#define CPU2_APIC_REGISTER_VIRT BIT(8)
#define CPU2_VIRTUAL_INTR_DELIVERY BIT(9)
#define CPU2_ENABLE_VMFUNC BIT(13)
#define CPU2_VMCS_SHADOWING BIT(14)
#define CPU2_ENABLE_PML BIT(17)
#define CPU2_EPT_VIOLATION_VE BIT(18)
#define CPU2_MODE_BASED_EPT_EXEC BIT(22)

/* VM-exit (Table 25-13). */
#define EXIT_SAVE_DEBUG_CONTROLS BIT(2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE BIT(9)
#define EXIT_ACK_INTR_ON_EXIT BIT(15)
#define EXIT_SAVE_IA32_PAT BIT(18)
#define EXIT_LOAD_IA32_PAT BIT(19)
#define EXIT_SAVE_IA32_EFER BIT(20)
#define EXIT_LOAD_IA32_EFER BIT(21)
#define EXIT_SAVE_PREEMPTION_TIMER BIT(22)

/* VM-entry (Table 25-15). */
#define ENTRY_LOAD_DEBUG_CONTROLS BIT(2)
#define ENTRY_IA32E_MODE_GUEST BIT(9)
#define ENTRY_TO_SMM BIT(10)
#define ENTRY_DEACT_DUAL_MONITOR BIT(11)
#define ENTRY_LOAD_IA32_PAT BIT(14)
#define ENTRY_LOAD_IA32_EFER BIT(15)

/* Fits a control word to the capability MSR cap (SDM Appendix A.3-A.5 and
 * 32.5.1 "Algorithms for determining VMX capabilities"): bits the CPU
 * requires are set (allowed-0 settings, low half), every bit of required must
 * be allowed (allowed-1 settings, high half), bits of optional are taken
 * where allowed. Returns false, with *missing = required bits the CPU lacks,
 * when the request is impossible. */
bool vmx_adjust_controls(u64 cap, u32 required, u32 optional, u32 *out, u32 *missing);

#endif
