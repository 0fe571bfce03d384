/* VMCS shadowing for L1 (vmx/nested_shadow.h). */
#include "nested.h"
#include "nested_shadow.h"
#include "vmcs_field.h"
#include "vmx_controls.h"
#include "vmx_ops.h"
#include "../lib/string.h"
#include "../mm/page_alloc.h"
#include "../vmm/console.h"
#include "../vmm/vcpu.h"

#define REVISION_SHADOW BIT(31)		/* shadow-VMCS indicator (25.2) */
#define VMCS_LINK_NONE (~0ull)
/* A VMREAD/VMWRITE bitmap has a bit for each encoding's bits 14:0 (25.6.15). */
#define BITMAP_ENCODING_MASK 0x7fffu

struct nested_shadow {
	phys_addr_t vmcs;		/* the shadow VMCS */
	u8 *read_bitmap, *write_bitmap;
	u8 read[(VMCS_FIELD_COUNT + 7) / 8];	/* rows L1 reads from the shadow */
	u8 write[(VMCS_FIELD_COUNT + 7) / 8];	/* rows L1 writes into it */
};

static bool has(const u8 *set, unsigned row)
{
	return set[row / 8] & BIT(row % 8);
}

/* Clears enc's bit, and its HIGH half's for a 64-bit field: L1 may name
 * either (25.11.2). */
static void pass(u8 *bitmap, u32 enc)
{
	unsigned high = vmcs_field_width(enc) == VMCS_WIDTH_64 ? 1 : 0;

	for (u32 e = enc; e <= enc + high; e++)
		bitmap[(e & BITMAP_ENCODING_MASK) / 8] &= (u8)~BIT(e % 8);
}

/* The two sets of rows, and the bitmaps from them (all others exit). */
static void derive(struct nested *n, struct nested_shadow *s, bool cpu_vmwrite_any)
{
	const struct vmcs_field_info *f;

	memset(s->read_bitmap, 0xff, PAGE_SIZE);
	memset(s->write_bitmap, 0xff, PAGE_SIZE);
	for (unsigned i = 0; (f = vmcs_field_at(i)); i++) {
		bool rw = f->shadow == VMCS_SHADOW_RW;
		bool ro = f->shadow == VMCS_SHADOW_RO && cpu_vmwrite_any;

		if (!nested_field_ok(n, i))
			continue;
		if (rw || ro) {
			s->read[i / 8] |= (u8)BIT(i % 8);
			pass(s->read_bitmap, f->encoding);
		}
		if (rw || (ro && n->vmwrite_any)) {
			s->write[i / 8] |= (u8)BIT(i % 8);
			pass(s->write_bitmap, f->encoding);
		}
	}
}

bool nested_shadow_init(struct vcpu *v, const struct vmx_caps *host)
{
	struct nested *n = v->nested;
	struct nested_shadow *s;
	u32 *region;

	if (!v->guest->nested_shadow || !host->has_procbased2 || !((host->procbased2 >> 32) & CPU2_VMCS_SHADOWING))
		return true;
	s = page_alloc(page_order_for(sizeof(*s)), 0);
	region = page_alloc(0, 0);
	if (s) {
		s->read_bitmap = page_alloc(0, 0);
		s->write_bitmap = page_alloc(0, 0);
	}
	if (!s || !region || !s->read_bitmap || !s->write_bitmap) {
		pr_err("%s: out of memory for a shadow VMCS", v->guest->name);
		if (region)
			page_free(region);
		n->shadow = s;
		nested_shadow_destroy(v);
		return false;
	}
	region[0] = vmx_basic_revision(host->basic) | REVISION_SHADOW;
	s->vmcs = ptr_to_phys(region);
	__vmclear(s->vmcs);
	derive(n, s, host->misc & VMX_MISC_VMWRITE_ANY);
	n->shadow = s;
	vmcs_write(VMCS_VMREAD_BITMAP, ptr_to_phys(s->read_bitmap));
	vmcs_write(VMCS_VMWRITE_BITMAP, ptr_to_phys(s->write_bitmap));
	return true;
}

