/* VM-entry checks on the guest-state area (SDM Vol. 3C 27.3.1); a failure
 * is a VM exit with basic reason 33 and bit 31 set, the exit qualification
 * saying which kind (27.8). */
#define ENTRY_CHECKS_INTERNAL
#include "entry_checks.h"

/* RFLAGS: bit 1 is always 1; bits 3, 5, 15 and 63:22 are reserved (Vol. 1 3.4.3). */
#define RFLAGS_FIXED1		BIT(1)
#define RFLAGS_RESERVED		(BIT(3) | BIT(5) | BIT(15) | ~0ull << 22)

/* Pending debug exceptions (25.4.2, Table 25-4): B3:B0, enabled
 * breakpoint (12), BS (14), RTM (16); the rest is reserved. */
#define PENDING_DBG_RESERVED	(0xff0ull | BIT(13) | BIT(15) | ~0ull << 17)
#define PENDING_DBG_B3_B0	0xfull
#define PENDING_DBG_ENABLED_BP	BIT(12)
#define PENDING_DBG_BS		BIT(14)
#define PENDING_DBG_RTM		BIT(16)

#define INTR_STATE_RESERVED	(~0ull << 5)	/* bits 31:5 (and the rest of the u64) */
#define DR7_HIGH_SHIFT		32

/* The VMCS revision identifier and shadow-VMCS indicator in the first
 * 4 bytes of a VMCS region (25.2, Table 25-1). */
#define VMCS_HDR_REVISION	0x7fffffffull
#define VMCS_HDR_SHADOW		BIT(31)
#define VMCS_LINK_NONE		(~0ull)

/* PAE paging: CR3 bits 31:5 locate the four PDPTEs; in a present PDPTE
 * bits 2:1, 8:5 and 63:MAXPHYADDR are reserved (Vol. 3A 4.4.1, Table 4-8). */
#define PAE_CR3_MASK		0xffffffe0ull
#define PDPTE_COUNT		4
#define PDPTE_P			BIT(0)
#define PDPTE_RESERVED_LOW	0x1e6ull

/* Segment access rights as the VMCS holds them (25.4.1, Table 25-2). */
#define AR_TYPE_MASK		0xfu
#define AR_TYPE_ACCESSED	BIT(0)
#define AR_TYPE_READABLE	BIT(1)		/* code */
#define AR_TYPE_CONFORMING	BIT(2)		/* code */
#define AR_TYPE_CODE		BIT(3)
#define AR_S			BIT(4)
#define AR_DPL_SHIFT		5
#define AR_DPL_MASK		0x3u
#define AR_P			BIT(7)
#define AR_L			BIT(13)
#define AR_DB			BIT(14)
#define AR_G			BIT(15)
#define AR_UNUSABLE		BIT(16)
#define AR_RESERVED		(0xf00ull | ~0ull << 17)	/* 11:8, 31:17 */
#define AR_V86			0xf3u
#define TYPE_DATA_RW_ACCESSED	3	/* also CS's type in real mode */
#define TYPE_DATA_RW_DOWN_ACCESSED 7
#define TYPE_LDT		2
#define TYPE_TSS16_BUSY		3
#define TYPE_TSS_BUSY		11
#define SELECTOR_RPL_MASK	0x3u
#define SELECTOR_TI		BIT(2)
#define V86_LIMIT		0xffffu
#define V86_BASE_SHIFT		4

enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

#define SEG_FIELDS(r) { VMCS_GUEST_##r##_SELECTOR, VMCS_GUEST_##r##_BASE,	\
			VMCS_GUEST_##r##_LIMIT, VMCS_GUEST_##r##_AR_BYTES }
static const struct {
	u32 selector, base, limit, ar;
} seg_fields[SEG_COUNT] = {
	[SEG_ES] = SEG_FIELDS(ES), [SEG_CS] = SEG_FIELDS(CS), [SEG_SS] = SEG_FIELDS(SS),
	[SEG_DS] = SEG_FIELDS(DS), [SEG_FS] = SEG_FIELDS(FS), [SEG_GS] = SEG_FIELDS(GS),
	[SEG_LDTR] = SEG_FIELDS(LDTR), [SEG_TR] = SEG_FIELDS(TR),
};

