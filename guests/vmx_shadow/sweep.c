/* Every encoding of vmx/vmcs_fields.def, a 64-bit field's HIGH half too,
 * read once and written once with the value it holds (shadow.h): the
 * VMREAD/VMWRITE bitmaps nestvisor derives from the table's shadow column
 * and the fields its CPU has, seen from L1. A field L1's VMCS lacks fails
 * with VMfailValid(12) and always exits (its bit is set in both bitmaps). */
#include "shadow.h"
#include "../../lib/fmt.h"

#define NAMES_SIZE 120

/* The encodings of row f: FULL, and HIGH for a 64-bit field (25.11.2). */
static unsigned encodings(const struct vmcs_field_info *f)
{
	return vmcs_field_width(f->encoding) == VMCS_WIDTH_64 ? 2 : 1;
}

/* Tallies of one sweep, and the first few encodings that went wrong. */
struct sweep {
	unsigned total, in_vmcs, no_exit, one_exit, lacking;
	unsigned bad_outcome, bad_exits, bad_value;
	char names[NAMES_SIZE];
	size_t used;
};

static void note(struct sweep *s, u32 enc)
{
	const char *name = vmcs_field_name(enc);

	if (s->used + strlen(name) + 2 < sizeof(s->names))
		s->used += fmt_snprintf(s->names + s->used, sizeof(s->names) - s->used, "%s%s",
					s->used ? ", " : "", name);
}

/* Counts one access of enc that ended with outcome o (error: the
 * VM-instruction error after a VMfailValid) and cost exits; fail_want is
 * the VMfailValid error due where the access must fail, else 0. */
static void tally(struct sweep *s, u32 enc, enum vmx_outcome o, u32 error, u64 exits,
		  u32 fail_want, bool on)
{
	bool ok = fail_want ? o == VMX_FAIL_VALID && error == fail_want : o == VMX_SUCCEED;
	bool lacking = o == VMX_FAIL_VALID && error == VMXERR_UNSUPPORTED_COMPONENT;
	u64 want = lacking || fail_want ? 1 : shadow_exits_per_access(enc, on);

	s->total++;
	if (lacking)
		s->lacking++;
	else
		s->in_vmcs++;
	if (exits)
		s->one_exit++;
	else
		s->no_exit++;
	if (!ok && !lacking)
		s->bad_outcome++;
	if (exits != want)
		s->bad_exits++;
	if ((!ok && !lacking) || exits != want)
		note(s, enc);
}

static void sweep_report(const struct sweep *s, const char *insn, bool on)
{
	res(!s->bad_exits, "%s of each field of vmcs_fields.def (64-bit high halves too): exits as "
	    "its shadow class and the mode demand (none where the shadow VMCS serves it, one each "
	    "otherwise and for fields L1's VMCS lacks)", insn);
	if (s->used)
		res_info("%s: went wrong for %s", insn, s->names);
	res_info("%s: %u encodings, %u in L1's VMCS, %u it lacks (VMfailValid(12)); %u without an "
		 "exit, %u with one, %s", insn, s->total, s->in_vmcs, s->lacking, s->no_exit,
		 s->one_exit, shadow_mode_name(on));
}

/* One VMREAD of enc. */
static void read_one(struct sweep *s, u32 enc, bool on)
{
	u64 v = 0, before = nv_exits(EXIT_REASON_VMREAD), exits;
	enum vmx_outcome o = vmx_outcome_of(vmx_vmread(enc, &v));

	exits = nv_exits(EXIT_REASON_VMREAD) - before;
	tally(s, enc, o, o == VMX_FAIL_VALID ? vmx_instruction_error() : 0, exits, 0, on);
}

/* One VMWRITE of enc, of the value it holds, which changes nothing, so
 * every field can be written, controls and host state too; read-only
 * ones fail with VMfailValid(13) where L1 may not write them (SDM 31.3
 * VMWRITE). */
static void write_one(struct sweep *s, u32 enc, bool on)
{
	u64 v = 0, again = 0, before, exits;
	u32 ro_error = vmcs_field_read_only(enc) && !env.f.vmwrite_any ?
		       VMXERR_VMWRITE_READ_ONLY : 0;
	enum vmx_outcome o;

	vmx_vmread(enc, &v);
	before = nv_exits(EXIT_REASON_VMWRITE);
	o = vmx_outcome_of(vmx_vmwrite(enc, v));
	exits = nv_exits(EXIT_REASON_VMWRITE) - before;
	tally(s, enc, o, o == VMX_FAIL_VALID ? vmx_instruction_error() : 0, exits, ro_error, on);
	if (o == VMX_SUCCEED &&
	    (vmx_outcome_of(vmx_vmread(enc, &again)) != VMX_SUCCEED || again != v)) {
		s->bad_value++;
		note(s, enc);
	}
}

/* one() for every encoding, on a fresh valid VMCS; false if bare. */
static bool sweep_all(struct sweep *s, void (*one)(struct sweep *, u32, bool), bool *on)
{
	const struct vmcs_field_info *f;

	if (!shadow_begin(l2_cpuid, on))
		return false;
	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		for (u32 enc = f->encoding; enc < f->encoding + encodings(f); enc++)
			one(s, enc, *on);
	return true;
}

void t_read_sweep(void)
{
	struct sweep s = { 0 };
	bool on;

	if (!sweep_all(&s, read_one, &on))
		return;
	res(!s.bad_outcome, "VMREAD of each field: VMsucceed, or VMfailValid(12) for a field "
	    "L1's VMCS lacks");
	sweep_report(&s, "VMREAD", on);
	l2_finish();
}

void t_write_sweep(void)
{
	struct sweep s = { 0 };
	bool on;

	if (!sweep_all(&s, write_one, &on))
		return;
	res(!s.bad_outcome, "VMWRITE of each field of the value it holds: VMsucceed (VMfailValid(13) "
	    "for a read-only one where VMWRITE to any field is not offered), or VMfailValid(12) "
	    "for a field L1's VMCS lacks");
	res(!s.bad_value, "VMWRITE of each field of the value it holds: VMREAD reads it again");
	sweep_report(&s, "VMWRITE", on);
	l2_finish();
}
