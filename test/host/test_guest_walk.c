/* vmm/guest_walk.c: guest page-table walks in every paging mode, #PF error
 * codes, reserved bits, large pages, A/D flags and page-crossing copies,
 * on a small fake guest memory whose page tables each test builds. */
#include "harness.h"
#include "../../vmm/guest_walk.h"
#include "../../lib/msr.h"
#include "../../lib/x86.h"

#define MEM_SIZE	(4u << 20)
#define P		BIT(0)
#define RW		BIT(1)
#define US		BIT(2)
#define A		BIT(5)
#define D		BIT(6)
#define PS		BIT(7)
#define XD		BIT(63)
#define PRW		(P | RW | US)		/* present, writable, user at every level */

static u8 mem[MEM_SIZE];
static u64 next_table;			/* bump allocator for page tables */
static unsigned bad_accesses;		/* callback contract violations */

static bool size_ok(u64 gpa, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4 && size != 8) || (gpa & (size - 1))) {
		bad_accesses++;
		return false;
	}
	return true;
}

static bool fake_read(void *opaque __unused, u64 gpa, u64 *value, unsigned size)
{
	if (!size_ok(gpa, size) || gpa >= MEM_SIZE || size > MEM_SIZE - gpa)
		return false;
	*value = 0;
	for (unsigned i = 0; i < size; i++)
		*value |= (u64)mem[gpa + i] << (8 * i);
	return true;
}

static bool fake_write(void *opaque __unused, u64 gpa, u64 value, unsigned size)
{
	if (!size_ok(gpa, size) || gpa >= MEM_SIZE || size > MEM_SIZE - gpa)
		return false;
	for (unsigned i = 0; i < size; i++)
		mem[gpa + i] = (u8)(value >> (8 * i));
	return true;
}

static u64 get(u64 gpa, unsigned size)
{
	u64 v = 0;

	fake_read(NULL, gpa, &v, size);
	return v;
}

static void put(u64 gpa, u64 v, unsigned size)
{
	fake_write(NULL, gpa, v, size);
}

static u64 new_table(void)
{
	u64 t = next_table;

	next_table += PAGE_SIZE;
	return t;
}

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
	next_table = 0x10000;
	bad_accesses = 0;
}

static struct guest_mmu mmu(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	return (struct guest_mmu){
		.cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer, .maxphyaddr = 36,
		.read_phys = fake_read, .write_phys = fake_write,
	};
}

/* Builds the tables from root at level top down to the PTE for linear:
 * entry[level] receives each entry's address; each table entry gets
 * flags, the PTE value. Geometry: 4- or 8-byte entries, 10 or 9 index
 * bits. */
static void build(u64 root, u64 linear, unsigned top, unsigned esize, unsigned bits, u64 flags,
		  u64 value, u64 entry[5])
{
	u64 table = root;

	for (unsigned level = top; level >= 1; level--) {
		unsigned shift = 12 + bits * (level - 1);

		entry[level] = table + ((linear >> shift) & ((1u << bits) - 1)) * esize;
		if (level == 1) {
			put(entry[level], value, esize);
		} else {
			table = new_table();
			put(entry[level], table | flags, esize);
		}
	}
}

/* The tables of 4-level and of 32-bit paging, entries to the PTE. */
static void build_4level(u64 root, u64 linear, u64 pte, u64 entry[5])
{
	build(root, linear, 4, sizeof(u64), 9, PRW, pte, entry);
}

static void build_32bit(u64 root, u64 linear, u64 pte, u64 entry[5])
{
	build(root, linear, 2, sizeof(u32), 10, PRW, pte, entry);
}

/* Fresh guest memory with an empty root table at CR3. */
static struct guest_mmu fresh(u64 cr0, u64 cr4, u64 efer)
{
	reset();
	return mmu(cr0, new_table(), cr4, efer);
}

struct expect {
	enum guest_walk_status status;
	u64 gpa;			/* OK */
	u32 error_code;			/* PF */
	const char *entry;		/* PF */
};

