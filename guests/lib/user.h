/* Running test code at CPL 3 or in compatibility mode, for checks of how
 * an instruction treats privilege and mode (e.g. VMX instructions: #GP(0)
 * at CPL > 0, #UD in compatibility mode). user_init() replaces the start
 * code's GDT by one built here: the start code's descriptors at the same
 * selectors, then a 64-bit user code segment, a user data segment, a
 * 32-bit code segment and a 64-bit TSS (SDM Vol. 3, 3.4.5, 7.2.3), and
 * lets CPL 3 use the guest image's pages. Any exception ends the run and
 * comes back to the caller (catch.h), in 64-bit mode at CPL 0. */
#ifndef GUESTS_USER_H
#define GUESTS_USER_H

#include "catch.h"

/* Builds and loads the GDT, loads TR, and makes the image user-accessible
 * (paging_set_user()). Once, on vCPU 0, before the calls below. */
void user_init(void);

/* Adds a flat (4 GiB limit), writable, DPL 0 data segment with this base to
 * the GDT and returns its selector: in 64-bit mode only FS and GS bases
 * count, which a test can show with such a segment in DS or ES. */
u16 user_add_data_segment(u32 base);

/* Calls fn at CPL 3 on a stack of this file. Returns false when fn
 * returned; true with the exception in *fault when it raised one (as
 * catch_iret()). fn runs in the image, with its data: it may read and
 * write globals, not use privileged instructions. */
bool user_run(void (*fn)(void), struct trap_fault *fault);

/* Jumps to 32-bit code at CPL 0 in compatibility mode (IA32_EFER.LMA = 1,
 * CS.L = 0); the code ends by reaching the ud2 at done. Returns false then;
 * true with the exception in *fault when it raised another one. Both
 * addresses must be below 4 GiB. */
bool compat_run(const void *code, const void *done, struct trap_fault *fault);

#endif
