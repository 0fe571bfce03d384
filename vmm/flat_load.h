/* Loading a flat guest image (guests/lib/guest_abi.h, "The image header"):
 * where it goes, where it is entered and in which mode. Pure and defensive,
 * the image being untrusted input; host-tested (test/host/test_flat_load.c). */
#ifndef VMM_FLAT_LOAD_H
#define VMM_FLAT_LOAD_H

#include "../guests/lib/guest_abi.h"

struct flat_image {
	enum guest_mode mode;
	u32 load_addr;
	u32 entry;
	u32 image_end;			/* end in memory, .bss included */
};

/* Reads the image's header, or the defaults when it has none, into *out
 * and checks the image fits [0, mem_size) and its mode's rules: false with
 * *why in words otherwise. */
bool flat_parse(const void *image, u64 size, u64 mem_size, struct flat_image *out,
		const char **why);

/* Names a mode for messages: "real mode", "protected mode". */
const char *guest_mode_name(enum guest_mode mode);

#endif