static void check(const char *what, const struct guest_mmu *m, u64 linear, bool write,
		  struct expect e)
{
	struct guest_walk w;
	bool ok = guest_translate(m, linear, write, &w);
	bool pass = ok == (e.status == GUEST_WALK_OK) && w.status == e.status;

	if (e.status == GUEST_WALK_OK)
		pass = pass && w.gpa == e.gpa && !*w.why;
	if (e.status == GUEST_WALK_PF)
		pass = pass && w.error_code == e.error_code && !strcmp(w.entry, e.entry) &&
		       w.linear == (linear & (guest_paging_mode(m) == GUEST_PAGING_4LEVEL ? ~0ull :
									   0xffffffffull));
	report(pass, "%s: %s gpa 0x%llx error 0x%x %s (got %s gpa 0x%llx error 0x%x %s: %s)", what,
	       guest_walk_status_name(e.status), (unsigned long long)e.gpa, e.error_code,
	       e.entry ? e.entry : "", guest_walk_status_name(w.status),
	       (unsigned long long)w.gpa, w.error_code, w.entry, w.why);
}

#define OK(g)		((struct expect){ GUEST_WALK_OK, (g), 0, NULL })
#define PF(err, ent)	((struct expect){ GUEST_WALK_PF, 0, (err), (ent) })
#define ERR_P		1u
#define ERR_W		2u
#define ERR_RSVD	8u

static void test_off(void)
{
	struct guest_mmu m = fresh(0, 0, 0);

	report(guest_paging_mode(&m) == GUEST_PAGING_OFF &&
	       !strcmp(guest_paging_mode_name(GUEST_PAGING_OFF), "paging off"), "CR0.PG = 0: paging off");
	check("paging off: identity, 32 bits", &m, 0x100001234ull, true, OK(0x1234));
}

static void test_32bit(void)
{
	const u64 la = 0x00801234, page = 0x200000;
	struct guest_mmu m = fresh(CR0_PG | CR0_WP, 0, 0);
	u64 e[5];

	build_32bit(m.cr3, la, page | PRW, e);
	m.cr3 |= 0xfff;				/* ignored low bits */
	put(e[1] + 4, 0x666000 | PRW, 4);	/* what an 8-byte stride would read */
	report(guest_paging_mode(&m) == GUEST_PAGING_32BIT, "CR4.PAE = 0: 32-bit paging");
	check("32-bit, 4 KiB page", &m, la, false, OK(page | 0x234));
	check("32-bit: linear bits 63:32 dropped", &m, la | 0xff00000000ull, false, OK(page | 0x234));
	put(e[1], page | P | US, 4);
	check("32-bit: write to a read-only PTE, CR0.WP = 1", &m, la, true, PF(ERR_P | ERR_W, "PTE"));
	m.cr0 = CR0_PG;
	check("32-bit: CR0.WP = 0 lets a supervisor write", &m, la, true, OK(page | 0x234));
	put(e[1], 0, 4);
	check("32-bit: PTE not present (read)", &m, la, false, PF(0, "PTE"));
	put(e[2], 0, 4);
	check("32-bit: PDE not present (write)", &m, la, true, PF(ERR_W, "PDE"));

	/* 4 MiB pages: PDE bits 31:22 and, PSE-36, 20:13 as address bits 39:32. */
	put(e[2], 0xc00000 | 0x3ull << 13 | PS | PRW, 4);
	m.cr4 = CR4_PSE;
	check("32-bit, 4 MiB page with PSE-36 bits", &m, la, false, OK(0x300c01234ull));
	put(e[2], 0xc00000 | BIT(21) | PS | PRW, 4);
	check("32-bit, 4 MiB: bit 21 reserved", &m, la, true, PF(ERR_P | ERR_W | ERR_RSVD, "PDE"));
	put(e[2], 0xc00000 | BIT(17) | PS | PRW, 4);
	check("32-bit, 4 MiB: bit 17 (address bit 36) reserved with MAXPHYADDR 36", &m, la, false,
	      PF(ERR_P | ERR_RSVD, "PDE"));
	m.maxphyaddr = 40;
	check("32-bit, 4 MiB: bit 17 is address bit 36 with MAXPHYADDR 40", &m, la, false,
	      OK(0x1000c01234ull));
	/* Without CR4.PSE the PS bit is ignored: the PDE points to a table. */
	put(e[2], (e[1] & ~0xfffull) | PS | PRW, 4);
	put(e[1], page | PRW, 4);
	m.cr4 = 0;
	check("32-bit, CR4.PSE = 0: PS ignored, 4 KiB page", &m, la, false, OK(page | 0x234));
}

