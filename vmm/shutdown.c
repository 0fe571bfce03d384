#include "shutdown.h"
#include "console.h"
#include "serial.h"
#include "../boot/efi_runtime.h"
#include "../lib/x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4	/* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT 0x8900	/* takes the string "Shutdown" */

noreturn void power_off(int code)
{
	const char *s = "Shutdown";

	pr_err("nestvisor: power off (exit code %d)", code);
	/* The last line is lost if the machine stops before the UART has sent it. */
	serial_drain();
	outb(QEMU_DEBUG_EXIT_PORT, (u8)code);
	efi_power_off();
	while (*s)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*s++);
	pr_err("nestvisor: power-off failed; halting");
	serial_drain();
	cpu_halt_forever();
}
