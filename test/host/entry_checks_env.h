/* The synthetic VMCS, memory, capabilities and set-ups that
 * test_entry_checks.c's cases start from (entry_checks_env.c). */
#ifndef TEST_HOST_ENTRY_CHECKS_ENV_H
#define TEST_HOST_ENTRY_CHECKS_ENV_H

#define ENTRY_CHECKS_INTERNAL	/* white-box: the control and field bit names */
#include "harness.h"
#include "../../vmx/entry_checks.h"

/* ---- the synthetic VMCS and memory ---- */

#define TVMCS_FIELDS 128
#define TMEM_WORDS 8
#define NO_FIELD 0xffffffffu

struct tenv {
	struct {
		u32 field;
		u64 value;
	} f[TVMCS_FIELDS];
	unsigned nfields;
	struct {
		u64 pa, value;
	} mem[TMEM_WORDS];
	unsigned nmem;
	bool use_mem;			/* offer read_phys */
	u32 missing;			/* first field read that is not there */
	struct vmx_caps caps;
	struct entry_check_cpu cpu;
};

/* ---- the valid VMCS: what vmx/vmcs.c builds for a nestvisor guest ---- */

#define B_PIN		(0x16ull | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING)
#define B_PROC		(0x04006172ull | CPU_HLT_EXITING | CPU_UNCONDITIONAL_IO_EXITING | \
			 CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY)
#define B_PROC2		(CPU2_ENABLE_EPT | CPU2_ENABLE_VPID | CPU2_UNRESTRICTED_GUEST)
#define B_EXIT		(0x36dfbull | EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_PAT | \
			 EXIT_LOAD_IA32_PAT | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER)
#define B_ENTRY		(0x11fbull | ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER)
#define B_EPTP		(0x1000000ull | VMX_MEMTYPE_WB | (3 << 3))	/* WB, 4 levels */
#define B_GUEST_CR0	0x31ull		/* PE, ET, NE; paging off */
#define B_HOST_CR4	0x20a0ull	/* PAE, PGE, VMXE */
#define B_HOST_EFER	0xd01ull	/* SCE, LME, LMA, NXE */
#define PAT_POWER_ON	0x0007040600070406ull
#define AR_CODE32	0xc09bull
#define AR_DATA32	0xc093ull
#define AR_TSS32_BUSY	0x008bull
#define NONCANONICAL	0x0000800000000000ull
#define BEYOND_46	BIT(46)

enum write_kind { WRITE_NONE, WRITE_VMCS, WRITE_MEM };

struct write {
	enum write_kind kind;
	u32 field;
	u64 pa, value;
};

#define W(f, v)	{ WRITE_VMCS, VMCS_##f, 0, (v) }
#define M(a, v)	{ WRITE_MEM, 0, (a), (v) }

extern const struct vmx_caps tigerlake;

u64 *tvmcs_slot(struct tenv *e, u32 field);	/* NULL if the field is not set */
void tvmcs_set(struct tenv *e, u32 field, u64 value);
u64 tvmcs_read(void *ctx, u32 field);
bool tmem_read(void *ctx, u64 pa, u64 *value);
void tmem_set(struct tenv *e, u64 pa, u64 value);
void apply(struct tenv *e, const struct write *w, unsigned n);
void env_init(struct tenv *e);
u64 get(struct tenv *e, u32 field);
void host32(struct tenv *e);
void restricted(struct tenv *e);
void v86(struct tenv *e);
void long_mode(struct tenv *e);
void pae(struct tenv *e);
void pae_no_ept(struct tenv *e);
void tpr_shadow(struct tenv *e);
void posted(struct tenv *e);
void shadowing(struct tenv *e);
void eptp_switching(struct tenv *e);
void with_mem(struct tenv *e);
void caps_no_true(struct tenv *e);
void caps_proc2_must_be_1(struct tenv *e);
void caps_allow_mbec(struct tenv *e);
void caps_no_ept_uc(struct tenv *e);
void caps_ept_walk5(struct tenv *e);
void caps_no_ept_ad(struct tenv *e);
void caps_no_ept_sss(struct tenv *e);
void caps_no_mtf(struct tenv *e);
void caps_strict_error_code(struct tenv *e);
void caps_no_zero_len(struct tenv *e);
void caps_no_hlt(struct tenv *e);

#endif
