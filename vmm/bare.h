/* Bare runs (issue 4): a test guest started on a CPU itself, without VMX,
 * so its report can be compared line by line with the same guest run
 * virtualized (the equivalence oracle, docs/testing.md).
 *
 * How a bare guest runs and ends: the last online CPU (an AP) leaves VMX
 * operation and parks; nestvisor zeroes the guest's memory, which is
 * physical memory itself ([0, 4 MiB) minus the legacy hole and the AP
 * trampoline page, kept from the page allocator for this), loads the image
 * and one boot info there, and sends the AP INIT-SIPI-SIPI into
 * boot/bare_start.asm, which enters the guest in its mode. The guest has
 * the machine's real devices: it prints to COM1 itself while nestvisor
 * stays silent. It ends by writing its exit code to the boot info's
 * exit_status (GUEST_BOOT_EXIT_MAILBOX), which cpu0 watches; cpu0 then
 * stops the AP with INIT and runs the next bare guest the same way. The AP
 * stays stopped afterwards: the virtualized guests of that boot run on the
 * other CPUs. */
#ifndef VMM_BARE_H
#define VMM_BARE_H

#include "config.h"
#include "../boot/boot_info.h"

/* The top of a bare guest's memory: physical [0, BARE_MEM_END). */
#define BARE_MEM_END MiB(4)

/* Whether physical [base, base + size) may go to the page allocator when
 * bare guests are configured; splits the rest around the bare window. */
void bare_memory_add(phys_addr_t base, u64 size, bool bare_configured);

/* Runs every configured bare guest, one after another, on the last online
 * AP; reports each (one PASS/FAIL line) and leaves that AP stopped. */
void bare_run_all(const struct boot_info *bi, const struct nv_config *c);

#endif
