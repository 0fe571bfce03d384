/* vmx/vmcs_fields.def and vmx/vmcs_field.c: every row against the encoding
 * rules of SDM 25.11.2, the lookup against every 15-bit encoding, and spot
 * checks against the values printed in SDM Appendix B. */
#include "harness.h"
#include "../../vmx/vmcs_field.h"

#define ENC_SPACE 0x8000u	/* bits 14:0; bit 15 and up are reserved */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_identifier(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Which type the name implies: HOST_* is host state, GUEST_* guest state
 * (but for two exit-information fields), everything else is a control or
 * read-only data field (but for two guest-state fields without prefix). */
static bool type_matches_name(const struct vmcs_field_info *f)
{
	enum vmcs_type t = vmcs_field_type(f->encoding);

	if (!strcmp(f->name, "GUEST_PHYSICAL_ADDRESS") ||
	    !strcmp(f->name, "GUEST_LINEAR_ADDRESS"))
		return t == VMCS_TYPE_READ_ONLY;
	if (!strcmp(f->name, "VMCS_LINK_POINTER") ||
	    !strcmp(f->name, "VMX_PREEMPTION_TIMER_VALUE"))
		return t == VMCS_TYPE_GUEST;
	if (starts_with(f->name, "HOST_"))
		return t == VMCS_TYPE_HOST;
	if (starts_with(f->name, "GUEST_"))
		return t == VMCS_TYPE_GUEST;
	return t == VMCS_TYPE_CONTROL || t == VMCS_TYPE_READ_ONLY;
}

/* Which width a name's suffix implies, where it implies one. */
static const struct {
	const char *suffix;
	enum vmcs_width width;
} suffix_width[] = {
	{ "_SELECTOR", VMCS_WIDTH_16 },
	{ "_LIMIT", VMCS_WIDTH_32 },
	{ "_AR_BYTES", VMCS_WIDTH_32 },
	{ "_COUNT", VMCS_WIDTH_32 },
	{ "_BASE", VMCS_WIDTH_NATURAL },
	{ "_POINTER", VMCS_WIDTH_64 },
	{ "_ADDR", VMCS_WIDTH_64 },
};

static bool width_matches_name(const struct vmcs_field_info *f)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(suffix_width); i++)
		if (ends_with(f->name, suffix_width[i].suffix))
			return vmcs_field_width(f->encoding) == suffix_width[i].width;
	return true;
}

/* Runs check on every row; one FAIL line per bad row, one line in all. */
#define EVERY_ROW(what, check)							\
	do {									\
		unsigned i_, bad_ = 0;						\
		for (i_ = 0; i_ < VMCS_FIELD_COUNT; i_++) {			\
			const struct vmcs_field_info *f = vmcs_field_at(i_);	\
			if (!(check)) {						\
				bad_++;						\
				report(false, "%s (0x%04x): %s", f->name,	\
				       f->encoding, what);			\
			}							\
		}								\
		report(bad_ == 0, "all %u rows: %s", (unsigned)VMCS_FIELD_COUNT, what); \
	} while (0)