struct segment {
	u64 selector, base, limit, ar;
};

/* The guest state several sections look at, read once. */
struct guest {
	u64 cr0, cr4, rflags, intr, activity;
	struct segment seg[SEG_COUNT];
};

static unsigned ar_type(const struct segment *s) { return s->ar & AR_TYPE_MASK; }
static unsigned ar_dpl(const struct segment *s) { return (s->ar >> AR_DPL_SHIFT) & AR_DPL_MASK; }
static unsigned rpl(const struct segment *s) { return s->selector & SELECTOR_RPL_MASK; }
static bool usable(const struct segment *s) { return !(s->ar & AR_UNUSABLE); }

/* G must be 0 if any of limit bits 11:0 is 0, and 1 if any of bits 31:20 is 1. */
static bool granularity_ok(const struct segment *s)
{
	if ((s->limit & 0xfff) != 0xfff && (s->ar & AR_G))
		return false;
	if ((s->limit >> 20) && !(s->ar & AR_G))
		return false;
	return true;
}

/* 27.3.1.1 Checks on guest control registers, debug registers and MSRs. */
static bool check_guest_registers(struct entry_ctx *c, const struct guest *g)
{
	const struct vmx_caps *k = c->caps;
	u64 cr0_fixed0 = k->cr0_fixed0, cr3 = ec_read(c, VMCS_GUEST_CR3);
	u64 esp = ec_read(c, VMCS_GUEST_SYSENTER_ESP), eip = ec_read(c, VMCS_GUEST_SYSENTER_EIP);

	/* "Unrestricted guest" frees PE and PG of FIXED0 (A.7). */
	if (c->unrestricted)
		cr0_fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	CHECK(c, EC_GUEST_CR0_FIXED, ec_fixed_ok(g->cr0, cr0_fixed0, k->cr0_fixed1),
	      VMCS_GUEST_CR0, g->cr0);
	CHECK(c, EC_GUEST_CR0_PG_PE, !(g->cr0 & X86_CR0_PG) || (g->cr0 & X86_CR0_PE),
	      VMCS_GUEST_CR0, g->cr0);
	CHECK(c, EC_GUEST_CR4_FIXED, ec_fixed_ok(g->cr4, k->cr4_fixed0, k->cr4_fixed1),
	      VMCS_GUEST_CR4, g->cr4);
	if (c->ia32e_guest) {
		CHECK(c, EC_GUEST_IA32E_PG, g->cr0 & X86_CR0_PG, VMCS_GUEST_CR0, g->cr0);
		CHECK(c, EC_GUEST_IA32E_PAE, g->cr4 & X86_CR4_PAE, VMCS_GUEST_CR4, g->cr4);
	} else {
		CHECK(c, EC_GUEST_PCIDE, !(g->cr4 & X86_CR4_PCIDE), VMCS_GUEST_CR4, g->cr4);
	}
	CHECK(c, EC_GUEST_CR3, ec_pa_ok(c, cr3), VMCS_GUEST_CR3, cr3);
	if (c->entry & ENTRY_LOAD_DEBUG_CONTROLS) {
		u64 dr7 = ec_read(c, VMCS_GUEST_DR7);

		CHECK(c, EC_GUEST_DR7, !(dr7 >> DR7_HIGH_SHIFT), VMCS_GUEST_DR7, dr7);
	}
	CHECK(c, EC_GUEST_SYSENTER_ESP, ec_canonical(c, esp), VMCS_GUEST_SYSENTER_ESP, esp);
	CHECK(c, EC_GUEST_SYSENTER_EIP, ec_canonical(c, eip), VMCS_GUEST_SYSENTER_EIP, eip);
	if (c->entry & ENTRY_LOAD_IA32_PAT) {
		u64 pat = ec_read(c, VMCS_GUEST_IA32_PAT);

		CHECK(c, EC_GUEST_PAT, ec_pat_ok(pat), VMCS_GUEST_IA32_PAT, pat);
	}
	if (c->entry & ENTRY_LOAD_IA32_EFER) {
		u64 efer = ec_read(c, VMCS_GUEST_IA32_EFER);
		bool lma = efer & X86_EFER_LMA;

		CHECK(c, EC_GUEST_EFER_RESERVED, !(efer & ~X86_EFER_DEFINED),
		      VMCS_GUEST_IA32_EFER, efer);
		CHECK(c, EC_GUEST_EFER_LMA, lma == c->ia32e_guest, VMCS_GUEST_IA32_EFER, efer);
		CHECK(c, EC_GUEST_EFER_LME, !(g->cr0 & X86_CR0_PG) || lma == !!(efer & X86_EFER_LME),
		      VMCS_GUEST_IA32_EFER, efer);
	}
	return true;
}

