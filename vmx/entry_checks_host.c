/* VM-entry checks on the host-state area (SDM Vol. 3C 27.2.2-27.2.4); a
 * failure is VMfailValid with VM-instruction error 8. */
#define ENTRY_CHECKS_INTERNAL
#include "entry_checks.h"

/* Selector RPL (bits 1:0) and TI (bit 2) (Vol. 3A 3.4.2). */
#define SELECTOR_RPL_TI		0x7u

static const u32 host_selectors[] = {
	VMCS_HOST_CS_SELECTOR, VMCS_HOST_SS_SELECTOR, VMCS_HOST_DS_SELECTOR,
	VMCS_HOST_ES_SELECTOR, VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR,
	VMCS_HOST_TR_SELECTOR,
};

static const u32 host_bases[] = {
	VMCS_HOST_FS_BASE, VMCS_HOST_GS_BASE, VMCS_HOST_GDTR_BASE,
	VMCS_HOST_IDTR_BASE, VMCS_HOST_TR_BASE,
};

/* 27.2.2 Checks on host control registers and MSRs. */
static bool check_host_registers(struct entry_ctx *c)
{
	const struct vmx_caps *k = c->caps;
	bool host64 = c->exit & EXIT_HOST_ADDRESS_SPACE_SIZE;
	u64 cr0 = ec_read(c, VMCS_HOST_CR0), cr3 = ec_read(c, VMCS_HOST_CR3);
	u64 cr4 = ec_read(c, VMCS_HOST_CR4);
	u64 esp = ec_read(c, VMCS_HOST_IA32_SYSENTER_ESP), eip = ec_read(c, VMCS_HOST_IA32_SYSENTER_EIP);

	CHECK(c, EC_HOST_CR0_FIXED, ec_fixed_ok(cr0, k->cr0_fixed0, k->cr0_fixed1), VMCS_HOST_CR0, cr0);
	CHECK(c, EC_HOST_CR4_FIXED, ec_fixed_ok(cr4, k->cr4_fixed0, k->cr4_fixed1), VMCS_HOST_CR4, cr4);
	CHECK(c, EC_HOST_CR3, ec_pa_ok(c, cr3), VMCS_HOST_CR3, cr3);
	CHECK(c, EC_HOST_SYSENTER_ESP, ec_canonical(c, esp), VMCS_HOST_IA32_SYSENTER_ESP, esp);
	CHECK(c, EC_HOST_SYSENTER_EIP, ec_canonical(c, eip), VMCS_HOST_IA32_SYSENTER_EIP, eip);
	if (c->exit & EXIT_LOAD_IA32_PAT) {
		u64 pat = ec_read(c, VMCS_HOST_IA32_PAT);

		CHECK(c, EC_HOST_PAT, ec_pat_ok(pat), VMCS_HOST_IA32_PAT, pat);
	}
	if (c->exit & EXIT_LOAD_IA32_EFER) {
		u64 efer = ec_read(c, VMCS_HOST_IA32_EFER);

		CHECK(c, EC_HOST_EFER_RESERVED, !(efer & ~X86_EFER_DEFINED), VMCS_HOST_IA32_EFER, efer);
		CHECK(c, EC_HOST_EFER_LMA_LME, !!(efer & X86_EFER_LMA) == host64 &&
		      !!(efer & X86_EFER_LME) == host64, VMCS_HOST_IA32_EFER, efer);
	}
	return true;
}

/* 27.2.3 Checks on host segment and descriptor-table registers. */
static bool check_host_segments(struct entry_ctx *c)
{
	u64 cs = ec_read(c, VMCS_HOST_CS_SELECTOR), tr = ec_read(c, VMCS_HOST_TR_SELECTOR);
	u64 ss = ec_read(c, VMCS_HOST_SS_SELECTOR);

	for (unsigned i = 0; i < ARRAY_SIZE(host_selectors); i++) {
		u64 sel = ec_read(c, host_selectors[i]);

		CHECK(c, EC_HOST_SELECTOR_RPL_TI, !(sel & SELECTOR_RPL_TI), host_selectors[i], sel);
	}
	CHECK(c, EC_HOST_CS_NULL, cs != 0, VMCS_HOST_CS_SELECTOR, cs);
	CHECK(c, EC_HOST_TR_NULL, tr != 0, VMCS_HOST_TR_SELECTOR, tr);
	CHECK(c, EC_HOST_SS_NULL, ss != 0 || (c->exit & EXIT_HOST_ADDRESS_SPACE_SIZE),
	      VMCS_HOST_SS_SELECTOR, ss);
	for (unsigned i = 0; i < ARRAY_SIZE(host_bases); i++) {
		u64 base = ec_read(c, host_bases[i]);

		CHECK(c, EC_HOST_BASE_CANONICAL, ec_canonical(c, base), host_bases[i], base);
	}
	return true;
}

/* 27.2.4 Checks related to address-space size. Outside IA-32e mode "host
 * address-space size" must be 0 and so, by HOST32_IA32E_GUEST, must
 * "IA-32e mode guest"; inside it, "host address-space size" must be 1. */
static bool check_address_space_size(struct entry_ctx *c)
{
	bool host64 = c->exit & EXIT_HOST_ADDRESS_SPACE_SIZE;
	u64 cr4 = ec_read(c, VMCS_HOST_CR4), rip = ec_read(c, VMCS_HOST_RIP);

	CHECK(c, EC_HOST_ADDR_SIZE_MODE, host64 == c->cpu->ia32e, VMCS_VM_EXIT_CONTROLS, c->exit);
	if (!host64) {
		CHECK(c, EC_HOST32_IA32E_GUEST, !c->ia32e_guest, VMCS_VM_ENTRY_CONTROLS, c->entry);
		CHECK(c, EC_HOST32_PCIDE, !(cr4 & X86_CR4_PCIDE), VMCS_HOST_CR4, cr4);
		CHECK(c, EC_HOST32_RIP, !(rip >> 32), VMCS_HOST_RIP, rip);
	} else {
		CHECK(c, EC_HOST64_PAE, cr4 & X86_CR4_PAE, VMCS_HOST_CR4, cr4);
		CHECK(c, EC_HOST64_RIP, ec_canonical(c, rip), VMCS_HOST_RIP, rip);
	}
	return true;
}

bool entry_checks_host(struct entry_ctx *c)
{
	return check_host_registers(c) && check_host_segments(c) && check_address_space_size(c);
}