static void check_rows(void)
{
	unsigned i, j, dups = 0, n64 = 0, by_shadow[3] = { 0 };
	const struct vmcs_field_info *f;

	for (i = 0; (f = vmcs_field_at(i)); i++) {
		by_shadow[f->shadow]++;
		n64 += vmcs_field_width(f->encoding) == VMCS_WIDTH_64;
	}
	report(i == VMCS_FIELD_COUNT && i > 150,
	       "vmcs_field_at() walks %u rows, VMCS_FIELD_COUNT = %u", i,
	       (unsigned)VMCS_FIELD_COUNT);
	report_info("%u fields (%u 64-bit); shadow RW %u, RO %u, none %u",
		    (unsigned)VMCS_FIELD_COUNT, n64, by_shadow[VMCS_SHADOW_RW],
		    by_shadow[VMCS_SHADOW_RO], by_shadow[VMCS_SHADOW_NONE]);

	EVERY_ROW("name is a non-empty upper-case identifier", is_identifier(f->name));
	EVERY_ROW("no reserved encoding bit set", vmcs_encoding_valid(f->encoding));
	EVERY_ROW("access type is FULL (bit 0 clear)", !vmcs_field_is_high(f->encoding));
	EVERY_ROW("width and type decode to names",
		  strcmp(vmcs_width_name(vmcs_field_width(f->encoding)), "?") &&
		  strcmp(vmcs_type_name(vmcs_field_type(f->encoding)), "?"));
	EVERY_ROW("type agrees with the name (GUEST_/HOST_/other)", type_matches_name(f));
	EVERY_ROW("width agrees with the name's suffix", width_matches_name(f));
	EVERY_ROW("shadow class is NONE, RO or RW",
		  f->shadow == VMCS_SHADOW_NONE || f->shadow == VMCS_SHADOW_RO ||
		  f->shadow == VMCS_SHADOW_RW);
	EVERY_ROW("known, and named by its own name",
		  vmcs_field_known(f->encoding) && vmcs_field_lookup(f->encoding) == f &&
		  !strcmp(vmcs_field_name(f->encoding), f->name));
	EVERY_ROW("read-only exactly when of type read-only data",
		  vmcs_field_read_only(f->encoding) ==
		  (vmcs_field_type(f->encoding) == VMCS_TYPE_READ_ONLY));
	EVERY_ROW("shadowed read-only exactly when read-only data",
		  (f->shadow == VMCS_SHADOW_RO) == vmcs_field_read_only(f->encoding));
	EVERY_ROW("64-bit: HIGH half known and named NAME_HIGH; else no HIGH half",
		  vmcs_field_width(f->encoding) == VMCS_WIDTH_64 ?
		  (vmcs_field_known(f->encoding | 1) &&
		   vmcs_field_lookup(f->encoding | 1) == f &&
		   vmcs_field_is_high(f->encoding | 1) &&
		   f->name_high && ends_with(f->name_high, "_HIGH") &&
		   strlen(f->name_high) == strlen(f->name) + 5 &&
		   starts_with(f->name_high, f->name) &&
		   vmcs_field_name(f->encoding | 1) == f->name_high) :
		  (!vmcs_field_known(f->encoding | 1) && !f->name_high &&
		   !vmcs_field_name(f->encoding | 1)));

	/* Ascending order (which the lookup relies on) also rules out two rows
	 * with one encoding. */
	for (i = 1; i < VMCS_FIELD_COUNT; i++)
		if (vmcs_field_at(i - 1)->encoding >= vmcs_field_at(i)->encoding) {
			dups++;
			report(false, "%s (0x%04x) does not come after %s (0x%04x)",
			       vmcs_field_at(i)->name, vmcs_field_at(i)->encoding,
			       vmcs_field_at(i - 1)->name, vmcs_field_at(i - 1)->encoding);
		}
	report(dups == 0, "rows in strictly ascending encoding order (no shared encoding)");

	dups = 0;
	for (i = 0; i < VMCS_FIELD_COUNT; i++)
		for (j = i + 1; j < VMCS_FIELD_COUNT; j++)
			if (!strcmp(vmcs_field_at(i)->name, vmcs_field_at(j)->name) ||
			    !strcmp(vmcs_field_at(i)->name,
				    vmcs_field_at(j)->name_high ? vmcs_field_at(j)->name_high : "")) {
				dups++;
				report(false, "name %s used twice", vmcs_field_at(i)->name);
			}
	report(dups == 0, "no two rows share a name");
}

/* Every possible encoding: known exactly when it is a row, or the HIGH
 * half of a 64-bit row. Exercises the binary search on hits and misses. */
static void check_lookup_exhaustively(void)
{
	unsigned e, known = 0, wrong = 0, expect = 0;
	const struct vmcs_field_info *f;

	for (e = 0; (f = vmcs_field_at(e)); e++)
		expect += vmcs_field_width(f->encoding) == VMCS_WIDTH_64 ? 2 : 1;
	for (e = 0; e < ENC_SPACE; e++) {
		const struct vmcs_field_info *row = vmcs_field_lookup(e);
		bool want = false;
		unsigned i;

		for (i = 0; (f = vmcs_field_at(i)); i++)
			if (f->encoding == e || (f->encoding == (e & ~1u) && vmcs_field_is_high(e) &&
						 vmcs_field_width(e) == VMCS_WIDTH_64))
				want = true;
		known += vmcs_field_known(e);
		if (want != (row != NULL) || want != vmcs_field_known(e) ||
		    want != (vmcs_field_name(e) != NULL)) {
			if (wrong++ < 10)
				report(false, "encoding 0x%04x: known %d, expected %d", e,
				       vmcs_field_known(e), want);
		}
	}
	report(wrong == 0 && known == expect,
	       "all 0x%x encodings: %u known = rows + 64-bit HIGH halves (%u)",
	       ENC_SPACE, known, expect);
}

