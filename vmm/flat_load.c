#include "flat_load.h"
#include "../lib/string.h"

const char *guest_mode_name(enum guest_mode mode)
{
	return mode == GUEST_MODE_REAL16 ? "real mode" : "protected mode";
}

/* The whole image sits in [lo, hi): the checks every mode shares. */
static bool fits(const struct flat_image *im, u64 size, u64 lo, u64 hi, const char **why)
{
	if (im->load_addr < lo || im->load_addr >= hi) {
		*why = "load address outside the mode's range";
		return false;
	}
	if (size > hi - im->load_addr || im->image_end > hi) {
		*why = "image does not fit below the end of the mode's range or of guest memory";
		return false;
	}
	if (im->image_end < im->load_addr + size) {
		*why = "image_end lies before the end of the file";
		return false;
	}
	if (im->entry < im->load_addr || im->entry >= im->image_end) {
		*why = "entry point outside the image";
		return false;
	}
	return true;
}

bool flat_parse(const void *image, u64 size, u64 mem_size, struct flat_image *out,
		const char **why)
{
	struct guest_header h;

	if (!size) {
		*why = "empty image";
		return false;
	}
	if (size >= GUEST_HEADER_OFFSET + sizeof(h))
		memcpy(&h, (const u8 *)image + GUEST_HEADER_OFFSET, sizeof(h));
	if (size < GUEST_HEADER_OFFSET + sizeof(h) || h.magic != GUEST_HEADER_MAGIC) {
		/* No header: the original contract, entered at byte 0. */
		h = (struct guest_header){
			.mode = GUEST_MODE_PROT32, .load_addr = GUEST_LOAD_ADDR,
			.entry = GUEST_LOAD_ADDR,
			.image_end = (u32)MIN(size + GUEST_LOAD_ADDR, (u64)~0u),
		};
	}
	*out = (struct flat_image){
		.mode = h.mode, .load_addr = h.load_addr, .entry = h.entry,
		.image_end = h.image_end,
	};
	switch (h.mode) {
	case GUEST_MODE_REAL16:
		/* Real mode reaches 64 KiB from segment 0; the boot infos sit below. */
		return fits(out, size, GUEST_REAL_LOAD_MIN, MIN(mem_size, (u64)GUEST_REAL_END), why);
	case GUEST_MODE_PROT32:
		return fits(out, size, GUEST_REAL_LOAD_MIN, MIN(mem_size, (u64)4 << 30), why);
	}
	*why = "unknown mode in the image header";
	return false;
}