/* 27.3.1.2, selectors and base addresses. */
static bool check_selectors_and_bases(struct entry_ctx *c, const struct guest *g, bool v86)
{
	const struct segment *s = g->seg, *ldtr = &s[SEG_LDTR];

	CHECK(c, EC_GUEST_TR_TI, !(s[SEG_TR].selector & SELECTOR_TI),
	      VMCS_GUEST_TR_SELECTOR, s[SEG_TR].selector);
	CHECK(c, EC_GUEST_LDTR_TI, !usable(ldtr) || !(ldtr->selector & SELECTOR_TI),
	      VMCS_GUEST_LDTR_SELECTOR, ldtr->selector);
	CHECK(c, EC_GUEST_SS_CS_RPL, v86 || c->unrestricted || rpl(&s[SEG_SS]) == rpl(&s[SEG_CS]),
	      VMCS_GUEST_SS_SELECTOR, s[SEG_SS].selector);
	if (v86) {
		for (unsigned i = SEG_ES; i <= SEG_GS; i++)
			CHECK(c, EC_GUEST_V86_BASE, s[i].base == s[i].selector << V86_BASE_SHIFT,
			      seg_fields[i].base, s[i].base);
	}
	for (unsigned i = SEG_ES; i < SEG_COUNT; i++) {
		bool must_be_canonical = i == SEG_TR || i == SEG_FS || i == SEG_GS ||
					 (i == SEG_LDTR && usable(ldtr));
		bool must_be_32bit = i == SEG_CS ||
				     ((i == SEG_SS || i == SEG_DS || i == SEG_ES) && usable(&s[i]));

		CHECK(c, EC_GUEST_BASE_CANONICAL, !must_be_canonical || ec_canonical(c, s[i].base),
		      seg_fields[i].base, s[i].base);
		CHECK(c, EC_GUEST_BASE_HIGH, !must_be_32bit || !(s[i].base >> 32),
		      seg_fields[i].base, s[i].base);
	}
	if (v86) {
		for (unsigned i = SEG_ES; i <= SEG_GS; i++)
			CHECK(c, EC_GUEST_V86_LIMIT, s[i].limit == V86_LIMIT,
			      seg_fields[i].limit, s[i].limit);
		for (unsigned i = SEG_ES; i <= SEG_GS; i++)
			CHECK(c, EC_GUEST_V86_AR, s[i].ar == AR_V86, seg_fields[i].ar, s[i].ar);
	}
	return true;
}

/* 27.3.1.2, access rights of CS, SS, DS, ES, FS, GS outside virtual-8086
 * mode, sub-field by sub-field in the SDM's order. CS is always checked;
 * the others only when usable. */
