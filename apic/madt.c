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

/* Local APIC flags (5.2.12.2, Table 5.23): a processor with neither bit set
 * is not usable at all and the OS must not try to start it. */
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

/* Adds a processor unless its APIC ID is already listed: firmware may
 * describe one CPU by both a Local APIC and a Local x2APIC entry. */
static void add_cpu(struct madt_cpu *out, unsigned cap, unsigned *count,
		    unsigned *dropped, u32 apic_id, u32 flags)
{
	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)))
		return;
	for (unsigned i = 0; i < *count; i++)
		if (out[i].apic_id == apic_id)
			return;
	if (*count >= cap) {
		(*dropped)++;
		return;
	}
	out[*count] = (struct madt_cpu){ apic_id, flags & MADT_CPU_ENABLED };
	(*count)++;
}

int madt_find_cpus(phys_addr_t rsdp, struct madt_cpu *out, unsigned cap,
		   unsigned *ignored, const char **why)
{
	const struct acpi_madt *madt;
	const u8 *base;
	unsigned count = 0, dropped = 0;
	u32 len, off;

	ASSERT(why && (out || !cap));
	*why = NULL;
	if (ignored)
		*ignored = 0;
	madt = find_madt(rsdp, why);
	if (!madt)
		return -1;

	/* Each entry must lie wholly inside the table and be at least as long
	 * as its type's layout; anything else means the table is damaged,
	 * and a partial CPU list would be worse than none. */
	base = (const u8 *)madt;
	len = madt->header.length;
	for (off = sizeof(*madt); off < len; ) {
		struct madt_entry e;

		if (len - off < sizeof(e)) {
			*why = "MADT entry runs past the table";
			return -1;
		}
		memcpy(&e, base + off, sizeof(e));
		if (e.length < sizeof(e) || e.length > len - off) {
			*why = "MADT entry length bad";
			return -1;
		}
		if (e.type == MADT_TYPE_LAPIC) {
			struct madt_lapic l;

			if (e.length < sizeof(l)) {
				*why = "MADT Local APIC entry too short";
				return -1;
			}
			memcpy(&l, base + off, sizeof(l));
			add_cpu(out, cap, &count, &dropped, l.apic_id, l.flags);
		} else if (e.type == MADT_TYPE_X2APIC) {
			struct madt_x2apic x;

			if (e.length < sizeof(x)) {
				*why = "MADT Local x2APIC entry too short";
				return -1;
			}
			memcpy(&x, base + off, sizeof(x));
			add_cpu(out, cap, &count, &dropped, x.x2apic_id, x.flags);
		}
		/* Other entry types (I/O APIC, overrides, NMI sources...) are
		 * not about processors. */
		off += e.length;
	}

	if (ignored)
		*ignored = dropped;
	if (!count && !dropped) {
		*why = "no processors in the MADT";
		return -1;
	}
	return count;
}
