/* A guest's linear addresses, translated by walking its own page tables the
 * way the CPU does for a data access at CPL 0 (a guest hypervisor executes
 * VMX instructions at CPL 0), and copies between nestvisor and guest linear
 * memory built on it. Pure; host-tested (test/host/test_guest_walk.c).
 *
 * SDM Vol. 3A chapter 4: 4.1.1 (which paging mode), 4.3 (32-bit paging:
 * 4 KiB pages, 4 MiB pages with CR4.PSE and PSE-36 addresses), 4.4 (PAE
 * paging: four PDPTEs located by CR3, 4 KiB and 2 MiB pages), 4.5 (4-level
 * paging: 4 KiB, 2 MiB and 1 GiB pages), 4.6 (access rights), 4.7 (#PF and
 * its error code), 4.8 (accessed and dirty flags).
 *
 * What the CPU does that this walker does not:
 *  - 5-level paging (CR4.LA57): reported as GUEST_WALK_UNSUPPORTED;
 *  - protection keys (CR4.PKE with PKRU, CR4.PKS with IA32_PKRS), CET
 *    shadow-stack pages: it never sets the PK or SS error-code bits;
 *  - 1 GiB pages are taken as supported (CPUID.80000001H:EDX.Page1GB): a
 *    guest that is told otherwise could use a PDPTE with PS = 1 unfaulted;
 *  - PSE-36 is taken as supported: a 4 MiB page's address bits 39:32 come
 *    from PDE bits 20:13, up to MAXPHYADDR (at most 40).
 *
 * Accessed and dirty flags (4.8) are set when a write_phys callback is
 * given, after a translation succeeded (none is set for a walk that ends
 * in a #PF, as KVM does): A in every entry used, D as well in the entry
 * that maps the page on a write. PAE PDPTEs have no A flag. The CPU sets
 * them with locked operations; a plain write_phys may lose a concurrent
 * update of the same entry by another vCPU of the guest. */
#ifndef VMM_GUEST_WALK_H
#define VMM_GUEST_WALK_H

#include "../lib/types.h"

/* Reads or writes size bytes (1, 2, 4 or 8, naturally aligned) of guest-
 * physical memory as a little-endian value; false if [gpa, gpa + size) is
 * not guest memory. */
typedef bool (*guest_read_phys_t)(void *opaque, u64 gpa, u64 *value, unsigned size);
typedef bool (*guest_write_phys_t)(void *opaque, u64 gpa, u64 value, unsigned size);

/* #PF error code (Vol. 3A 4.7). U/S stays 0 (supervisor access) and I/D 0
 * (data access). */
#define PF_ERR_P		BIT(0)	/* 0: not present; 1: rights or reserved bit */
#define PF_ERR_W		BIT(1)	/* the access was a write */
#define PF_ERR_U		BIT(2)
#define PF_ERR_RSVD		BIT(3)	/* a reserved bit was set */

/* The guest's paging state and its memory. */
struct guest_mmu {
	u64 cr0, cr3, cr4, efer;
	u64 rflags;			/* AC, for SMAP */
	unsigned maxphyaddr;		/* the guest's physical-address width (4.1.4) */
	/* PAE paging: the four PDPTE registers (loaded by the CPU at MOV CR3,
	 * 4.4.1; the VMCS's guest PDPTEs with EPT), or NULL to read them at CR3. */
	const u64 *pdpte;
	guest_read_phys_t read_phys;
	guest_write_phys_t write_phys;	/* NULL: no A/D flags, no guest_write_linear() */
	void *opaque;
};

enum guest_paging_mode {
	GUEST_PAGING_OFF, GUEST_PAGING_32BIT, GUEST_PAGING_PAE, GUEST_PAGING_4LEVEL,
	GUEST_PAGING_5LEVEL,
};

enum guest_walk_status {
	GUEST_WALK_OK,
	GUEST_WALK_PF,			/* inject #PF with error_code, CR2 = linear */
	GUEST_WALK_BAD_GPA,		/* gpa is not guest memory: no CPU exception */
	GUEST_WALK_UNSUPPORTED,		/* 5-level paging, or a write without write_phys */
};

struct guest_walk {
	enum guest_walk_status status;
	u64 linear;			/* the address translated; for PF, the one for CR2 */
	u64 gpa;			/* OK: its translation; BAD_GPA: the address refused */
	u64 page_size;			/* OK: 4 KiB, 2 MiB, 4 MiB or 1 GiB (4 KiB when paging is off) */
	u32 error_code;			/* PF */
	/* PF, BAD_GPA: "PTE", "PDE", "PDPTE", "PML4E" (where the walk stopped;
	 * for a rights fault, the entry mapping the page) or "data". */
	const char *entry;
	const char *why;		/* words for anything but OK, "" otherwise */
};

/* The paging mode the CPU uses (4.1.1, Table 4-1). */
enum guest_paging_mode guest_paging_mode(const struct guest_mmu *m);
const char *guest_paging_mode_name(enum guest_paging_mode mode);

/* Translates linear for a data read or, if write, a data write at CPL 0.
 * Linear addresses have 32 bits outside 4-level paging (higher bits are
 * dropped); with 4-level paging the caller checked it is canonical
 * (vmx_operand does). Returns true on GUEST_WALK_OK; *w says the rest. */
bool guest_translate(const struct guest_mmu *m, u64 linear, bool write, struct guest_walk *w);

/* Copies len bytes from guest linear memory at linear into buf, or from buf
 * to it, page by page. Every page is translated before any byte moves, so
 * a #PF (with w->linear the first faulting address, the CR2 value) leaves
 * both sides untouched, as it would for one instruction's access (the A and
 * D flags of pages translated before it may be set); a BAD_GPA on the data
 * itself can stop a write part-way. On success w->linear and w->gpa locate
 * the first byte. Meant for operands of a few bytes. Returns true on
 * GUEST_WALK_OK. */
bool guest_read_linear(const struct guest_mmu *m, u64 linear, void *buf, u64 len,
		       struct guest_walk *w);
bool guest_write_linear(const struct guest_mmu *m, u64 linear, const void *buf, u64 len,
			struct guest_walk *w);

/* Names for messages: "paging off", "32-bit paging", ...; "no error",
 * "#PF", "bad guest-physical address", "unsupported". */
const char *guest_walk_status_name(enum guest_walk_status status);

#endif
