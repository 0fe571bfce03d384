/* vmx_l1 (l1.h): the order of the checks, and the pages they use. */
#include "check.h"

enum {
	PAGE_VMXON,
	PAGE_VMCS_A,
	PAGE_VMCS_B,
	PAGE_BAD_REV,
	PAGE_SHADOW,
	PAGE_HOLE_LOW,		/* not present, right before PAGE_SCRATCH */
	PAGE_SCRATCH,
	PAGE_HOLE,		/* not present, right after: operands may straddle */
	PAGE_COUNT,
};
#define VMCS_SHADOW_BIT BIT(31)	/* revision id bit 31: a shadow VMCS (SDM 25.2) */

static u8 pages[PAGE_COUNT][PAGE_SIZE] __aligned(PAGE_SIZE);

static void print_line(void *ctx __unused, const char *text)
{
	report_info("vmx: %s", text);
}

static void describe(const struct l1 *l1)
{
	const struct vmx_features *f = &l1->f;

	vmx_caps_describe(&f->caps, print_line, NULL);
	report_info("advertised: revision id 0x%x, physical-address width %u, "
		    "VMWRITE to read-only fields %s, VMCS shadowing %s",
		    f->revision, f->pa_width, f->vmwrite_any ? "yes" : "no",
		    f->shadowing ? "yes" : "no");
	report_info("advertised: INVEPT %s (single-context %s, all-context %s), "
		    "INVVPID %s (types 0-3: %d%d%d%d)",
		    f->invept ? "yes" : "no", f->invept_type[INV_SINGLE_CONTEXT] ? "yes" : "no",
		    f->invept_type[INV_ALL_CONTEXT] ? "yes" : "no", f->invvpid ? "yes" : "no",
		    f->invvpid_type[0], f->invvpid_type[1], f->invvpid_type[2],
		    f->invvpid_type[3]);
}

static void set_up_pages(struct l1 *l1)
{
	u32 rev = l1->f.revision;

	*(u32 *)pages[PAGE_VMXON] = rev;
	*(u32 *)pages[PAGE_VMCS_A] = rev;
	*(u32 *)pages[PAGE_VMCS_B] = rev;
	/* Bits 30:0 differ; bit 31 stays clear. */
	*(u32 *)pages[PAGE_BAD_REV] = (rev ^ 1) & ~(u32)VMCS_SHADOW_BIT;
	*(u32 *)pages[PAGE_SHADOW] = rev | VMCS_SHADOW_BIT;
	l1->vmxon = pa_of(pages[PAGE_VMXON]);
	l1->vmcs_a = pa_of(pages[PAGE_VMCS_A]);
	l1->vmcs_b = pa_of(pages[PAGE_VMCS_B]);
	l1->bad_rev = pa_of(pages[PAGE_BAD_REV]);
	l1->shadow = pa_of(pages[PAGE_SHADOW]);
	l1->beyond = BIT(l1->f.pa_width);
	l1->absent = BIT(l1->f.pa_width) - PAGE_SIZE;
	l1->scratch = pages[PAGE_SCRATCH];
	l1->hole = pages[PAGE_HOLE];
	l1->hole_low = pages[PAGE_HOLE_LOW];
	paging_unmap_4k(pa_of(l1->hole));
	paging_unmap_4k(pa_of(l1->hole_low));
}

void guest_main(const struct guest_boot_info *bi)
{
	static struct l1 l1;

	printf("vmx_l1: %s, VMX instructions as an L1 hypervisor sees them\n",
	       bi->flags & GUEST_BOOT_BARE ? "bare" : "virtualized");
	if (!vmx_features_read(&l1.f)) {
		report_info("vmx_l1: CPUID.1:ECX.VMX is 0: nothing to test");
		report_summary("vmx_l1");
		return;
	}
	describe(&l1);
	user_init();
	set_up_pages(&l1);

	test_outside_vmx(&l1);
	if (test_vmxon(&l1)) {
		test_no_current_vmcs(&l1);
		test_pointers(&l1);
		test_fields(&l1);
		test_operand_forms(&l1);
		test_operand_faults(&l1);
		test_invalidation(&l1);
		test_privilege(&l1);
		test_launch_state(&l1);
		test_vmxoff(&l1);
	}
	report_summary("vmx_l1");
}
