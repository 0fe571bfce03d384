#include "madt.h"
#include "../lib/panic.h"
#include "../lib/string.h"

/*
 * ACPI table layouts (ACPI 6.5, chapter 5.2). Firmware places these tables
 * anywhere, unaligned, so every structure is packed and only ever read
 * through a byte-granular view.
 */
#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_V1_LENGTH 20	/* ACPI 1.0 RSDP: covered by the first checksum */
#define RSDP_REV_XSDT 2		/* revision from which length/XSDT exist */

struct acpi_rsdp {		/* 5.2.5.3 */
	char signature[8];
	u8 checksum;		/* makes the first 20 bytes sum to 0 */
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	/* ACPI 2.0+ */
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum;	/* makes all length bytes sum to 0 */
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");

struct acpi_header {		/* 5.2.6: starts every table but the RSDP */
	char signature[4];
	u32 length;		/* of the whole table, this header included */
	u8 revision;
	u8 checksum;		/* makes all length bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header is 36 bytes");

struct acpi_madt {		/* 5.2.12 */
	struct acpi_header header;
	u32 lapic_address;
	u32 flags;
	/* followed by variable-length entries */
} __packed;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header is 44 bytes");

struct madt_entry {		/* every MADT entry starts like this */
	u8 type;
	u8 length;		/* of the entry, these two bytes included */
} __packed;

#define MADT_TYPE_LAPIC 0
struct madt_lapic {		/* 5.2.12.2 Processor Local APIC */
	struct madt_entry e;
	u8 processor_uid;
	u8 apic_id;
	u32 flags;
} __packed;
_Static_assert(sizeof(struct madt_lapic) == 8, "Local APIC entry is 8 bytes");

#define MADT_TYPE_X2APIC 9
struct madt_x2apic {		/* 5.2.12.12 Processor Local x2APIC */
	struct madt_entry e;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 processor_uid;
} __packed;
_Static_assert(sizeof(struct madt_x2apic) == 16, "Local x2APIC entry is 16 bytes");

/* Local APIC flags (5.2.12.2): a processor with neither bit set is not
 * usable at all, and the OS must not try to start it. */
#define MADT_CPU_ENABLED BIT(0)
#define MADT_CPU_ONLINE_CAPABLE BIT(1)

/* No real table comes close; a larger length is garbage, not a table. */
#define ACPI_TABLE_MAX_LENGTH MiB(1)

static u8 checksum(const void *p, size_t n)
{
	const u8 *b = p;
	u8 sum = 0;

	while (n--)
		sum += *b++;
	return sum;
}

/* A table to validate: its signature and what to say when it is bad. */
struct table_kind {
	const char *sig, *bad_sig, *bad_length, *bad_sum;
};

static const struct table_kind kind_xsdt = {
	"XSDT", "XSDT signature bad", "XSDT length bad", "XSDT checksum bad"
};
static const struct table_kind kind_rsdt = {
	"RSDT", "RSDT signature bad", "RSDT length bad", "RSDT checksum bad"
};
static const struct table_kind kind_madt = {
	"APIC", "MADT signature bad", "MADT length bad", "MADT checksum bad"
};

/* Returns the table at pa if it has the kind's signature and a sane length
 * and checksum; otherwise NULL with *why set. */
static const struct acpi_header *map_table(phys_addr_t pa, const struct table_kind *k,
					   const char **why)
{
	const struct acpi_header *h = phys_to_ptr(pa);

	if (memcmp(h->signature, k->sig, sizeof(h->signature))) {
		*why = k->bad_sig;
		return NULL;
	}
	if (h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX_LENGTH) {
		*why = k->bad_length;
		return NULL;
	}
	if (checksum(h, h->length)) {
		*why = k->bad_sum;
		return NULL;
	}
	return h;
}

/* Reads one root-table entry: 32-bit in the RSDT, 64-bit (unaligned) in
 * the XSDT (5.2.7, 5.2.8). */
static phys_addr_t root_entry(const struct acpi_header *root, size_t entry_size, size_t i)
{
	const u8 *p = (const u8 *)(root + 1) + i * entry_size;
	u32 v32;
	u64 v64;

	if (entry_size == sizeof(u32)) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

/* Finds the root table the RSDP points to and, in it, the MADT. */
static const struct acpi_madt *find_madt(phys_addr_t rsdp_pa, const char **why)
{
	const struct acpi_rsdp *rsdp = phys_to_ptr(rsdp_pa);
	const struct acpi_header *root, *h;
	bool xsdt;
	size_t entry_size, n;

	if (!rsdp_pa) {
		*why = "no RSDP";
		return NULL;
	}
	if (memcmp(rsdp->signature, RSDP_SIGNATURE, sizeof(rsdp->signature))) {
		*why = "RSDP signature bad";
		return NULL;
	}
	if (checksum(rsdp, RSDP_V1_LENGTH)) {
		*why = "RSDP checksum bad";
		return NULL;
	}
	xsdt = false;
	if (rsdp->revision >= RSDP_REV_XSDT) {
		if (rsdp->length < sizeof(*rsdp) || rsdp->length > ACPI_TABLE_MAX_LENGTH) {
			*why = "RSDP length bad";
			return NULL;
		}
		if (checksum(rsdp, rsdp->length)) {
			*why = "RSDP extended checksum bad";
			return NULL;
		}
		xsdt = rsdp->xsdt_address != 0;
	}

	if (xsdt) {
		root = map_table(rsdp->xsdt_address, &kind_xsdt, why);
		entry_size = sizeof(u64);
	} else if (rsdp->rsdt_address) {
		root = map_table(rsdp->rsdt_address, &kind_rsdt, why);
		entry_size = sizeof(u32);
	} else {
		*why = "no RSDT or XSDT address in the RSDP";
		return NULL;
	}
	if (!root)
		return NULL;

	n = (root->length - sizeof(*root)) / entry_size;
	for (size_t i = 0; i < n; i++) {
		phys_addr_t pa = root_entry(root, entry_size, i);

		if (!pa)
			continue;
		h = phys_to_ptr(pa);
		if (memcmp(h->signature, kind_madt.sig, sizeof(h->signature)))
			continue;
		h = map_table(pa, &kind_madt, why);
		if (!h)
			return NULL;
		if (h->length < sizeof(struct acpi_madt)) {
			*why = "MADT length bad";
			return NULL;
		}
		return (const struct acpi_madt *)h;
	}
	*why = xsdt ? "no MADT in the XSDT" : "no MADT in the RSDT";
	return NULL;
}

/* Walks the MADT's entries; the first walk (validate_entries) proves every
 * entry lies wholly inside the table, so later walks need no checks. */
struct entry_walk {
	const u8 *base;
	u32 off, len;
};

static struct entry_walk walk_start(const struct acpi_madt *madt)
{
	return (struct entry_walk){ (const u8 *)madt, sizeof(*madt), madt->header.length };
}

/* Returns the next entry (its header copied to *e), or NULL at the end or,
 * with *why set, at an entry that does not fit the table. */
static const u8 *walk_next(struct entry_walk *w, struct madt_entry *e, const char **why)
{
	const u8 *p;

	if (w->off >= w->len)
		return NULL;
	if (w->len - w->off < sizeof(*e)) {
		*why = "MADT entry runs past the table";
		return NULL;
	}
	p = w->base + w->off;
	memcpy(e, p, sizeof(*e));
	/* A length below 2 would never advance; one past the end overreads. */
	if (e->length < sizeof(*e) || e->length > w->len - w->off) {
		*why = "MADT entry length bad";
		return NULL;
	}
	w->off += e->length;
	return p;
}

/* For a processor entry that is present (enabled or online-capable),
 * stores its APIC ID and returns true. A processor entry shorter than its
 * layout sets *why. Longer entries are fine: later ACPI revisions may grow
 * them, and only the known prefix is read. */
static bool present_cpu(const u8 *p, const struct madt_entry *e, u32 *apic_id,
			u32 *flags, const char **why)
{
	struct madt_lapic l;
	struct madt_x2apic x;

	switch (e->type) {
	case MADT_TYPE_LAPIC:
		if (e->length < sizeof(l)) {
			*why = "MADT Local APIC entry too short";
			return false;
		}
		memcpy(&l, p, sizeof(l));
		*apic_id = l.apic_id;
		*flags = l.flags;
		break;
	case MADT_TYPE_X2APIC:
		if (e->length < sizeof(x)) {
			*why = "MADT Local x2APIC entry too short";
			return false;
		}
		memcpy(&x, p, sizeof(x));
		*apic_id = x.x2apic_id;
		*flags = x.flags;
		break;
	default:
		/* I/O APICs, overrides, NMI sources...: not processors. */
		return false;
	}
	return *flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE);
}

/* Checks every entry once, so the walks after it cannot fail. */
static bool validate_entries(const struct acpi_madt *madt, const char **why)
{
	struct entry_walk w = walk_start(madt);
	struct madt_entry e;
	const u8 *p;
	u32 id, flags;

	while ((p = walk_next(&w, &e, why)))
		present_cpu(p, &e, &id, &flags, why);
	return !*why;
}

/* Whether a present processor entry before offset end has this APIC ID:
 * firmware may describe one CPU by both a Local APIC and a Local x2APIC
 * entry, and it must be started once. */
static bool listed_before(const struct acpi_madt *madt, u32 end, u32 apic_id)
{
	struct entry_walk w = walk_start(madt);
	struct madt_entry e;
	const char *why = NULL;
	const u8 *p;
	u32 id, flags;

	while (w.off < end && (p = walk_next(&w, &e, &why)))
		if (present_cpu(p, &e, &id, &flags, &why) && id == apic_id)
			return true;
	return false;
}

int madt_find_cpus(phys_addr_t rsdp, struct madt_cpu *out, unsigned cap,
		   unsigned *ignored, const char **why)
{
	const struct acpi_madt *madt;
	struct entry_walk w;
	struct madt_entry e;
	unsigned count = 0, dropped = 0;
	const u8 *p;

	ASSERT(why && (out || !cap));
	*why = NULL;
	if (ignored)
		*ignored = 0;
	madt = find_madt(rsdp, why);
	if (!madt)
		return -1;
	/* A damaged table gives no list at all: a partial one would be
	 * mistaken for the whole machine. */
	if (!validate_entries(madt, why))
		return -1;

	w = walk_start(madt);
	while ((p = walk_next(&w, &e, why))) {
		u32 entry_off = w.off - e.length;
		u32 id, flags;

		if (!present_cpu(p, &e, &id, &flags, why) ||
		    listed_before(madt, entry_off, id))
			continue;
		if (count == cap) {
			dropped++;
			continue;
		}
		out[count++] = (struct madt_cpu){ id, flags & MADT_CPU_ENABLED };
	}

	if (ignored)
		*ignored = dropped;
	if (!count && !dropped) {
		*why = "no processors in the MADT";
		return -1;
	}
	return count;
}