static bool check_code_data_rights(struct entry_ctx *c, const struct guest *g)
{
	const struct segment *s = g->seg, *cs = &s[SEG_CS], *ss = &s[SEG_SS];
	unsigned cs_type = ar_type(cs);
	const u32 cs_ar = VMCS_GUEST_CS_AR_BYTES;

	CHECK(c, EC_GUEST_CS_TYPE, (cs_type & (AR_TYPE_CODE | AR_TYPE_ACCESSED)) ==
	      (AR_TYPE_CODE | AR_TYPE_ACCESSED) ||
	      (c->unrestricted && cs_type == TYPE_DATA_RW_ACCESSED), cs_ar, cs->ar);
	CHECK(c, EC_GUEST_SS_TYPE, !usable(ss) || ar_type(ss) == TYPE_DATA_RW_ACCESSED ||
	      ar_type(ss) == TYPE_DATA_RW_DOWN_ACCESSED, VMCS_GUEST_SS_AR_BYTES, ss->ar);
	for (unsigned i = SEG_ES; i <= SEG_GS; i++) {
		unsigned type = ar_type(&s[i]);

		if (i == SEG_CS || i == SEG_SS || !usable(&s[i]))
			continue;
		CHECK(c, EC_GUEST_DATA_TYPE, (type & AR_TYPE_ACCESSED) &&
		      (!(type & AR_TYPE_CODE) || (type & AR_TYPE_READABLE)), seg_fields[i].ar, s[i].ar);
	}
	for (unsigned i = SEG_ES; i <= SEG_GS; i++)
		CHECK(c, EC_GUEST_SEG_S, (i != SEG_CS && !usable(&s[i])) || (s[i].ar & AR_S),
		      seg_fields[i].ar, s[i].ar);

	if (cs_type == TYPE_DATA_RW_ACCESSED)
		CHECK(c, EC_GUEST_CS_DPL_TYPE3, ar_dpl(cs) == 0, cs_ar, cs->ar);
	else if (!(cs_type & AR_TYPE_CONFORMING))
		CHECK(c, EC_GUEST_CS_DPL_NONCONFORMING, ar_dpl(cs) == ar_dpl(ss), cs_ar, cs->ar);
	else
		CHECK(c, EC_GUEST_CS_DPL_CONFORMING, ar_dpl(cs) <= ar_dpl(ss), cs_ar, cs->ar);
	CHECK(c, EC_GUEST_SS_DPL_RPL, c->unrestricted || ar_dpl(ss) == rpl(ss),
	      VMCS_GUEST_SS_AR_BYTES, ss->ar);
	CHECK(c, EC_GUEST_SS_DPL_REAL, ar_dpl(ss) == 0 ||
	      (cs_type != TYPE_DATA_RW_ACCESSED && (g->cr0 & X86_CR0_PE)), VMCS_GUEST_SS_AR_BYTES, ss->ar);
	for (unsigned i = SEG_ES; i <= SEG_GS; i++) {
		bool conforming_code = (ar_type(&s[i]) & (AR_TYPE_CODE | AR_TYPE_CONFORMING)) ==
				       (AR_TYPE_CODE | AR_TYPE_CONFORMING);

		if (i == SEG_CS || i == SEG_SS || !usable(&s[i]) || c->unrestricted || conforming_code)
			continue;
		CHECK(c, EC_GUEST_DATA_DPL, ar_dpl(&s[i]) >= rpl(&s[i]), seg_fields[i].ar, s[i].ar);
	}

	for (unsigned i = SEG_ES; i <= SEG_GS; i++) {
		if (i != SEG_CS && !usable(&s[i]))
			continue;
		CHECK(c, EC_GUEST_SEG_P, s[i].ar & AR_P, seg_fields[i].ar, s[i].ar);
		CHECK(c, EC_GUEST_SEG_RESERVED, !(s[i].ar & AR_RESERVED), seg_fields[i].ar, s[i].ar);
	}
	CHECK(c, EC_GUEST_CS_DB, !c->ia32e_guest || !(cs->ar & AR_L) || !(cs->ar & AR_DB), cs_ar, cs->ar);
	for (unsigned i = SEG_ES; i <= SEG_GS; i++)
		CHECK(c, EC_GUEST_SEG_G, (i != SEG_CS && !usable(&s[i])) || granularity_ok(&s[i]),
		      seg_fields[i].ar, s[i].ar);
	return true;
}