/* One entry changed in freshly built tables, and what a walk then does.
 * The entry becomes value, or the built entry | value with keep. */
struct entry_case {
	const char *what;
	unsigned level;
	u64 value;
	bool keep;
	unsigned maxphyaddr;		/* 0: 36 */
	u64 efer;			/* added to the mode's EFER */
	bool write;
	struct expect e;
};

static void run_cases(const struct entry_case *c, unsigned n, u64 la,
		      struct guest_mmu (*setup)(u64 la, u64 entry[5]))
{
	for (unsigned i = 0; i < n; i++) {
		u64 e[5];
		struct guest_mmu m = setup(la, e);

		put(e[c[i].level], c[i].value | (c[i].keep ? get(e[c[i].level], 8) : 0), 8);
		m.maxphyaddr = c[i].maxphyaddr ? c[i].maxphyaddr : m.maxphyaddr;
		m.efer |= c[i].efer;
		check(c[i].what, &m, la, c[i].write, c[i].e);
	}
}

#define PAE_LA		0x40201234ull
#define PAE_PAGE	0x123456000ull		/* above 4 GiB */
#define BIG		0x40000000ull		/* a 2 MiB or 1 GiB page's address */

/* PAE tables for linear with the PDPT at a 32-byte (not page) boundary;
 * the PDPTE without R/W and U/S, which are reserved there. */
static struct guest_mmu setup_pae(u64 linear, u64 e[5])
{
	struct guest_mmu m = fresh(CR0_PG | CR0_WP, CR4_PAE, 0);

	m.cr3 = new_table() + 0x20;
	build(m.cr3, linear, 3, sizeof(u64), 9, PRW, PAE_PAGE | PRW, e);
	put(e[3], get(e[3], 8) & ~(u64)(RW | US), 8);
	return m;
}

static const struct entry_case pae_cases[] = {
	{ "PAE: XD reserved without EFER.NXE", 1, XD, true, 0, 0, false, PF(ERR_P | ERR_RSVD, "PTE") },
	{ "PAE: XD allowed with EFER.NXE", 1, XD, true, 0, EFER_NXE, false, OK(PAE_PAGE | 0x234) },
	{ "PAE: bit 62 reserved (62:MAXPHYADDR)", 1, BIT(62), true, 0, 0, false,
	  PF(ERR_P | ERR_RSVD, "PTE") },
	{ "PAE, 2 MiB page (whatever CR4.PSE)", 2, BIG | PS | PRW, false, 0, 0, false,
	  OK(BIG | 0x1234) },
	{ "PAE, 2 MiB: bit 13 reserved", 2, BIG | BIT(13) | PS | PRW, false, 0, 0, false,
	  PF(ERR_P | ERR_RSVD, "PDE") },
	{ "PAE: PDPTE bit 1 reserved", 3, RW, true, 0, 0, false, PF(ERR_P | ERR_RSVD, "PDPTE") },
	{ "PAE: PDPTE not present", 3, 0, false, 0, 0, true, PF(ERR_W, "PDPTE") },
};