void nested_shadow_destroy(struct vcpu *v)
{
	struct nested_shadow *s = v->nested->shadow;

	if (!s)
		return;
	if (s->vmcs) {
		__vmclear(s->vmcs);
		page_free(phys_to_ptr(s->vmcs));
	}
	if (s->read_bitmap)
		page_free(s->read_bitmap);
	if (s->write_bitmap)
		page_free(s->write_bitmap);
	page_free(s);
	v->nested->shadow = NULL;
}

bool nested_shadow_on(const struct vcpu *v)
{
	return v->nested && v->nested->shadow;
}

phys_addr_t nested_shadow_vmcs(const struct vcpu *v)
{
	return nested_shadow_on(v) ? v->nested->shadow->vmcs : 0;
}

/* The rows an exit to L1 writes into vmcs12 (28.2, 28.3). */
static bool written_by_exit(u32 enc)
{
	enum vmcs_type t = vmcs_field_type(enc);

	return t == VMCS_TYPE_GUEST || t == VMCS_TYPE_READ_ONLY ||
	       enc == VMCS_VM_ENTRY_CONTROLS || enc == VMCS_VM_ENTRY_INTR_INFO_FIELD;
}

/* The shadow VMCS becomes current, for nestvisor's VMREAD/VMWRITE of it;
 * leave_shadow() makes vmcs01 current again. */
static bool enter_shadow(struct vcpu *v)
{
	if (__vmptrld(v->nested->shadow->vmcs) == VMX_SUCCEED)
		return true;
	vcpu_stop(v, "VMPTRLD of L1's shadow VMCS failed");
	return false;
}

static void leave_shadow(struct vcpu *v)
{
	if (__vmptrld(v->vmcs) != VMX_SUCCEED)
		vcpu_stop(v, "VMPTRLD of L1's VMCS failed");
}

/* vmcs12 -> shadow for the read set's rows that pass the filter; the
 * shadow is current meanwhile, then vmcs01 again. */
static void copy_out(struct vcpu *v, bool (*filter)(u32 enc))
{
	struct nested *n = v->nested;
	const struct vmcs_field_info *f;

	if (!enter_shadow(v))
		return;
	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		if (has(n->shadow->read, i) && (!filter || filter(f->encoding)))
			vmcs_write(f->encoding, vmcs12_row(n->current, i));
	leave_shadow(v);
}

void nested_shadow_follow_current(struct vcpu *v)
{
	struct nested *n = v->nested;
	bool on = n->shadow && n->vmxon && n->current;
	u64 proc2;

	if (!n->shadow)
		return;
	if (on)
		copy_out(v, NULL);
	proc2 = vmcs_read(VMCS_SECONDARY_VM_EXEC_CONTROL);
	vmcs_write(VMCS_SECONDARY_VM_EXEC_CONTROL,
		   on ? proc2 | CPU2_VMCS_SHADOWING : proc2 & ~(u64)CPU2_VMCS_SHADOWING);
	vmcs_write(VMCS_VMCS_LINK_POINTER, on ? n->shadow->vmcs : VMCS_LINK_NONE);
}

void nested_shadow_collect(struct vcpu *v)
{
	struct nested *n = v->nested;
	const struct vmcs_field_info *f;

	if (!n->shadow || !n->current)
		return;
	if (!enter_shadow(v))
		return;
	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		if (has(n->shadow->write, i))
			vmcs12_set_row(n->current, i, vmcs_read(f->encoding));
	leave_shadow(v);
}

void nested_shadow_publish_exit(struct vcpu *v)
{
	if (v->nested->shadow && v->nested->current)
		copy_out(v, written_by_exit);
}

void nested_shadow_publish_field(struct vcpu *v, u32 field)
{
	struct nested *n = v->nested;
	int row = vmcs_field_row(field);
	const struct vmcs_field_info *f = row >= 0 ? vmcs_field_at((unsigned)row) : NULL;
	u64 value;

	if (!n->shadow || !n->current || !f || !has(n->shadow->read, (unsigned)row))
		return;
	vmcs12_read(n->current, f->encoding, &value);
	if (!enter_shadow(v))
		return;
	vmcs_write(f->encoding, value);
	leave_shadow(v);
}