/* 27.3.1.2, access rights of TR (always) and LDTR (when usable). */
static bool check_system_rights(struct entry_ctx *c, const struct guest *g)
{
	const struct segment *tr = &g->seg[SEG_TR], *ldtr = &g->seg[SEG_LDTR];
	const u32 tr_ar = VMCS_GUEST_TR_AR_BYTES, ldtr_ar = VMCS_GUEST_LDTR_AR_BYTES;

	CHECK(c, EC_GUEST_TR_TYPE, ar_type(tr) == TYPE_TSS_BUSY ||
	      (!c->ia32e_guest && ar_type(tr) == TYPE_TSS16_BUSY), tr_ar, tr->ar);
	CHECK(c, EC_GUEST_TR_S, !(tr->ar & AR_S), tr_ar, tr->ar);
	CHECK(c, EC_GUEST_TR_P, tr->ar & AR_P, tr_ar, tr->ar);
	CHECK(c, EC_GUEST_TR_RESERVED, !(tr->ar & AR_RESERVED), tr_ar, tr->ar);
	CHECK(c, EC_GUEST_TR_G, granularity_ok(tr), tr_ar, tr->ar);
	CHECK(c, EC_GUEST_TR_UNUSABLE, usable(tr), tr_ar, tr->ar);
	if (!usable(ldtr))
		return true;
	CHECK(c, EC_GUEST_LDTR_TYPE, ar_type(ldtr) == TYPE_LDT, ldtr_ar, ldtr->ar);
	CHECK(c, EC_GUEST_LDTR_S, !(ldtr->ar & AR_S), ldtr_ar, ldtr->ar);
	CHECK(c, EC_GUEST_LDTR_P, ldtr->ar & AR_P, ldtr_ar, ldtr->ar);
	CHECK(c, EC_GUEST_LDTR_RESERVED, !(ldtr->ar & AR_RESERVED), ldtr_ar, ldtr->ar);
	CHECK(c, EC_GUEST_LDTR_G, granularity_ok(ldtr), ldtr_ar, ldtr->ar);
	return true;
}

/* 27.3.1.3 Checks on guest descriptor-table registers. */
static bool check_descriptor_tables(struct entry_ctx *c)
{
	static const u32 bases[] = { VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE };
	static const u32 limits[] = { VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT };

	for (unsigned i = 0; i < ARRAY_SIZE(bases); i++) {
		u64 base = ec_read(c, bases[i]), limit = ec_read(c, limits[i]);

		CHECK(c, EC_GUEST_DTR_BASE, ec_canonical(c, base), bases[i], base);
		CHECK(c, EC_GUEST_DTR_LIMIT, !(limit >> 16), limits[i], limit);
	}
	return true;
}

/* 27.3.1.4 Checks on guest RIP and RFLAGS. */
static bool check_rip_rflags(struct entry_ctx *c, const struct guest *g)
{
	u64 rip = ec_read(c, VMCS_GUEST_RIP);

	if (c->ia32e_guest && (g->seg[SEG_CS].ar & AR_L))
		CHECK(c, EC_GUEST_RIP_CANONICAL, ec_canonical(c, rip), VMCS_GUEST_RIP, rip);
	else
		CHECK(c, EC_GUEST_RIP_HIGH, !(rip >> 32), VMCS_GUEST_RIP, rip);
	CHECK(c, EC_GUEST_RFLAGS_RESERVED, (g->rflags & RFLAGS_FIXED1) && !(g->rflags & RFLAGS_RESERVED),
	      VMCS_GUEST_RFLAGS, g->rflags);
	CHECK(c, EC_GUEST_RFLAGS_VM, !(g->rflags & X86_RFLAGS_VM) ||
	      (!c->ia32e_guest && (g->cr0 & X86_CR0_PE)), VMCS_GUEST_RFLAGS, g->rflags);
	CHECK(c, EC_GUEST_RFLAGS_IF, !ec_injecting_type(c, INTR_TYPE_EXT_INTR) ||
	      (g->rflags & X86_RFLAGS_IF), VMCS_GUEST_RFLAGS, g->rflags);
	return true;
}

/* Which injected events an activity state lets through (27.3.1.5): HLT
 * takes external interrupts, NMIs, #DB, #MC and a pending MTF VM exit;
 * shutdown only NMIs and #MC; wait-for-SIPI nothing. */
static bool event_allowed(const struct entry_ctx *c, u64 activity)
{
	enum intr_type type = ec_inject_type(c);
	unsigned vector = c->intr_info & INTR_INFO_VECTOR_MASK;
	bool db_or_mc = type == INTR_TYPE_HW_EXCEPTION && (vector == 1 || vector == 18);

	switch (activity) {
	case ACTIVITY_ACTIVE:
		return true;
	case ACTIVITY_HLT:
		return type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI || db_or_mc ||
		       (type == INTR_TYPE_OTHER_EVENT && vector == 0);
	case ACTIVITY_SHUTDOWN:
		return type == INTR_TYPE_NMI || (type == INTR_TYPE_HW_EXCEPTION && vector == 18);
	default:
		return false;
	}
}

