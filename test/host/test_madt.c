/* apic/madt.c on synthetic ACPI tables built in host memory. Each table is
 * its own exactly-sized allocation, so a read past its end trips ASan. */
#define _GNU_SOURCE		/* MAP_32BIT */
#include <stdlib.h>
#include <sys/mman.h>
#include "harness.h"
#include "../../apic/madt.h"

/* Byte offsets of the ACPI layouts (ACPI 6.5, 5.2.5.3, 5.2.6, 5.2.12). */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_CHECKSUM 8
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_EXT_CHECKSUM 32
#define HDR_LEN 36
#define HDR_LENGTH 4
#define HDR_CHECKSUM 9
#define MADT_HDR_LEN 44

#define MAX_ALLOCS 64
#define LOW_ARENA_SIZE (64 * 1024)

/* Memory for the current test's tables; "low" tables (for the RSDT's
 * 32-bit pointers) come from a MAP_32BIT arena. */
static void *allocs[MAX_ALLOCS];
static unsigned nr_allocs;
static u8 *low_arena;
static size_t low_used;
static bool use_low;

static u8 *table_alloc(size_t len)
{
	u8 *p;

	if (use_low) {
		low_used = ALIGN_UP(low_used, 16);
		if (low_used + len > LOW_ARENA_SIZE)
			abort();
		p = low_arena + low_used;
		low_used += len;
		memset(p, 0, len);
		return p;
	}
	if (nr_allocs == MAX_ALLOCS)
		abort();
	p = calloc(1, len);
	if (!p)
		abort();
	allocs[nr_allocs++] = p;
	return p;
}

static void free_tables(void)
{
	while (nr_allocs)
		free(allocs[--nr_allocs]);
	low_used = 0;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Sets a table's checksum byte so that all its bytes sum to 0. */
static void seal(u8 *t)
{
	t[HDR_CHECKSUM] = 0;
	t[HDR_CHECKSUM] = -sum(t, get32(t + HDR_LENGTH));
}

static u8 *new_table(const char *sig, const u8 *body, size_t body_len)
{
	u8 *t = table_alloc(HDR_LEN + body_len);

	memcpy(t, sig, 4);
	put32(t + HDR_LENGTH, HDR_LEN + body_len);
	t[8] = 1;	/* revision */
	memcpy(t + 10, "NESTVR", 6);
	if (body_len)
		memcpy(t + HDR_LEN, body, body_len);
	seal(t);
	return t;
}

/* A MADT: local APIC address, flags, then the given entry bytes. */
static u8 *new_madt(const u8 *entries, size_t len)
{
	u8 body[256];

	put32(body, 0xfee00000);
	put32(body + 4, 1);	/* PCAT_COMPAT */
	memcpy(body + 8, entries, len);
	return new_table("APIC", body, 8 + len);
}

/* A root table: "XSDT" with 64-bit entries or "RSDT" with 32-bit ones. */
static u8 *new_root(const char *sig, const u8 *const *tables, size_t n)
{
	size_t esz = sig[0] == 'X' ? 8 : 4;
	u8 body[16 * 8];

	for (size_t i = 0; i < n; i++) {
		uintptr_t pa = (uintptr_t)tables[i];

		if (esz == 8)
			put64(body + i * 8, pa);
		else
			put32(body + i * 4, (u32)pa);
	}
	return new_table(sig, body, n * esz);
}

static u8 *new_rsdp(unsigned revision, const u8 *rsdt, const u8 *xsdt)
{
	size_t len = revision >= 2 ? RSDP_V2_LEN : RSDP_V1_LEN;
	u8 *r = table_alloc(len);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "NESTVR", 6);
	r[RSDP_REVISION] = revision;
	put32(r + RSDP_RSDT, (u32)(uintptr_t)rsdt);
	if (revision >= 2) {
		put32(r + RSDP_LENGTH, RSDP_V2_LEN);
		put64(r + RSDP_XSDT, (uintptr_t)xsdt);
	}
	r[RSDP_CHECKSUM] = -sum(r, RSDP_V1_LEN);
	if (revision >= 2)
		r[RSDP_EXT_CHECKSUM] = -sum(r, RSDP_V2_LEN);
	return r;
}

