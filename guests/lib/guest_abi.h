/* The contract between a loader and a test guest: where the image goes,
 * the CPU state at entry, the boot information and how the guest exits.
 * The loader is nestvisor's (a flat binary, virtualized or bare) or, for
 * bare runs under an emulator, any multiboot1 loader such as QEMU -kernel
 * (guests/lib/multiboot.c turns that into this contract).
 * guests/README.md explains it; nestvisor's loader includes this header. */
#ifndef GUESTS_GUEST_ABI_H
#define GUESTS_GUEST_ABI_H

#include "../../lib/types.h"

/* The image is a flat binary linked to run at this guest-physical address
 * (guests/lib/guest.ld); the loader copies it there and enters at its
 * first byte. Its zero-initialized data (.bss) follows the file's end. */
#define GUEST_LOAD_ADDR 0x100000u

/* Entry state:
 *   32-bit protected mode, CR0.PG = 0, RFLAGS.IF = 0;
 *   CS a flat 4 GiB 32-bit code segment, DS = ES = SS = FS = GS flat 4 GiB
 *   data segments (the guest loads its own GDT before touching them);
 *   EAX = GUEST_BOOT_MAGIC, EBX = guest-physical address of this vCPU's
 *   struct guest_boot_info below GUEST_LOAD_ADDR; ESP is not valid.
 * A guest with several vCPUs has all of them entered at GUEST_LOAD_ADDR at
 * once (no INIT or SIPI), each with its own boot info: vCPU i's is at
 * GUEST_BOOT_INFO_ADDR + i * sizeof(struct guest_boot_info).
 * Memory: [0, mem_size) is RAM, at least GUEST_MIN_MEM, zero-filled except
 * for the image and the boot info. */
#define GUEST_BOOT_MAGIC 0x6e657374u		/* "nest" */
#define GUEST_MIN_MEM MiB(4)
#define GUEST_MAX_CPUS 8			/* vCPUs of one guest, at most */

/* Where nestvisor's loader puts vCPU 0's boot info, the others' following
 * it (8 * 80 bytes end at 0x880); a guest only uses EBX. Low, so that a
 * real-mode image fits in [GUEST_REAL_LOAD_MIN, 64 KiB) above it. */
#define GUEST_BOOT_INFO_ADDR 0x600u

#define GUEST_BOOT_BARE BIT(0)	/* running on the CPU itself, not virtualized */
/* Bare under nestvisor: end by writing GUEST_EXITED | code to the boot
 * info's exit_status (nestvisor watches it from another CPU), not by the
 * exit port. Set only together with GUEST_BOOT_BARE. */
#define GUEST_BOOT_EXIT_MAILBOX BIT(1)
#define GUEST_EXITED 0x100u
#define GUEST_CMDLINE_SIZE 56

struct guest_boot_info {
	u32 magic;			/* GUEST_BOOT_MAGIC */
	u32 mem_size;			/* bytes of RAM from guest-physical 0 */
	u32 cpu_index;			/* this vCPU's number, 0 to nr_cpus - 1 */
	u32 flags;			/* GUEST_BOOT_* */
	u32 nr_cpus;			/* vCPUs of the guest, 1 to GUEST_MAX_CPUS */
	char cmdline[GUEST_CMDLINE_SIZE];	/* NUL-terminated */
	u32 exit_status;		/* GUEST_BOOT_EXIT_MAILBOX: GUEST_EXITED | code */
};
_Static_assert(sizeof(struct guest_boot_info) == 80, "boot info is 80 bytes");
_Static_assert(__builtin_offsetof(struct guest_boot_info, cpu_index) == 8 &&
	       __builtin_offsetof(struct guest_boot_info, flags) == 12 &&
	       __builtin_offsetof(struct guest_boot_info, nr_cpus) == 16 &&
	       __builtin_offsetof(struct guest_boot_info, cmdline) == 20 &&
	       __builtin_offsetof(struct guest_boot_info, exit_status) == 76,
	       "boot info layout is frozen");

/* The image header: a flat image may start with a 2-byte short jump over
 * two padding bytes, then this at GUEST_HEADER_OFFSET. It says how the
 * loader enters the image. An image without it (no magic there) is a
 * GUEST_MODE_PROT32 image at GUEST_LOAD_ADDR entered at its first byte.
 *
 * GUEST_MODE_PROT32: the entry state described above.
 * GUEST_MODE_REAL16: real mode (CR0.PE = 0, paging off), RFLAGS.IF = 0;
 *   CS = DS = ES = SS = FS = GS = 0 (base 0, limit 0xffff), IP = entry;
 *   the IVT at 0 (IDTR base 0, limit 0x3ff); EAX = GUEST_BOOT_MAGIC,
 *   EBX = boot info address (below 64 KiB); SP is not valid. The whole
 *   image, .bss included, lies in [GUEST_REAL_LOAD_MIN, GUEST_REAL_END).
 * In both, a guest with several vCPUs gets them all at the entry at once. */
#define GUEST_HEADER_MAGIC 0x4847564eu	/* "NVGH" */
#define GUEST_HEADER_OFFSET 4
#define GUEST_REAL_LOAD_MIN 0x1000u
#define GUEST_REAL_END 0x10000u

enum guest_mode {
	GUEST_MODE_REAL16 = 16,
	GUEST_MODE_PROT32 = 32,
};

struct guest_header {
	u32 magic;			/* GUEST_HEADER_MAGIC */
	u32 mode;			/* enum guest_mode */
	u32 load_addr;			/* guest-physical address of the file's first byte */
	u32 entry;			/* guest-physical entry point */
	u32 image_end;			/* end of the image in memory, .bss included */
};
_Static_assert(sizeof(struct guest_header) == 20, "image header is 20 bytes");

/* Exit: the guest writes its exit code as one byte (outb) to this port,
 * then halts with interrupts off. QEMU's isa-debug-exit device at this
 * port exits QEMU with status (code << 1) | 1; nestvisor implements the
 * same port and reports the code. nestvisor ends the whole guest when
 * vCPU 0 writes it; another vCPU's write ends only that vCPU. A bare guest
 * with GUEST_BOOT_EXIT_MAILBOX writes its boot info's exit_status instead
 * (the port may be QEMU's isa-debug-exit, which would end the machine). */
#define GUEST_EXIT_PORT 0xf4

enum guest_exit_code {
	GUEST_EXIT_PASS = 0,		/* every check passed */
	GUEST_EXIT_FAIL = 1,		/* some check failed */
	GUEST_EXIT_PANIC = 2,		/* bad boot state or a library assertion */
	GUEST_EXIT_EXCEPTION = 3,	/* an exception no test expected */
};

/* The console: a 16550 UART, used for output only (THR, LSR.THRE). */
#define GUEST_SERIAL_PORT 0x3f8

#endif
