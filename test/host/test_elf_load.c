/* vmm/elf_load.c: loading untrusted ELF64 images into guest memory. */
#include "harness.h"
#include "../../vmm/elf_load.h"

#define MEM_SIZE 0x10000

static u8 mem[MEM_SIZE];

struct image {
	u8 ehdr[64];
	u8 phdr[2][56];
	u8 payload[32];
};

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

/* A valid two-segment executable: code at 0x1000 (16 file bytes), bss at
 * 0x2000 (0 file bytes, 0x100 in memory), entry 0x1000. */
static void build(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->ehdr, "\x7f" "ELF\x02\x01\x01", 7);
	put16(im->ehdr + 16, 2);	/* ET_EXEC */
	put16(im->ehdr + 18, 62);	/* EM_X86_64 */
	put32(im->ehdr + 20, 1);
	put64(im->ehdr + 24, 0x1000);	/* entry */
	put64(im->ehdr + 32, 64);	/* phoff */
	put16(im->ehdr + 54, 56);	/* phentsize */
	put16(im->ehdr + 56, 2);	/* phnum */
	put32(im->phdr[0], 1);		/* PT_LOAD */
	put64(im->phdr[0] + 8, offsetof(struct image, payload));
	put64(im->phdr[0] + 24, 0x1000);	/* paddr */
	put64(im->phdr[0] + 32, 16);		/* filesz */
	put64(im->phdr[0] + 40, 0x20);		/* memsz */
	put32(im->phdr[1], 1);
	put64(im->phdr[1] + 24, 0x2000);
	put64(im->phdr[1] + 40, 0x100);
	memset(im->payload, 0xab, sizeof(im->payload));
}

static const struct {
	const char *what;
	unsigned offset;	/* byte of struct image to patch */
	unsigned width;
	u64 value;
	const char *why;
} bad[] = {
	{ "bad magic", 1, 1, 'X', "not an ELF file" },
	{ "32-bit class", 4, 1, 1, "not a little-endian ELF64 file" },
	{ "big-endian", 5, 1, 2, "not a little-endian ELF64 file" },
	{ "shared object", 16, 2, 3, "not an x86-64 executable" },
	{ "i386 machine", 18, 2, 3, "not an x86-64 executable" },
	{ "program headers past the end", 32, 8, 0xffffffff00ull, "program headers missing" },
	{ "program-header offset wraps", 32, 8, ~0ull - 8, "program headers missing" },
	{ "no program headers", 56, 2, 0, "program headers missing" },
	{ "odd program-header size", 54, 2, 32, "program headers missing" },
	{ "segment file bytes past the file", 64 + 8, 8, 0x7fffffff, "outside the file" },
	{ "filesz > memsz", 64 + 32, 8, 0x40, "outside the file" },
	{ "segment past guest memory", 64 + 24, 8, MEM_SIZE - 8, "outside guest memory" },
	{ "segment address wraps", 64 + 24, 8, ~0ull - 4, "outside guest memory" },
	{ "huge memsz", 64 + 56 + 40, 8, ~0ull, "outside guest memory" },
	{ "entry outside memory", 24, 8, MEM_SIZE, "entry point outside" },
};

static void patch(struct image *im, unsigned off, unsigned width, u64 v)
{
	memcpy((u8 *)im + off, &v, width);
}

void run_tests(void)
{
	struct image im;
	const char *why;
	u64 entry = 0;
	bool ok;

	build(&im);
	memset(mem, 0xee, sizeof(mem));
	ok = elf64_load(&im, sizeof(im), mem, MEM_SIZE, &entry, &why);
	report(ok && entry == 0x1000, "a valid executable loads (entry 0x%lx)", entry);
	report(mem[0x1000] == 0xab && mem[0x100f] == 0xab && mem[0x1010] == 0 && mem[0x101f] == 0 &&
	       mem[0x1020] == 0xee, "file bytes copied, the rest of memsz zeroed, nothing beyond");
	report(mem[0x2000] == 0 && mem[0x20ff] == 0 && mem[0x2100] == 0xee, "a bss segment is zeroed");
	report(elf_is_elf(&im, sizeof(im)) && !elf_is_elf("\x7f" "EL", 3) && !elf_is_elf("MZ..", 4),
	       "ELF magic recognised; short or foreign files are not");

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		build(&im);
		patch(&im, bad[i].offset, bad[i].width, bad[i].value);
		why = NULL;
		ok = elf64_load(&im, sizeof(im), mem, MEM_SIZE, &entry, &why);
		report(!ok && why && strstr(why, bad[i].why), "%s: refused (%s)", bad[i].what,
		       why ? why : "accepted!");
	}
	build(&im);
	ok = elf64_load(&im, 63, mem, MEM_SIZE, &entry, &why);
	report(!ok, "a file shorter than the ELF header is refused");
	build(&im);
	put32(im.phdr[0], 4);
	put32(im.phdr[1], 6);
	ok = elf64_load(&im, sizeof(im), mem, MEM_SIZE, &entry, &why);
	report(!ok && strstr(why, "no loadable segment"), "no PT_LOAD: refused");
}