/* MADT entry builders: each appends to e and returns the new length. */
static size_t lapic(u8 *e, size_t len, u8 apic_id, u32 flags)
{
	u8 *p = e + len;

	p[0] = 0;
	p[1] = 8;
	p[2] = apic_id;	/* processor UID: same as the ID here */
	p[3] = apic_id;
	put32(p + 4, flags);
	return len + 8;
}

static size_t x2apic(u8 *e, size_t len, u32 x2apic_id, u32 flags)
{
	u8 *p = e + len;

	memset(p, 0, 16);
	p[0] = 9;
	p[1] = 16;
	put32(p + 4, x2apic_id);
	put32(p + 8, flags);
	put32(p + 12, x2apic_id);
	return len + 16;
}

static size_t raw(u8 *e, size_t len, u8 type, u8 entry_len, size_t real_len)
{
	memset(e + len, 0, real_len);
	e[len] = type;
	e[len + 1] = entry_len;
	return len + real_len;
}

#define IOAPIC_LEN 12
#define OVERRIDE_LEN 10
#define LAPIC_NMI_LEN 6
#define ENABLED 1
#define ONLINE_CAPABLE 2

/* The usual machine: two enabled CPUs, a disabled-forever one, a hot-plug
 * slot, an x2APIC CPU, a duplicate, and non-CPU entries in between. */
static size_t usual_entries(u8 *e)
{
	size_t n = 0;

	n = lapic(e, n, 0, ENABLED);
	n = raw(e, n, 1, IOAPIC_LEN, IOAPIC_LEN);
	n = lapic(e, n, 1, ENABLED);
	n = raw(e, n, 2, OVERRIDE_LEN, OVERRIDE_LEN);
	n = lapic(e, n, 2, 0);
	n = lapic(e, n, 3, ONLINE_CAPABLE);
	n = x2apic(e, n, 0x100, ENABLED);
	n = x2apic(e, n, 1, ENABLED);
	n = raw(e, n, 4, LAPIC_NMI_LEN, LAPIC_NMI_LEN);
	return n;
}

static const struct madt_cpu usual_cpus[] = {
	{ 0, true }, { 1, true }, { 3, false }, { 0x100, true },
};

/* The XSDT machine: RSDP 2 -> XSDT -> { FACP, a null entry, MADT }. */
static u8 *xsdt_machine(const u8 *entries, size_t len)
{
	const u8 *tables[3];

	tables[0] = new_table("FACP", NULL, 0);
	tables[1] = NULL;
	tables[2] = new_madt(entries, len);
	return new_rsdp(2, NULL, new_root("XSDT", tables, 3));
}

static bool same_cpus(const struct madt_cpu *got, int n, const struct madt_cpu *want,
		      int nr_want)
{
	if (n != nr_want)
		return false;
	for (int i = 0; i < n; i++)
		if (got[i].apic_id != want[i].apic_id || got[i].enabled != want[i].enabled)
			return false;
	return true;
}

static void expect_cpus(const char *what, const u8 *rsdp, unsigned cap,
			const struct madt_cpu *want, int nr_want, unsigned want_ignored)
{
	struct madt_cpu out[8];
	const char *why = "unset";
	unsigned ignored = 99;
	int n = madt_find_cpus((uintptr_t)rsdp, cap ? out : NULL, cap, &ignored, &why);

	if (!report(same_cpus(out, n, want, nr_want) && ignored == want_ignored && !why,
		    "%s: %d CPUs, %u ignored (got %d, %u, why \"%s\")", what, nr_want,
		    want_ignored, n, ignored, why ? why : "(null)"))
		for (int i = 0; i < n; i++)
			report_info("  cpu %d: APIC ID 0x%x %s", i, out[i].apic_id,
				    out[i].enabled ? "enabled" : "online-capable");
}

static void expect_fail(const char *what, const u8 *rsdp, const char *want_why)
{
	struct madt_cpu out[8];
	const char *why = NULL;
	int n = madt_find_cpus((uintptr_t)rsdp, out, ARRAY_SIZE(out), NULL, &why);

	report(n == -1 && why && !strcmp(why, want_why), "%s: fails with \"%s\" (got %d, \"%s\")",
	       what, want_why, n, why ? why : "(null)");
}

