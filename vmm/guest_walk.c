#include "guest_walk.h"
#include "../lib/msr.h"
#include "../lib/x86.h"

/* Paging-structure entries (4.3-4.5, Figures 4-4, 4-7, 4-11). */
#define PTE_P			BIT(0)
#define PTE_RW			BIT(1)
#define PTE_US			BIT(2)
#define PTE_A			BIT(5)
#define PTE_D			BIT(6)
#define PTE_PS			BIT(7)
#define PTE_XD			BIT(63)

#define LEGACY_LINEAR_MASK	0xffffffffull	/* 32-bit and PAE paging, paging off */
#define ADDR_BITS_MAX		52		/* 4.1.4 */
#define PSE36_ADDR_BITS_MAX	40		/* 4.3: 32-bit paging reaches 40 bits */
#define PSE36_SHIFT		13		/* 4 MiB PDE bits 20:13 hold address bits 39:32 */
#define LARGE_RSVD_LO		13		/* 2 MiB and 1 GiB entries reserve 20:13, 29:13 */
#define ADDR_BITS_MIN		32		/* any MAXPHYADDR is at least 32 (36 on 64-bit CPUs) */
#define CR3_32BIT_MASK		0xfffff000ull	/* 4.3, Table 4-3 */
#define CR3_PAE_MASK		0xffffffe0ull	/* 4.4.1 */
#define PAE_PDPTE_SHIFT		30		/* linear bits 31:30 pick the PDPTE */
#define PAE_PDPTE_COUNT		4
#define PAE_PDPTE_RESERVED	(0x6ull | 0x1e0ull)	/* bits 2:1, 8:5 (Table 4-8) */
#define MAX_LEVELS		4

/* Bits lo..hi, both included; none if lo > hi. */
static u64 bit_range(unsigned lo, unsigned hi)
{
	return lo > hi ? 0 : (~0ull >> (63 - hi)) & (~0ull << lo);
}

/* One walk in progress: the mode's geometry and what was read so far. */
struct walk {
	const struct guest_mmu *m;
	enum guest_paging_mode mode;
	unsigned entry_size;			/* 4 with 32-bit paging, else 8 */
	unsigned index_bits;			/* 10 with 32-bit paging, else 9 */
	unsigned maxphy;			/* MAXPHYADDR, kept to 32..52 */
	u64 entry_gpa[MAX_LEVELS + 1], entry[MAX_LEVELS + 1];	/* by level, 1 = PTE */
};

static const char *const entry_names[MAX_LEVELS + 1] = { "?", "PTE", "PDE", "PDPTE", "PML4E" };

enum guest_paging_mode guest_paging_mode(const struct guest_mmu *m)
{
	if (!(m->cr0 & CR0_PG))
		return GUEST_PAGING_OFF;
	if (!(m->cr4 & CR4_PAE))
		return GUEST_PAGING_32BIT;
	if (!(m->efer & EFER_LMA))
		return GUEST_PAGING_PAE;
	return m->cr4 & CR4_LA57 ? GUEST_PAGING_5LEVEL : GUEST_PAGING_4LEVEL;
}

static bool stop(struct guest_walk *w, enum guest_walk_status status, const char *entry,
		 const char *why)
{
	w->status = status;
	w->entry = entry;
	w->why = why;
	return false;
}

static bool page_fault(struct guest_walk *w, u32 error_code, unsigned level, const char *why)
{
	w->error_code = error_code;
	return stop(w, GUEST_WALK_PF, entry_names[level], why);
}

static bool read_entry(struct walk *k, u64 gpa, unsigned level, u64 *e, struct guest_walk *w)
{
	if (!k->m->read_phys(k->m->opaque, gpa, e, k->entry_size)) {
		w->gpa = gpa;
		return stop(w, GUEST_WALK_BAD_GPA, entry_names[level],
			    "paging-structure entry outside guest memory");
	}
	k->entry_gpa[level] = gpa;
	k->entry[level] = *e;
	return true;
}

/* PS makes the entry map a page: a 4 MiB PDE with 32-bit paging and
 * CR4.PSE (4.3), a 2 MiB PDE with PAE or 4-level paging (4.4.2, 4.5), a
 * 1 GiB PDPTE with 4-level paging (4.5). */
static bool maps_page(const struct walk *k, unsigned level, u64 e)
{
	if (level == 1)
		return true;
	if (!(e & PTE_PS))
		return false;
	if (k->mode == GUEST_PAGING_32BIT)
		return k->m->cr4 & CR4_PSE;
	return level == 2 || level == 3;	/* PAE's PDPTEs go through pae_pdpte() */
}