/* 27.3.1.5, activity and interruptibility state. */
static bool check_activity_interruptibility(struct entry_ctx *c, const struct guest *g)
{
	u64 act = g->activity, intr = g->intr;
	const u32 fa = VMCS_GUEST_ACTIVITY_STATE, fi = VMCS_GUEST_INTERRUPTIBILITY_INFO;
	bool inject_nmi = ec_injecting_type(c, INTR_TYPE_NMI);

	CHECK(c, EC_GUEST_ACTIVITY_VALUE, act <= ACTIVITY_WAIT_SIPI, fa, act);
	CHECK(c, EC_GUEST_ACTIVITY_SUPPORTED, activity_supported(c->caps->misc, act), fa, act);
	CHECK(c, EC_GUEST_ACTIVITY_HLT_DPL, act != ACTIVITY_HLT || ar_dpl(&g->seg[SEG_SS]) == 0, fa, act);
	CHECK(c, EC_GUEST_ACTIVITY_BLOCKING, act == ACTIVITY_ACTIVE ||
	      !(intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)), fa, act);
	CHECK(c, EC_GUEST_ACTIVITY_EVENT, !ec_injecting(c) || event_allowed(c, act), fa, act);

	CHECK(c, EC_GUEST_INTR_RESERVED, !(intr & INTR_STATE_RESERVED), fi, intr);
	CHECK(c, EC_GUEST_INTR_STI_MOVSS, (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) !=
	      (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS), fi, intr);
	CHECK(c, EC_GUEST_INTR_STI_IF, !(intr & INTR_BLOCK_STI) || (g->rflags & X86_RFLAGS_IF), fi, intr);
	CHECK(c, EC_GUEST_INTR_EXTINT, !ec_injecting_type(c, INTR_TYPE_EXT_INTR) ||
	      !(intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)), fi, intr);
	CHECK(c, EC_GUEST_INTR_NMI_MOVSS, !inject_nmi || !(intr & INTR_BLOCK_MOV_SS), fi, intr);
	CHECK(c, EC_GUEST_INTR_SMI, !(intr & INTR_BLOCK_SMI), fi, intr);
	/* With "virtual NMIs" 0 the SDM makes no such requirement. */
	CHECK(c, EC_GUEST_INTR_VNMI, !inject_nmi || !(c->pin & PIN_VIRTUAL_NMIS) ||
	      !(intr & INTR_BLOCK_NMI), fi, intr);
	CHECK(c, EC_GUEST_INTR_ENCLAVE, !(intr & INTR_ENCLAVE) || !(intr & INTR_BLOCK_MOV_SS), fi, intr);
	return true;
}

/* 27.3.1.5, pending debug exceptions. */
static bool check_pending_debug(struct entry_ctx *c, const struct guest *g)
{
	u64 pde = ec_read(c, VMCS_GUEST_PENDING_DBG_EXCEPTIONS);
	const u32 f = VMCS_GUEST_PENDING_DBG_EXCEPTIONS;

	CHECK(c, EC_GUEST_PENDING_DBG_RESERVED, !(pde & PENDING_DBG_RESERVED), f, pde);
	if ((g->intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) || g->activity == ACTIVITY_HLT) {
		u64 debugctl = ec_read(c, VMCS_GUEST_IA32_DEBUGCTL);
		bool bs = (g->rflags & X86_RFLAGS_TF) && !(debugctl & X86_DEBUGCTL_BTF);

		CHECK(c, EC_GUEST_PENDING_DBG_BS, !!(pde & PENDING_DBG_BS) == bs, f, pde);
	}
	CHECK(c, EC_GUEST_PENDING_DBG_RTM, !(pde & PENDING_DBG_RTM) ||
	      (!(pde & (PENDING_DBG_B3_B0 | PENDING_DBG_BS)) && (pde & PENDING_DBG_ENABLED_BP) &&
	       !(g->intr & INTR_BLOCK_MOV_SS)), f, pde);
	return true;
}