static void test_xsdt(void)
{
	u8 e[256];
	size_t len = usual_entries(e);
	u8 *rsdp = xsdt_machine(e, len);

	expect_cpus("XSDT path", rsdp, 8, usual_cpus, ARRAY_SIZE(usual_cpus), 0);
	expect_cpus("cap 2", rsdp, 2, usual_cpus, 2, 2);
	expect_cpus("cap 0", rsdp, 0, NULL, 0, 4);

	/* A NULL ignored pointer is allowed. */
	{
		struct madt_cpu out[2];
		const char *why;

		report(madt_find_cpus((uintptr_t)rsdp, out, 2, NULL, &why) == 2 && !why,
		       "ignored may be NULL");
	}
	free_tables();
}

static void test_rsdt(void)
{
	u8 e[256];
	size_t len = usual_entries(e);
	const u8 *tables[2];
	u8 *rsdt;

	if (!low_arena) {
		report_info("SKIP: RSDT tests: mmap(MAP_32BIT) failed");
		return;
	}
	use_low = true;
	tables[0] = new_table("FACP", NULL, 0);
	tables[1] = new_madt(e, len);
	rsdt = new_root("RSDT", tables, 2);
	expect_cpus("RSDT path (ACPI 1.0 RSDP, 20 bytes)", new_rsdp(0, rsdt, NULL), 8,
		    usual_cpus, ARRAY_SIZE(usual_cpus), 0);
	expect_cpus("RSDP revision 2 without XSDT uses the RSDT", new_rsdp(2, rsdt, NULL), 8,
		    usual_cpus, ARRAY_SIZE(usual_cpus), 0);
	expect_fail("RSDT without MADT", new_rsdp(0, new_root("RSDT", tables, 1), NULL),
		    "no MADT in the RSDT");
	expect_fail("RSDP without any root table", new_rsdp(0, NULL, NULL),
		    "no RSDT or XSDT address in the RSDP");
	use_low = false;
	free_tables();
}

static void test_rsdp_errors(void)
{
	u8 e[256];
	size_t len = lapic(e, 0, 0, ENABLED);
	u8 *rsdp;

	expect_fail("RSDP 0", NULL, "no RSDP");

	rsdp = xsdt_machine(e, len);
	rsdp[0] = 'X';
	expect_fail("RSDP signature", rsdp, "RSDP signature bad");

	rsdp = xsdt_machine(e, len);
	rsdp[10] ^= 1;	/* OEM ID, inside the first 20 bytes */
	expect_fail("RSDP checksum", rsdp, "RSDP checksum bad");

	rsdp = xsdt_machine(e, len);
	rsdp[RSDP_EXT_CHECKSUM + 1] ^= 1;	/* reserved: only the extended sum sees it */
	expect_fail("RSDP extended checksum", rsdp, "RSDP extended checksum bad");

	rsdp = xsdt_machine(e, len);
	put32(rsdp + RSDP_LENGTH, RSDP_V1_LEN);
	rsdp[RSDP_CHECKSUM] = 0;
	rsdp[RSDP_CHECKSUM] = -sum(rsdp, RSDP_V1_LEN);
	expect_fail("RSDP length below 36", rsdp, "RSDP length bad");
	free_tables();
}