static void check_decode(void)
{
	/* Bits of SDM 25.11.2 on fields whose encodings Appendix B prints. */
	report(vmcs_field_width(0x681e) == VMCS_WIDTH_NATURAL &&
	       vmcs_field_type(0x681e) == VMCS_TYPE_GUEST &&
	       vmcs_field_index(0x681e) == 0xf && !vmcs_field_is_high(0x681e),
	       "GUEST_RIP 0x681e: natural-width guest-state, index 15, FULL");
	report(vmcs_field_width(0x2807) == VMCS_WIDTH_64 &&
	       vmcs_field_type(0x2807) == VMCS_TYPE_GUEST &&
	       vmcs_field_index(0x2807) == 3 && vmcs_field_is_high(0x2807),
	       "GUEST_IA32_EFER_HIGH 0x2807: 64-bit guest-state, index 3, HIGH");
	report(vmcs_field_width(0x4402) == VMCS_WIDTH_32 &&
	       vmcs_field_type(0x4402) == VMCS_TYPE_READ_ONLY &&
	       vmcs_field_index(0x4402) == 1 && vmcs_field_read_only(0x4402),
	       "VM_EXIT_REASON 0x4402: 32-bit read-only data, index 1");
	report(vmcs_field_width(0x0c0c) == VMCS_WIDTH_16 &&
	       vmcs_field_type(0x0c0c) == VMCS_TYPE_HOST && vmcs_field_index(0x0c0c) == 6,
	       "HOST_TR_SELECTOR 0x0c0c: 16-bit host-state, index 6");
	report(vmcs_field_type(0x4000) == VMCS_TYPE_CONTROL && !vmcs_field_read_only(0x4000),
	       "PIN_BASED_VM_EXEC_CONTROL 0x4000: control, writable");

	report(!strcmp(vmcs_width_name(VMCS_WIDTH_16), "16-bit") &&
	       !strcmp(vmcs_width_name(VMCS_WIDTH_64), "64-bit") &&
	       !strcmp(vmcs_width_name(VMCS_WIDTH_32), "32-bit") &&
	       !strcmp(vmcs_width_name(VMCS_WIDTH_NATURAL), "natural-width") &&
	       !strcmp(vmcs_width_name((enum vmcs_width)7), "?"),
	       "width names");
	report(!strcmp(vmcs_type_name(VMCS_TYPE_CONTROL), "control") &&
	       !strcmp(vmcs_type_name(VMCS_TYPE_READ_ONLY), "read-only data") &&
	       !strcmp(vmcs_type_name(VMCS_TYPE_GUEST), "guest-state") &&
	       !strcmp(vmcs_type_name(VMCS_TYPE_HOST), "host-state") &&
	       !strcmp(vmcs_type_name((enum vmcs_type)9), "?"),
	       "type names");
	report(!strcmp(vmcs_shadow_name(VMCS_SHADOW_RW), "read/write") &&
	       !strcmp(vmcs_shadow_name((enum vmcs_shadow)5), "?"), "shadow names");
}

static void check_reserved_bits(void)
{
	static const struct {
		u64 enc;
		bool valid;
	} cases[] = {
		{ 0x0000, true },
		{ 0x681e, true },
		{ 0x2807, true },			/* HIGH is not reserved */
		{ 0x6eff, true },			/* every non-reserved bit */
		{ 0x681e | BIT(12), false },		/* bit 12 */
		{ BIT(15), false },			/* bits 31:15 */
		{ 0x681e | BIT(20), false },
		{ 0x681e | BIT(31), false },
		{ 0x681e | BIT(32), false },		/* bits 63:32 */
		{ 0x681e | BIT(63), false },
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		report(vmcs_encoding_valid(cases[i].enc) == cases[i].valid,
		       "encoding 0x%llx is %s", (unsigned long long)cases[i].enc,
		       cases[i].valid ? "well-formed" : "reserved-bit violation");
	report(!vmcs_field_known(0x0001) && !vmcs_field_name(0x681f),
	       "HIGH access to a 16-bit or natural-width field is unknown");
	report(!vmcs_field_known(0x6830) && !vmcs_field_known(0x2046) &&
	       !vmcs_field_name(0x4c02), "unassigned encodings are unknown");
}

static bool shadow_is(u32 enc, enum vmcs_shadow want)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	return f && f->shadow == want;
}

/* Values printed in SDM Appendix B, compared with the enum (which IS the
 * encoding) and with the name the table gives back. */