static void test_pae(void)
{
	u64 e[5], regs[4] = { 0 };
	struct guest_mmu m = setup_pae(PAE_LA, e);

	report(guest_paging_mode(&m) == GUEST_PAGING_PAE, "CR4.PAE = 1, EFER.LMA = 0: PAE paging");
	check("PAE, 4 KiB page above 4 GiB", &m, PAE_LA, true, OK(PAE_PAGE | 0x234));
	report(!(get(e[3], 8) & A) && (get(e[2], 8) & A) && (get(e[1], 8) & (A | D)) == (A | D),
	       "PAE: A set in PDE and PTE, D in the PTE, the PDPTE untouched");
	run_cases(pae_cases, ARRAY_SIZE(pae_cases), PAE_LA, setup_pae);

	/* The PDPTE registers, when given, win over memory. */
	regs[1] = (e[2] & ~0xfffull) | P;
	put(e[2], BIG | PS | PRW, 8);
	put(e[3], 0, 8);
	m.pdpte = regs;
	check("PAE: PDPTE from the PDPTE registers (the one in memory is not present)", &m, PAE_LA,
	      false, OK(BIG | 0x1234));
	regs[1] = 0;
	check("PAE: a not-present PDPTE register", &m, PAE_LA, false, PF(0, "PDPTE"));
}

#define LA64		0xffff8000c0603abcull	/* indices 256, 3, 3, 3 */

static struct guest_mmu setup_4level(u64 linear, u64 e[5])
{
	struct guest_mmu m = fresh(CR0_PG | CR0_WP, CR4_PAE, EFER_LMA);

	build_4level(m.cr3, linear, 0x300000 | PRW, e);
	return m;
}

static const struct entry_case level4_cases[] = {
	{ "4-level: bits 62:52 ignored", 1, BIT(52) | BIT(62), true, 0, 0, false, OK(0x300abc) },
	{ "4-level: bit 36 reserved with MAXPHYADDR 36", 1, BIT(36), true, 0, 0, true,
	  PF(ERR_P | ERR_W | ERR_RSVD, "PTE") },
	{ "4-level: bit 36 is an address bit with MAXPHYADDR 52", 1, BIT(36), true, 52, 0, false,
	  OK(0x1000300abcull) },
	{ "4-level: XD reserved without EFER.NXE", 1, XD, true, 0, 0, false,
	  PF(ERR_P | ERR_RSVD, "PTE") },
	{ "4-level: XD allowed with EFER.NXE", 1, XD, true, 0, EFER_NXE, false, OK(0x300abc) },
	{ "4-level: PTE not present", 1, 0, false, 0, 0, false, PF(0, "PTE") },
	{ "4-level, 2 MiB page (bit 12 is PAT)", 2, 0x800000 | BIT(12) | PS | PRW, false, 0, 0, false,
	  OK(0x803abc) },
	{ "4-level, 2 MiB: bit 20 reserved", 2, 0x800000 | BIT(20) | PS | PRW, false, 0, 0, false,
	  PF(ERR_P | ERR_RSVD, "PDE") },
	{ "4-level, 1 GiB page", 3, BIG | PS | PRW, false, 0, 0, false, OK(BIG | 0x603abc) },
	{ "4-level, 1 GiB: bit 29 reserved", 3, BIG | BIT(29) | PS | PRW, false, 0, 0, false,
	  PF(ERR_P | ERR_RSVD, "PDPTE") },
	{ "4-level: PS reserved in a PML4E (before the PDPTE is looked at)", 4, PS, true, 0, 0,
	  false, PF(ERR_P | ERR_RSVD, "PML4E") },
	{ "4-level: PML4E not present", 4, 0, false, 0, 0, true, PF(ERR_W, "PML4E") },
};

static void test_4level(void)
{
	u64 e[5];
	struct guest_mmu m = setup_4level(LA64, e);

	m.cr3 |= 0x123;				/* a PCID */
	report(guest_paging_mode(&m) == GUEST_PAGING_4LEVEL, "EFER.LMA = 1: 4-level paging");
	check("4-level, 4 KiB page", &m, LA64, false, OK(0x300abc));
	m.maxphyaddr = 0;
	check("a MAXPHYADDR of 0 is taken as 32 (no undefined shift)", &m, LA64, false, OK(0x300abc));
	m.maxphyaddr = 36;
	run_cases(level4_cases, ARRAY_SIZE(level4_cases), LA64, setup_4level);

	m.cr4 |= CR4_LA57;
	check("5-level paging", &m, LA64, false, (struct expect){ GUEST_WALK_UNSUPPORTED });
	m.cr4 &= ~CR4_LA57;
	m.cr3 = MEM_SIZE;
	check("CR3 outside guest memory", &m, LA64, false, (struct expect){ GUEST_WALK_BAD_GPA });
}

