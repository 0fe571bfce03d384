/* vmx/vmcs12.c: vmcs12 field storage by the field table's rows and widths. */
#include "harness.h"
#include "../../vmx/vmcs12.h"

static struct vmcs12 v;

void run_tests(void)
{
	u64 val = 0;
	bool all = true;
	const struct vmcs_field_info *f;

	/* Every row round-trips through its own slot, and no other. */
	for (unsigned i = 0; (f = vmcs_field_at(i)); i++) {
		u64 want;

		all &= vmcs12_write(&v, f->encoding, 0x1122334455667788ull + i) &&
		       vmcs12_read(&v, f->encoding, &val);
		switch (vmcs_field_width(f->encoding)) {
		case VMCS_WIDTH_16: want = (0x7788 + i) & 0xffff; break;
		case VMCS_WIDTH_32: want = (0x55667788 + i) & 0xffffffff; break;
		default: want = 0x1122334455667788ull + i; break;
		}
		all &= val == want && v.field[i] == want && vmcs_field_row(f->encoding) == (int)i;
	}
	report(all, "every field of vmcs_fields.def has its own slot and keeps its width's bits");

	vmcs12_write(&v, VMCS_GUEST_IA32_EFER, 0xaaaabbbbccccddddull);
	vmcs12_write(&v, VMCS_GUEST_IA32_EFER | VMCS_ENC_HIGH, 0x1234567899999999ull);
	vmcs12_read(&v, VMCS_GUEST_IA32_EFER, &val);
	report(val == 0x99999999ccccddddull, "a HIGH write sets bits 63:32 from the value's low half");
	vmcs12_read(&v, VMCS_GUEST_IA32_EFER | VMCS_ENC_HIGH, &val);
	report(val == 0x99999999ull, "a HIGH read gives bits 63:32");
	vmcs12_write(&v, VMCS_GUEST_RIP, ~0ull);
	vmcs12_read(&v, VMCS_GUEST_RIP, &val);
	report(val == ~0ull, "natural-width fields hold 64 bits");
	report(!vmcs12_write(&v, 0x6c30, 1) && !vmcs12_read(&v, 0x6c30, &val) &&
	       !vmcs12_read(&v, VMCS_GUEST_RIP | VMCS_ENC_HIGH, &val),
	       "no slot for an unknown field or a HIGH half of a non-64-bit field");
	report(sizeof(struct vmcs12) == 16 + 8 * VMCS_FIELD_COUNT, "layout: header then one slot per row");

	/* By row: what the FULL encoding's VMREAD and VMWRITE do, no lookup. */
	all = true;
	for (unsigned i = 0; (f = vmcs_field_at(i)); i++) {
		struct vmcs12 w = { 0 };
		u64 by_enc;

		vmcs12_write(&w, f->encoding, 0xfedcba9876543210ull - i);
		vmcs12_read(&w, f->encoding, &by_enc);
		vmcs12_set_row(&v, i, 0xfedcba9876543210ull - i);
		all &= vmcs12_row(&v, i) == by_enc && v.field[i] == w.field[i];
	}
	report(all, "vmcs12_set_row/vmcs12_row: every row as VMWRITE/VMREAD of its FULL encoding");
	report_summary("vmcs12");
}