static void check_spot_values(void)
{
	static const struct {
		u32 enc;
		u32 want;
		const char *name;
	} cases[] = {
		{ VMCS_GUEST_RIP, 0x681e, "GUEST_RIP" },
		{ VMCS_VMCS_LINK_POINTER, 0x2800, "VMCS_LINK_POINTER" },
		{ VMCS_VM_INSTRUCTION_ERROR, 0x4400, "VM_INSTRUCTION_ERROR" },
		{ VMCS_VM_EXIT_REASON, 0x4402, "VM_EXIT_REASON" },
		{ VMCS_GUEST_ES_SELECTOR, 0x0800, "GUEST_ES_SELECTOR" },
		{ VMCS_HOST_RIP, 0x6c16, "HOST_RIP" },
		{ VMCS_EPT_POINTER, 0x201a, "EPT_POINTER" },
		{ VMCS_PIN_BASED_VM_EXEC_CONTROL, 0x4000, "PIN_BASED_VM_EXEC_CONTROL" },
		{ VMCS_CPU_BASED_VM_EXEC_CONTROL, 0x4002, "CPU_BASED_VM_EXEC_CONTROL" },
		{ VMCS_SECONDARY_VM_EXEC_CONTROL, 0x401e, "SECONDARY_VM_EXEC_CONTROL" },
		{ VMCS_VMREAD_BITMAP, 0x2026, "VMREAD_BITMAP" },
		{ VMCS_VMWRITE_BITMAP, 0x2028, "VMWRITE_BITMAP" },
		{ VMCS_GUEST_IA32_EFER, 0x2806, "GUEST_IA32_EFER" },
		{ VMCS_GUEST_PHYSICAL_ADDRESS, 0x2400, "GUEST_PHYSICAL_ADDRESS" },
		{ VMCS_EXIT_QUALIFICATION, 0x6400, "EXIT_QUALIFICATION" },
		{ VMCS_GUEST_INTERRUPTIBILITY_INFO, 0x4824, "GUEST_INTERRUPTIBILITY_INFO" },
		{ VMCS_TSC_OFFSET, 0x2010, "TSC_OFFSET" },
		{ VMCS_MSR_BITMAP, 0x2004, "MSR_BITMAP" },
		{ VMCS_HOST_CR3, 0x6c02, "HOST_CR3" },
		{ VMCS_GUEST_S_CET, 0x6828, "GUEST_S_CET" },
		{ VMCS_HOST_INTR_SSP_TABLE, 0x6c1c, "HOST_INTR_SSP_TABLE" },
		{ VMCS_TERTIARY_VM_EXEC_CONTROL, 0x2034, "TERTIARY_VM_EXEC_CONTROL" },
	};
	const char *high;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = vmcs_field_name(cases[i].want);

		report(cases[i].enc == cases[i].want && got && !strcmp(got, cases[i].name),
		       "%s = 0x%04x (got 0x%04x, named %s)", cases[i].name, cases[i].want,
		       cases[i].enc, got ? got : "(none)");
	}
	high = vmcs_field_name(VMCS_GUEST_IA32_EFER | VMCS_ENC_HIGH);
	report(high && !strcmp(high, "GUEST_IA32_EFER_HIGH"),
	       "0x2807 is named GUEST_IA32_EFER_HIGH");

	/* The fields L1 touches on nearly every exit are shadowed read/write. */
	report(shadow_is(VMCS_GUEST_RIP, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_RSP, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_RFLAGS, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_CR0, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_CR3, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_CR4, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_CS_AR_BYTES, VMCS_SHADOW_RW) &&
	       shadow_is(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_SHADOW_RW),
	       "RIP, RSP, RFLAGS, CR0/3/4, CS AR, interruptibility: shadowed read/write");
	report(shadow_is(VMCS_EPT_POINTER, VMCS_SHADOW_NONE) &&
	       shadow_is(VMCS_VMREAD_BITMAP, VMCS_SHADOW_NONE) &&
	       shadow_is(VMCS_PIN_BASED_VM_EXEC_CONTROL, VMCS_SHADOW_NONE),
	       "EPTP, VMREAD bitmap, pin-based controls: not shadowed");
}

static void check_max_index(void)
{
	unsigned i, max = 0;

	for (i = 0; i < VMCS_FIELD_COUNT; i++)
		max = MAX(max, vmcs_field_index(vmcs_field_at(i)->encoding));
	/* INJECTED_EVENT_DATA, 0x2052, has the highest index: 0x29. */
	report(vmcs_field_max_index() == max && max == 0x29,
	       "max index over the table is 0x%x (expected 0x29, INJECTED_EVENT_DATA)",
	       vmcs_field_max_index());
}

void run_tests(void)
{
	check_rows();
	check_lookup_exhaustively();
	check_decode();
	check_reserved_bits();
	check_spot_values();
	check_max_index();
}