static void test_table_errors(void)
{
	u8 e[256];
	size_t len = lapic(e, 0, 0, ENABLED);
	const u8 *tables[2];
	u8 *xsdt, *madt;

	tables[0] = new_table("FACP", NULL, 0);
	xsdt = new_root("XSDT", tables, 1);
	expect_fail("XSDT without MADT", new_rsdp(2, NULL, xsdt), "no MADT in the XSDT");

	xsdt[20] ^= 1;
	expect_fail("XSDT checksum", new_rsdp(2, NULL, xsdt), "XSDT checksum bad");

	xsdt = new_root("XSDT", tables, 1);
	memcpy(xsdt, "RSDT", 4);
	seal(xsdt);
	expect_fail("XSDT signature", new_rsdp(2, NULL, xsdt), "XSDT signature bad");

	tables[1] = madt = new_madt(e, len);
	madt[MADT_HDR_LEN] ^= 0x80;
	expect_fail("MADT checksum", new_rsdp(2, NULL, new_root("XSDT", tables, 2)),
		    "MADT checksum bad");

	tables[1] = madt = new_table("APIC", (const u8 *)"\0\0\0\0", 4);
	expect_fail("MADT shorter than its header", new_rsdp(2, NULL, new_root("XSDT", tables, 2)),
		    "MADT length bad");

	tables[1] = madt = new_table("APIC", NULL, 0);
	put32(madt + HDR_LENGTH, 0x7fffffff);
	expect_fail("MADT length absurd", new_rsdp(2, NULL, new_root("XSDT", tables, 2)),
		    "MADT length bad");
	free_tables();
}

static void test_entry_errors(void)
{
	u8 e[256];
	size_t len;

	len = lapic(e, 0, 0, ENABLED);
	len = raw(e, len, 1, 0, 4);
	len = lapic(e, len, 1, ENABLED);
	expect_fail("entry length 0 (would loop)", xsdt_machine(e, len), "MADT entry length bad");

	len = lapic(e, 0, 0, ENABLED);
	len = raw(e, len, 1, 1, 2);
	expect_fail("entry length 1", xsdt_machine(e, len), "MADT entry length bad");

	len = lapic(e, 0, 0, ENABLED);
	len = raw(e, len, 1, IOAPIC_LEN + 1, IOAPIC_LEN);
	expect_fail("entry running past the table", xsdt_machine(e, len), "MADT entry length bad");

	len = lapic(e, 0, 0, ENABLED);
	len = lapic(e, len, 1, ENABLED);
	e[len - 8 + 1] = 255;
	expect_fail("last entry claiming 255 bytes", xsdt_machine(e, len), "MADT entry length bad");

	len = lapic(e, 0, 0, ENABLED);
	e[len++] = 0;	/* a lone type byte: no room for a length */
	expect_fail("one stray byte at the end", xsdt_machine(e, len),
		    "MADT entry runs past the table");

	len = lapic(e, 0, 0, ENABLED);
	len = raw(e, len, 0, 6, 6);
	expect_fail("Local APIC entry of 6 bytes", xsdt_machine(e, len),
		    "MADT Local APIC entry too short");

	len = lapic(e, 0, 0, ENABLED);
	len = raw(e, len, 9, 12, 12);
	expect_fail("Local x2APIC entry of 12 bytes", xsdt_machine(e, len),
		    "MADT Local x2APIC entry too short");

	len = raw(e, 0, 1, IOAPIC_LEN, IOAPIC_LEN);
	len = lapic(e, len, 5, 0);
	expect_fail("only an I/O APIC and an unusable CPU", xsdt_machine(e, len),
		    "no processors in the MADT");
	expect_fail("an empty MADT", xsdt_machine(e, 0), "no processors in the MADT");
	free_tables();
}

/* Longer entries than the layout (newer ACPI revisions may grow them) are
 * fine: only their known prefix is read. */
static void test_long_entries(void)
{
	static const struct madt_cpu want[] = { { 7, true }, { 0x1234, false } };
	u8 e[256];
	size_t len;

	len = lapic(e, 0, 7, ENABLED);
	e[1] = 10;
	len += 2;
	e[len - 2] = e[len - 1] = 0xee;
	len = x2apic(e, len, 0x1234, ONLINE_CAPABLE);
	expect_cpus("entries longer than their layout", xsdt_machine(e, len), 8, want, 2, 0);
	free_tables();
}

void run_tests(void)
{
	low_arena = mmap(NULL, LOW_ARENA_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low_arena == MAP_FAILED)
		low_arena = NULL;

	test_xsdt();
	test_rsdt();
	test_rsdp_errors();
	test_table_errors();
	test_entry_errors();
	test_long_entries();

	if (low_arena)
		munmap(low_arena, LOW_ARENA_SIZE);
}
