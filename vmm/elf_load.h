/* Loading an ELF64 executable into guest memory (System V gABI, ELF-64
 * Object File Format 1.5): every PT_LOAD segment at its physical address.
 * Pure, and defensive: the image is untrusted input. Host-tested. */
#ifndef VMM_ELF_LOAD_H
#define VMM_ELF_LOAD_H

#include "../lib/types.h"

/* Whether image starts with the ELF magic (then elf64_load decides). */
bool elf_is_elf(const void *image, u64 size);

/* Copies each PT_LOAD segment's file bytes to mem + p_paddr and zeroes the
 * rest of its memory size; returns true with *entry set, or false with *why
 * in words (bad header, not x86-64 executable, a segment outside the file or
 * outside [0, mem_size), ...), in which case mem may be partly written. */
bool elf64_load(const void *image, u64 size, u8 *mem, u64 mem_size, u64 *entry,
		const char **why);

#endif
