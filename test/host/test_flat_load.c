/* vmm/flat_load.c: the image header of untrusted flat guest images. */
#include "harness.h"
#include "../../vmm/flat_load.h"

#define MEM (16u << 20)

struct image {
	u8 jmp[GUEST_HEADER_OFFSET];
	struct guest_header h;
	u8 code[0x100];
};

static struct image real16(void)
{
	return (struct image){
		.jmp = { 0xeb, 0x16 },
		.h = { GUEST_HEADER_MAGIC, GUEST_MODE_REAL16, 0x1000, 0x1000, 0x3000 },
	};
}

static const struct {
	const char *what;
	struct guest_header h;
	const char *why;
} bad[] = {
	{ "real mode below the boot infos", { GUEST_HEADER_MAGIC, 16, 0x800, 0x800, 0x2000 },
	  "load address outside" },
	{ "real mode past 64 KiB", { GUEST_HEADER_MAGIC, 16, 0xf000, 0xf000, 0x10001 },
	  "does not fit" },
	{ "real mode starting at 64 KiB", { GUEST_HEADER_MAGIC, 16, 0x10000, 0x10000, 0x11000 },
	  "load address outside" },
	{ "image_end inside the file", { GUEST_HEADER_MAGIC, 16, 0x1000, 0x1000, 0x1010 },
	  "image_end lies before" },
	{ "entry before the image", { GUEST_HEADER_MAGIC, 16, 0x2000, 0x1fff, 0x3000 },
	  "entry point outside" },
	{ "entry at image_end", { GUEST_HEADER_MAGIC, 16, 0x2000, 0x3000, 0x3000 },
	  "entry point outside" },
	{ "protected mode past guest memory", { GUEST_HEADER_MAGIC, 32, 0x100000, 0x100000, MEM + 1 },
	  "does not fit" },
	{ "protected mode load wraps", { GUEST_HEADER_MAGIC, 32, 0xffffff80, 0xffffff80, 0xffffffff },
	  "load address outside" },
	{ "unknown mode", { GUEST_HEADER_MAGIC, 64, 0x100000, 0x100000, 0x200000 },
	  "unknown mode" },
};

void run_tests(void)
{
	struct image im = real16();
	struct flat_image out;
	const char *why = "";
	u8 plain[64] = { 0x90 };
	bool ok;

	ok = flat_parse(&im, sizeof(im), MEM, &out, &why);
	report(ok && out.mode == GUEST_MODE_REAL16 && out.load_addr == 0x1000 &&
	       out.entry == 0x1000 && out.image_end == 0x3000,
	       "a real-mode header is taken as it is (%s)", ok ? "ok" : why);
	im.h = (struct guest_header){ GUEST_HEADER_MAGIC, GUEST_MODE_PROT32, 0x100000, 0x100010, 0x180000 };
	ok = flat_parse(&im, sizeof(im), MEM, &out, &why);
	report(ok && out.mode == GUEST_MODE_PROT32 && out.entry == 0x100010,
	       "a protected-mode header with an entry inside the image is taken");
	ok = flat_parse(plain, sizeof(plain), MEM, &out, &why);
	report(ok && out.mode == GUEST_MODE_PROT32 && out.load_addr == GUEST_LOAD_ADDR &&
	       out.entry == GUEST_LOAD_ADDR,
	       "no header: protected mode at GUEST_LOAD_ADDR, entered at byte 0");
	ok = flat_parse(plain, 3, MEM, &out, &why);
	report(ok && out.entry == GUEST_LOAD_ADDR, "an image shorter than a header has none");
	report(!flat_parse(plain, 0, MEM, &out, &why) && strstr(why, "empty"), "an empty image is refused");
	im = real16();
	report(!flat_parse(&im, sizeof(im), 0x2000, &out, &why) && strstr(why, "does not fit"),
	       "a real-mode image larger than guest memory is refused");
	report(!flat_parse(plain, sizeof(plain), GUEST_LOAD_ADDR, &out, &why) &&
	       strstr(why, "outside"), "a headerless image beyond guest memory is refused");

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		im = real16();
		im.h = bad[i].h;
		why = "";
		ok = flat_parse(&im, sizeof(im), MEM, &out, &why);
		report(!ok && strstr(why, bad[i].why), "%s: refused with \"%s\" (got \"%s\")",
		       bad[i].what, bad[i].why, ok ? "accepted" : why);
	}
	report(!strcmp(guest_mode_name(GUEST_MODE_REAL16), "real mode"), "mode names");
	report_summary("flat_load");
}
