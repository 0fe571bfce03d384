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
 * it; a guest only uses EBX. */
#define GUEST_BOOT_INFO_ADDR 0x8000u

#define GUEST_BOOT_BARE BIT(0)	/* running on the CPU itself, not virtualized */
#define GUEST_CMDLINE_SIZE 60

struct guest_boot_info {
	u32 magic;			/* GUEST_BOOT_MAGIC */
	u32 mem_size;			/* bytes of RAM from guest-physical 0 */
	u32 cpu_index;			/* this vCPU's number, 0 to nr_cpus - 1 */
	u32 flags;			/* GUEST_BOOT_* */
	u32 nr_cpus;			/* vCPUs of the guest, 1 to GUEST_MAX_CPUS */
	char cmdline[GUEST_CMDLINE_SIZE];	/* NUL-terminated */
};
_Static_assert(sizeof(struct guest_boot_info) == 80, "boot info is 80 bytes");
_Static_assert(__builtin_offsetof(struct guest_boot_info, cpu_index) == 8 &&
	       __builtin_offsetof(struct guest_boot_info, flags) == 12 &&
	       __builtin_offsetof(struct guest_boot_info, nr_cpus) == 16 &&
	       __builtin_offsetof(struct guest_boot_info, cmdline) == 20,
	       "boot info layout is frozen");

/* Exit: the guest writes its exit code as one byte (outb) to this port,
 * then halts with interrupts off. QEMU's isa-debug-exit device at this
 * port exits QEMU with status (code << 1) | 1; nestvisor implements the
 * same port and reports the code. nestvisor ends the whole guest when
 * vCPU 0 writes it; another vCPU's write ends only that vCPU. */
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
