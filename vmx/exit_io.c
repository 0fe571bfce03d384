/* Port I/O: I/O exiting is unconditional, so no guest access reaches the
 * real hardware. Two virtual devices answer: the 16550 at 0x3f8 (bytes go
 * to nestvisor's console as whole lines, prefixed with the guest's name)
 * and the exit port 0xf4 (QEMU isa-debug-exit compatible). Any other port
 * reads as all ones and ignores writes, logged once per port. */
#include "exit.h"
#include "vmcs_field.h"
#include "../guests/lib/guest_abi.h"
#include "../vmm/console.h"

/* Exit qualification for I/O instructions (SDM Table 28-5). */
#define IO_SIZE_MASK 0x7u	/* size - 1 */
#define IO_IN BIT(3)
#define IO_STRING BIT(4)
#define IO_PORT_SHIFT 16

#define UART_PORTS 8
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_IDLE 0x60	/* THRE | TEMT: always ready */

static void console_byte(struct vcpu *v, char c)
{
	if (c == '\r')
		return;
	if (c != '\n' && v->line_len < CONSOLE_LINE_MAX - 1) {
		v->line[v->line_len++] = c;
		return;
	}
	v->line[v->line_len] = '\0';
	pr_err("%s: %s", v->guest->name, v->line);	/* guest output is shown at every level */
	v->line_len = 0;
	if (c != '\n')
		console_byte(v, c);
}

static void log_port_once(struct vcpu *v, u16 port, bool in)
{
	if (v->ports_logged[port / 8] & (1u << (port % 8)))
		return;
	v->ports_logged[port / 8] |= 1u << (port % 8);
	pr_info("%s: port 0x%x has no device: %s (logged once)", v->guest->name, port,
		in ? "reads return all ones" : "writes are ignored");
}

static u32 port_in(struct vcpu *v, u16 port, unsigned size)
{
	if (port >= GUEST_SERIAL_PORT && port < GUEST_SERIAL_PORT + UART_PORTS)
		return port == GUEST_SERIAL_PORT + UART_LSR ? UART_LSR_IDLE : 0;
	log_port_once(v, port, true);
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void port_out(struct vcpu *v, u16 port, u32 value)
{
	if (port == GUEST_SERIAL_PORT + UART_THR) {
		console_byte(v, (char)value);
	} else if (port > GUEST_SERIAL_PORT && port < GUEST_SERIAL_PORT + UART_PORTS) {
		/* UART set-up: nothing to configure on a virtual wire. */
	} else if (port == GUEST_EXIT_PORT) {
		v->exit_code = value & 0xff;
		vcpu_stop(v, "exit port: code %d", v->exit_code);
	} else {
		log_port_once(v, port, false);
	}
}

void exit_io(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned size = (q & IO_SIZE_MASK) + 1;
	u16 port = q >> IO_PORT_SHIFT;
	u64 mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;

	if (q & IO_STRING) {
		vcpu_stop(v, "string I/O (INS/OUTS) on port 0x%x is not emulated", port);
		return;
	}
	if (q & IO_IN) {
		u32 value = port_in(v, port, size);

		/* A 32-bit IN zero-extends into RAX; narrower ones merge. */
		v->regs.rax = size == 4 ? value : (v->regs.rax & ~mask) | value;
	} else {
		port_out(v, port, (u32)(v->regs.rax & mask));
	}
	if (!v->stopped)
		exit_skip_instruction(v);
}