/* Reserved bits of an entry (Tables 4-4 to 4-6, 4-8 to 4-11, 4-15 to 4-20). */
static u64 reserved_bits(const struct walk *k, unsigned level, bool page)
{
	u64 r;

	if (k->mode == GUEST_PAGING_32BIT) {
		unsigned m = MIN(k->maxphy, PSE36_ADDR_BITS_MAX);

		/* A 4 MiB PDE: bit 21, and the address bits 20:13 beyond M. */
		return page && level == 2 ? bit_range(PSE36_SHIFT + m - ADDR_BITS_MIN, 21) : 0;
	}
	/* PAE entries reserve 62:M, 4-level ones 51:M (62:52 are ignored). */
	r = bit_range(k->maxphy, k->mode == GUEST_PAGING_PAE ? 62 : ADDR_BITS_MAX - 1);
	if (!(k->m->efer & EFER_NXE))
		r |= PTE_XD;
	if (level == 4)
		r |= PTE_PS;
	if (page && level > 1)			/* 2 MiB: 20:13, 1 GiB: 29:13 (PAT is bit 12) */
		r |= bit_range(LARGE_RSVD_LO, 12 + k->index_bits * (level - 1) - 1);
	return r;
}

/* The physical address in an entry that maps a page at level or (page
 * false) points to the next table. */
static u64 entry_addr(const struct walk *k, unsigned level, bool page, u64 e)
{
	unsigned shift = page ? 12 + k->index_bits * (level - 1) : 12;

	if (k->mode != GUEST_PAGING_32BIT)
		return e & bit_range(shift, k->maxphy - 1);
	if (page && level == 2)			/* PSE-36 */
		return (e & bit_range(shift, 31)) | ((e >> PSE36_SHIFT) & 0xff) << 32;
	return e & CR3_32BIT_MASK;
}

/* PAE paging: the PDPTE for linear, from the PDPTE registers (4.4.1). A
 * present one with reserved bits would have made MOV CR3 fail (#GP); read
 * from memory later, it is reported as a reserved-bit #PF, as KVM does. */
static bool pae_pdpte(struct walk *k, u64 linear, bool write, u64 *table, struct guest_walk *w)
{
	unsigned i = (linear >> PAE_PDPTE_SHIFT) & (PAE_PDPTE_COUNT - 1);
	u64 e;

	if (k->m->pdpte)
		e = k->m->pdpte[i];
	else if (!read_entry(k, (k->m->cr3 & CR3_PAE_MASK) + i * sizeof(u64), 3, &e, w))
		return false;
	if (!(e & PTE_P))
		return page_fault(w, write ? PF_ERR_W : 0, 3, "not present");
	if (e & (PAE_PDPTE_RESERVED | bit_range(k->maxphy, 63)))
		return page_fault(w, PF_ERR_P | PF_ERR_RSVD | (write ? PF_ERR_W : 0), 3,
				  "reserved bit set");
	*table = entry_addr(k, 3, false, e);
	return true;
}

/* Sets A in every entry used and, on a write, D in the one mapping the page
 * (4.8). PAE PDPTEs (level 3 there) have no A flag. */
static bool set_accessed_dirty(struct walk *k, unsigned top, unsigned leaf, bool write,
			       struct guest_walk *w)
{
	for (unsigned level = top; level >= leaf; level--) {
		u64 e = k->entry[level] | PTE_A;

		if (level == leaf && write)
			e |= PTE_D;
		if (e == k->entry[level])
			continue;
		if (!k->m->write_phys(k->m->opaque, k->entry_gpa[level], e, k->entry_size)) {
			w->gpa = k->entry_gpa[level];
			return stop(w, GUEST_WALK_BAD_GPA, entry_names[level],
				    "paging-structure entry outside guest memory");
		}
	}
	return true;
}

bool guest_translate(const struct guest_mmu *m, u64 linear, bool write, struct guest_walk *w)
{
	/* 4-level geometry unless the mode changes it. */
	struct walk k = {
		.m = m, .mode = guest_paging_mode(m), .entry_size = sizeof(u64), .index_bits = 9,
		.maxphy = MIN(MAX(m->maxphyaddr, ADDR_BITS_MIN), ADDR_BITS_MAX),
	};
	u32 wr = write ? PF_ERR_W : 0;
	u64 rights = PTE_RW | PTE_US, table = 0, e;
	unsigned level, top = 4;

	if (k.mode != GUEST_PAGING_4LEVEL && k.mode != GUEST_PAGING_5LEVEL)
		linear &= LEGACY_LINEAR_MASK;
	*w = (struct guest_walk){ .linear = linear, .entry = "", .why = "" };
	switch (k.mode) {
	case GUEST_PAGING_OFF:
		w->gpa = linear;
		w->page_size = PAGE_SIZE;
		return true;
	case GUEST_PAGING_5LEVEL:
		return stop(w, GUEST_WALK_UNSUPPORTED, "", "5-level paging (CR4.LA57) is not supported");
	case GUEST_PAGING_32BIT:
		k.entry_size = sizeof(u32);
		k.index_bits = 10;
		top = 2;
		table = m->cr3 & CR3_32BIT_MASK;
		break;
	case GUEST_PAGING_PAE:
		top = 2;
		if (!pae_pdpte(&k, linear, write, &table, w))
			return false;
		break;
	case GUEST_PAGING_4LEVEL:
		table = entry_addr(&k, 1, false, m->cr3);
		break;
	}

	for (level = top;; level--) {
		unsigned shift = 12 + k.index_bits * (level - 1);
		u64 index = (linear >> shift) & ((1ull << k.index_bits) - 1);
		bool page;

		if (!read_entry(&k, table + index * k.entry_size, level, &e, w))
			return false;
		if (!(e & PTE_P))
			return page_fault(w, wr, level, "not present");
		page = maps_page(&k, level, e);
		if (e & reserved_bits(&k, level, page))
			return page_fault(w, PF_ERR_P | PF_ERR_RSVD | wr, level, "reserved bit set");
		rights &= e;
		if (page) {
			w->page_size = 1ull << shift;
			w->gpa = entry_addr(&k, level, true, e) | (linear & (w->page_size - 1));
			break;
		}
		table = entry_addr(&k, level, false, e);
	}

	/* Supervisor data access rights (4.6.1): a user-mode page (U/S = 1 at
	 * every level) only with SMAP off or RFLAGS.AC = 1; a write to a page
	 * read-only at any level only with CR0.WP = 0. */
	if ((rights & PTE_US) && (m->cr4 & CR4_SMAP) && !(m->rflags & RFLAGS_AC))
		return page_fault(w, PF_ERR_P | wr, level,
				  "user-mode page, CR4.SMAP = 1 and RFLAGS.AC = 0");
	if (write && !(rights & PTE_RW) && (m->cr0 & CR0_WP))
		return page_fault(w, PF_ERR_P | wr, level, "write to a read-only page with CR0.WP = 1");
	if (m->write_phys && !set_accessed_dirty(&k, top, level, write, w))
		return false;
	return true;
}