/* Write permission, SMAP and the accessed/dirty flags on 4-level tables. */
static void test_rights(void)
{
	const u64 la = 0x7f0000401000ull;
	struct guest_mmu m = fresh(CR0_PG | CR0_WP, CR4_PAE, EFER_LMA);
	u64 e[5], before[5];
	struct guest_walk w;

	build_4level(m.cr3, la, 0x300000 | PRW, e);
	put(e[3], get(e[3], 8) & ~(u64)RW, 8);
	check("write through a read-only PDPTE, CR0.WP = 1", &m, la, true, PF(ERR_P | ERR_W, "PTE"));
	report(!(get(e[4], 8) & A) && !(get(e[1], 8) & A), "no A flag set by a walk that faulted");
	check("read through a read-only PDPTE", &m, la, false, OK(0x300000));
	report((get(e[4], 8) & A) && (get(e[3], 8) & A) && (get(e[2], 8) & A) && (get(e[1], 8) & A) &&
	       !(get(e[1], 8) & D), "a read sets A at every level, not D");
	m.cr0 = CR0_PG;
	check("write through a read-only PDPTE, CR0.WP = 0", &m, la, true, OK(0x300000));
	report((get(e[1], 8) & D) && !(get(e[2], 8) & D), "a write sets D in the PTE only");

	m.cr4 |= CR4_SMAP;
	check("SMAP: user page, RFLAGS.AC = 0", &m, la, false, PF(ERR_P, "PTE"));
	m.rflags = RFLAGS_AC;
	check("SMAP: user page, RFLAGS.AC = 1", &m, la, false, OK(0x300000));
	m.rflags = 0;
	put(e[2], get(e[2], 8) & ~(u64)US, 8);
	check("SMAP: a supervisor page (U/S = 0 in the PDE)", &m, la, false, OK(0x300000));

	for (unsigned l = 1; l <= 4; l++)
		put(e[l], get(e[l], 8) & ~(u64)(A | D), 8);
	for (unsigned l = 1; l <= 4; l++)
		before[l] = get(e[l], 8);
	m.write_phys = NULL;
	report(guest_translate(&m, la, true, &w) && get(e[1], 8) == before[1] &&
	       get(e[4], 8) == before[4], "without write_phys no A/D flag is written");
	report(!guest_write_linear(&m, la, "x", 1, &w) && w.status == GUEST_WALK_UNSUPPORTED,
	       "without write_phys guest_write_linear refuses (%s)", w.why);

	/* A reserved bit high up wins over a missing entry further down. */
	m.write_phys = fake_write;
	put(e[2], get(e[2], 8) | XD, 8);
	put(e[1], 0, 8);
	check("reserved bit in the PDE, PTE not present: RSVD at the PDE", &m, la, false,
	      PF(ERR_P | ERR_RSVD, "PDE"));
}

/* Copies crossing pages: 4-level tables with la's page at gpa 0x300000 and
 * the next one at 0x200000 (reversed, so a missed translation shows). */
