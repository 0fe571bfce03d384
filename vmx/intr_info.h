/* The event fields of a VMCS (SDM Vol. 3C): VM-entry interruption
 * information (25.8.3, Table 25-17), whose layout the VM-exit interruption
 * and IDT-vectoring information share (28.2.2, 28.2.4), and the guest
 * interruptibility and activity states (25.4.2, Table 25-3). Named once,
 * here. */
#ifndef VMX_INTR_INFO_H
#define VMX_INTR_INFO_H

#include "../lib/types.h"

#define INTR_INFO_VECTOR_MASK		0xffu
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		0x7u
#define INTR_INFO_DELIVER_CODE		BIT(11)
#define INTR_INFO_NMI_UNBLOCKING	BIT(12)	/* exit information only */
#define INTR_INFO_RESERVED		0x7ffff000u	/* bits 30:12 */
#define INTR_INFO_VALID			BIT(31)
enum intr_type {
	INTR_TYPE_EXT_INTR = 0,
	INTR_TYPE_RESERVED = 1,
	INTR_TYPE_NMI = 2,
	INTR_TYPE_HW_EXCEPTION = 3,
	INTR_TYPE_SW_INTR = 4,
	INTR_TYPE_PRIV_SW_EXCEPTION = 5,
	INTR_TYPE_SW_EXCEPTION = 6,
	INTR_TYPE_OTHER_EVENT = 7,
};

/* Guest interruptibility state (25.4.2, Table 25-3). */
#define INTR_BLOCK_STI			BIT(0)
#define INTR_BLOCK_MOV_SS		BIT(1)
#define INTR_BLOCK_SMI			BIT(2)
#define INTR_BLOCK_NMI			BIT(3)

/* Guest activity state (25.4.2), and IA32_VMX_MISC bits 8:6, which say
 * whether the CPU supports HLT, shutdown and wait-for-SIPI (A.6). */
enum activity_state { ACTIVITY_ACTIVE, ACTIVITY_HLT, ACTIVITY_SHUTDOWN, ACTIVITY_WAIT_SIPI };
#define MISC_ACTIVITY_SHIFT		5	/* bit 5 + state, state 1..3 */

static inline bool activity_supported(u64 vmx_misc, u64 state)
{
	return state == ACTIVITY_ACTIVE ||
	       (state <= ACTIVITY_WAIT_SIPI && (vmx_misc & BIT(MISC_ACTIVITY_SHIFT + state)));
}

static inline unsigned intr_info_type(u32 info)
{
	return (info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;
}

/* The information for an event of type and vector, valid. */
static inline u32 intr_info_make(enum intr_type type, u8 vector)
{
	return INTR_INFO_VALID | (u32)type << INTR_INFO_TYPE_SHIFT | vector;
}

#endif