/* Moves n bytes at gpa, all in one page, in naturally aligned pieces of up
 * to 8 bytes: into dst (a read) or from src (a write). */
static bool phys_copy(const struct guest_mmu *m, u64 gpa, u8 *dst, const u8 *src, u64 n,
		      struct guest_walk *w)
{
	while (n) {
		unsigned size = sizeof(u64);
		u64 v = 0;
		bool ok;

		while (size > n || (gpa & (size - 1)))
			size /= 2;
		if (src) {
			for (unsigned i = 0; i < size; i++)
				v |= (u64)src[i] << (8 * i);
			ok = m->write_phys(m->opaque, gpa, v, size);
			src += size;
		} else {
			ok = m->read_phys(m->opaque, gpa, &v, size);
			for (unsigned i = 0; ok && i < size; i++)
				dst[i] = (u8)(v >> (8 * i));
			dst += size;
		}
		if (!ok) {
			w->gpa = gpa;
			return stop(w, GUEST_WALK_BAD_GPA, "data", "data outside guest memory");
		}
		gpa += size;
		n -= size;
	}
	return true;
}

static bool linear_copy(const struct guest_mmu *m, u64 linear, u8 *dst, const u8 *src, u64 len,
			struct guest_walk *w)
{
	bool write = src != NULL;
	struct guest_walk first = { .linear = linear, .entry = "", .why = "" };

	*w = first;
	if (write && !m->write_phys)
		return stop(w, GUEST_WALK_UNSUPPORTED, "", "no write_phys to write guest memory");
	/* Pass 1 faults before anything moves; pass 2 translates again (the
	 * flags are set by then) and copies. guest_translate() wraps linear
	 * addresses at 4 GiB outside 4-level paging. */
	for (int pass = 1; pass <= 2; pass++) {
		for (u64 done = 0; done < len;) {
			u64 n;

			if (!guest_translate(m, linear + done, write, w))
				return false;
			n = MIN(len - done, PAGE_SIZE - (w->linear & (PAGE_SIZE - 1)));
			if (pass == 2 && !done)
				first = *w;
			if (pass == 2 && !phys_copy(m, w->gpa, dst ? dst + done : NULL,
						    src ? src + done : NULL, n, w))
				return false;
			done += n;
		}
	}
	*w = first;
	return true;
}

bool guest_read_linear(const struct guest_mmu *m, u64 linear, void *buf, u64 len,
		       struct guest_walk *w)
{
	return linear_copy(m, linear, buf, NULL, len, w);
}

bool guest_write_linear(const struct guest_mmu *m, u64 linear, const void *buf, u64 len,
			struct guest_walk *w)
{
	return linear_copy(m, linear, NULL, buf, len, w);
}

const char *guest_paging_mode_name(enum guest_paging_mode mode)
{
	switch (mode) {
	case GUEST_PAGING_OFF:
		return "paging off";
	case GUEST_PAGING_32BIT:
		return "32-bit paging";
	case GUEST_PAGING_PAE:
		return "PAE paging";
	case GUEST_PAGING_4LEVEL:
		return "4-level paging";
	case GUEST_PAGING_5LEVEL:
		return "5-level paging";
	}
	return "?";
}

const char *guest_walk_status_name(enum guest_walk_status status)
{
	switch (status) {
	case GUEST_WALK_OK:
		return "no error";
	case GUEST_WALK_PF:
		return "#PF";
	case GUEST_WALK_BAD_GPA:
		return "bad guest-physical address";
	case GUEST_WALK_UNSUPPORTED:
		return "unsupported";
	}
	return "?";
}