static void test_copy(void)
{
	const u64 la = 0x401ff8;		/* 8 bytes before a page boundary */
	const u8 pattern[16] = "0123456789abcde";
	struct guest_mmu m = fresh(CR0_PG | CR0_WP, CR4_PAE, EFER_LMA);
	u64 e[5], e2[5];
	u8 buf[16];
	struct guest_walk w;

	build_4level(m.cr3, la, 0x300000 | PRW, e);
	e2[1] = e[1] + 8;
	put(e2[1], 0x200000 | PRW, 8);
	memcpy(mem + 0x300ff8, "ABCDEFGH", 8);
	memcpy(mem + 0x200000, "IJKLMNOP", 8);
	report(guest_read_linear(&m, la, buf, 16, &w) && !memcmp(buf, "ABCDEFGHIJKLMNOP", 16) &&
	       w.gpa == 0x300ff8, "read across a page boundary, two translations");
	report(guest_write_linear(&m, la + 1, pattern, 9, &w) && !memcmp(mem + 0x300ff9, "0123456", 7) &&
	       !memcmp(mem + 0x200000, "78", 2), "an unaligned write across the boundary");
	report(guest_read_linear(&m, la + 3, buf, 7, &w) && !memcmp(buf, "2345678", 7) && !bad_accesses,
	       "every piece is 1, 2, 4 or 8 bytes and naturally aligned");

	put(e2[1], 0x200000 | P, 8);		/* the second page read-only */
	memcpy(buf, "untouched-buffer", 16);
	report(!guest_write_linear(&m, la, pattern, 16, &w) && w.status == GUEST_WALK_PF &&
	       w.linear == 0x402000 && w.error_code == (ERR_P | ERR_W) &&
	       mem[0x300ff8] == 'A' && !memcmp(mem + 0x300ff9, "0123456", 7),
	       "a write faulting on the second page: CR2 is its start, the first page unwritten");
	put(e2[1], 0, 8);
	report(!guest_read_linear(&m, la, buf, 16, &w) && w.status == GUEST_WALK_PF &&
	       w.linear == 0x402000 && w.error_code == 0 && !memcmp(buf, "untouched-buffer", 16),
	       "a read faulting on the second page leaves the buffer untouched");
	report(!guest_read_linear(&m, 0x402004, buf, 4, &w) && w.linear == 0x402004,
	       "a fault on an access's first page: CR2 is the access's address");
	put(e2[1], MEM_SIZE | PRW, 8);
	report(!guest_read_linear(&m, la, buf, 16, &w) && w.status == GUEST_WALK_BAD_GPA &&
	       !strcmp(w.entry, "data") && w.gpa == MEM_SIZE,
	       "data outside guest memory: bad guest-physical address (got %s)", w.why);

	/* 32-bit paging: a copy at the top of the linear space wraps to 0. */
	m = fresh(CR0_PG, 0, 0);
	build_32bit(m.cr3, 0xfffff000, 0x300000 | PRW, e);
	build_32bit(m.cr3, 0, 0x200000 | PRW, e2);
	report(guest_write_linear(&m, 0xfffffffc, "wrap", 4, &w) &&
	       guest_write_linear(&m, 0xfffffffe, "WRAP", 4, &w) &&
	       !memcmp(mem + 0x300ffc, "wrWR", 4) && !memcmp(mem + 0x200000, "AP", 2),
	       "32-bit paging: a copy across 4 GiB wraps to linear 0");
	m = mmu(0, 0, 0, 0);
	report(guest_read_linear(&m, 0x100300ffcull, buf, 4, &w) && !memcmp(buf, "wrWR", 4),
	       "paging off: guest-physical = linear, 32 bits");
	report(guest_write_linear(&m, 0x300ffc, "crossing", 8, &w) &&
	       !memcmp(mem + 0x300ffc, "crossing", 8), "paging off: a copy across pages stays contiguous");
	report(!bad_accesses, "no access broke the callbacks' size and alignment contract");
}

static void test_names(void)
{
	report(!strcmp(guest_paging_mode_name(GUEST_PAGING_4LEVEL), "4-level paging") &&
	       !strcmp(guest_paging_mode_name(GUEST_PAGING_PAE), "PAE paging") &&
	       !strcmp(guest_walk_status_name(GUEST_WALK_PF), "#PF") &&
	       !strcmp(guest_walk_status_name(GUEST_WALK_BAD_GPA), "bad guest-physical address"),
	       "mode and status names");
}

void run_tests(void)
{
	test_off();
	test_32bit();
	test_pae();
	test_4level();
	test_rights();
	test_copy();
	test_names();
}
