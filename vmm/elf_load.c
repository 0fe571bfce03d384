#include "elf_load.h"
#include "../lib/string.h"

#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define MAX_PHDRS 64

struct elf64_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

static const u8 elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

bool elf_is_elf(const void *image, u64 size)
{
	return size >= sizeof(elf_magic) && !memcmp(image, elf_magic, sizeof(elf_magic));
}

/* [off, off + len) lies within [0, limit), without overflow. */
static bool within(u64 off, u64 len, u64 limit)
{
	return off <= limit && len <= limit - off;
}

static bool fail(const char **why, const char *reason)
{
	*why = reason;
	return false;
}

bool elf64_load(const void *image, u64 size, u8 *mem, u64 mem_size, u64 *entry,
		const char **why)
{
	const struct elf64_ehdr *eh = image;
	const u8 *bytes = image;
	unsigned loaded = 0;

	if (size < sizeof(*eh) || !elf_is_elf(image, size))
		return fail(why, "not an ELF file");
	if (eh->ident[4] != ELFCLASS64 || eh->ident[5] != ELFDATA2LSB || eh->ident[6] != EV_CURRENT)
		return fail(why, "not a little-endian ELF64 file");
	if (eh->type != ET_EXEC || eh->machine != EM_X86_64)
		return fail(why, "not an x86-64 executable");
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 || eh->phnum > MAX_PHDRS ||
	    !within(eh->phoff, (u64)eh->phnum * sizeof(struct elf64_phdr), size))
		return fail(why, "program headers missing or outside the file");
	for (unsigned i = 0; i < eh->phnum; i++) {
		struct elf64_phdr ph;

		/* Copied out: the image need not be aligned for the struct. */
		memcpy(&ph, bytes + eh->phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_LOAD)
			continue;
		if (ph.filesz > ph.memsz || !within(ph.offset, ph.filesz, size))
			return fail(why, "a segment's file bytes lie outside the file");
		if (!within(ph.paddr, ph.memsz, mem_size))
			return fail(why, "a segment lies outside guest memory");
		memcpy(mem + ph.paddr, bytes + ph.offset, ph.filesz);
		memset(mem + ph.paddr + ph.filesz, 0, ph.memsz - ph.filesz);
		loaded++;
	}
	if (!loaded)
		return fail(why, "no loadable segment");
	if (eh->entry >= mem_size)
		return fail(why, "entry point outside guest memory");
	*entry = eh->entry;
	*why = NULL;
	return true;
}