/* 27.3.1.5, the VMCS link pointer; failures have exit qualification 4. */
static bool check_link_pointer(struct entry_ctx *c)
{
	u64 link = ec_read(c, VMCS_VMCS_LINK_POINTER), hdr = 0;
	bool shadowing = c->proc2 & CPU2_VMCS_SHADOWING;
	const u32 f = VMCS_VMCS_LINK_POINTER;

	if (link == VMCS_LINK_NONE)
		return true;
	CHECK(c, EC_GUEST_LINK_ADDR, ec_page_ok(c, link), f, link);
	if (!c->v->read_phys) {
		/* The SDM accepts a non-shadow VMCS here too, but without
		 * reading it that cannot be told from garbage. */
		CHECK(c, EC_GUEST_LINK_UNCHECKED, shadowing, f, link);
		return true;
	}
	CHECK(c, EC_GUEST_LINK_READ, c->v->read_phys(c->v->ctx, link, &hdr), f, link);
	CHECK(c, EC_GUEST_LINK_REVISION, (hdr & VMCS_HDR_REVISION) ==
	      (c->caps->basic & VMX_BASIC_REVISION_MASK), f, link);
	CHECK(c, EC_GUEST_LINK_SHADOW, !!(hdr & VMCS_HDR_SHADOW) == shadowing, f, link);
	return true;
}

/* 27.3.1.6 Checks on guest PDPTEs, for PAE paging only: from the VMCS with
 * EPT, else from memory at CR3 (skipped without read_phys). Failures have
 * exit qualification 2. */
static bool check_pdptes(struct entry_ctx *c, const struct guest *g)
{
	static const u32 fields[PDPTE_COUNT] = {
		VMCS_GUEST_PDPTR0, VMCS_GUEST_PDPTR1, VMCS_GUEST_PDPTR2, VMCS_GUEST_PDPTR3,
	};
	bool ept = c->proc2 & CPU2_ENABLE_EPT;
	u64 reserved = PDPTE_RESERVED_LOW | ~0ull << c->cpu->maxphyaddr;
	u64 cr3, pdpte = 0;

	if (!(g->cr0 & X86_CR0_PG) || !(g->cr4 & X86_CR4_PAE) || c->ia32e_guest)
		return true;
	if (!ept && !c->v->read_phys)
		return true;
	cr3 = ept ? 0 : ec_read(c, VMCS_GUEST_CR3);
	for (unsigned i = 0; i < PDPTE_COUNT; i++) {
		if (ept) {
			pdpte = ec_read(c, fields[i]);
		} else {
			u64 pa = (cr3 & PAE_CR3_MASK) + i * sizeof(u64);

			CHECK(c, EC_GUEST_PDPTE_READ, c->v->read_phys(c->v->ctx, pa, &pdpte),
			      VMCS_GUEST_CR3, cr3);
		}
		CHECK(c, EC_GUEST_PDPTE_RESERVED, !(pdpte & PDPTE_P) || !(pdpte & reserved),
		      ept ? fields[i] : VMCS_GUEST_CR3, ept ? pdpte : cr3);
	}
	return true;
}

bool entry_checks_guest(struct entry_ctx *c)
{
	struct guest g = {
		.cr0 = ec_read(c, VMCS_GUEST_CR0),
		.cr4 = ec_read(c, VMCS_GUEST_CR4),
		.rflags = ec_read(c, VMCS_GUEST_RFLAGS),
		.intr = ec_read(c, VMCS_GUEST_INTERRUPTIBILITY_INFO),
		.activity = ec_read(c, VMCS_GUEST_ACTIVITY_STATE),
	};
	bool v86;

	for (unsigned i = 0; i < SEG_COUNT; i++) {
		g.seg[i].selector = ec_read(c, seg_fields[i].selector);
		g.seg[i].base = ec_read(c, seg_fields[i].base);
		g.seg[i].limit = ec_read(c, seg_fields[i].limit);
		g.seg[i].ar = ec_read(c, seg_fields[i].ar);
	}
	v86 = g.rflags & X86_RFLAGS_VM;

	return check_guest_registers(c, &g) &&
	       check_selectors_and_bases(c, &g, v86) &&
	       (v86 || check_code_data_rights(c, &g)) &&
	       check_system_rights(c, &g) &&
	       check_descriptor_tables(c) &&
	       check_rip_rflags(c, &g) &&
	       check_activity_interruptibility(c, &g) &&
	       check_pending_debug(c, &g) &&
	       check_link_pointer(c) &&
	       check_pdptes(c, &g);
}
