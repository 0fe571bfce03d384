/* bad_io: garbage port I/O. IN and OUT of random values on random ports in
 * all three sizes, plus the writes that reset or power off a PC, must all
 * land on nestvisor's "no device" answer (reads all ones, writes ignored:
 * vmx/exit_io.c) and leave the guest unharmed. Then string I/O, which
 * nestvisor does not emulate: it must stop the guest. Bare, the writes
 * would reach real devices, so the guest only says it is skipped. */
#include "../lib/prng.h"
#include "../lib/guest.h"

#define EXIT_PORT_END (GUEST_EXIT_PORT + 4)	/* isa-debug-exit: iosize=4 */
#define UART_PORTS 8
#define PORT_COUNT 0x10000u
#define RANDOM_PORTS 64
#define STRING_IO_PORT 0x80
#define CANARY_WORDS 512
#define CANARY_SEED 0x9e3779b97f4a7c15ull
#define PRNG_SEED 0x6261645f696f2121ull

/* A table entry: one OUT, followed by an IN from the same port. */
struct port_write {
	u16 port;
	u8 size;		/* bytes: 1, 2 or 4 */
	u32 value;
	const char *what;
};

/* What a PC does with these writes when a hypervisor lets them through. */
static const struct port_write dangerous[] = {
	{ 0x64, 1, 0xfe, "8042: pulse the reset line" },
	{ 0x92, 1, 0x01, "port 92: fast reset" },
	{ 0xcf9, 1, 0x06, "reset control: hard reset" },
	{ 0x604, 2, 0x2000, "QEMU q35 ACPI PM1a_CNT: sleep (power off)" },
	{ 0xb004, 2, 0x2000, "QEMU/Bochs piix4 ACPI PM1a_CNT: sleep (power off)" },
	{ 0x21, 1, 0x00, "master PIC: unmask every IRQ" },
	{ 0xa1, 1, 0x00, "slave PIC: unmask every IRQ" },
	{ 0x43, 1, 0x30, "PIT: channel 0 mode 0" },
	{ 0x70, 1, 0x8f, "CMOS: NMI off, select the shutdown status byte" },
	{ 0x71, 1, 0x0a, "CMOS: shutdown status = jump via 40:67" },
	{ 0xcf8, 4, 0x80000000, "PCI: config address 00:00.0 register 0" },
	{ 0xcfc, 4, 0xffffffff, "PCI: write the host bridge's IDs" },
	{ 0x510, 2, 0x0000, "QEMU fw_cfg: select the signature" },
	{ 0xe9, 1, 'X', "Bochs/QEMU debug console" },
};

/* Bochs' shutdown port: writing "Shutdown" ends a Bochs machine. */
#define BOCHS_SHUTDOWN_PORT 0x8900
static const char bochs_shutdown[] = "Shutdown";

static u64 prng_state = PRNG_SEED;

static void port_out(u16 port, unsigned size, u32 v)
{
	if (size == 1)
		outb(port, (u8)v);
	else if (size == 2)
		outw(port, (u16)v);
	else
		outl(port, v);
}

/* The value read, zero-extended; what "nothing there" reads is all ones. */
static u32 port_in(u16 port, unsigned size)
{
	u32 v = 0;

	if (size == 1)
		__asm__ volatile("inb %w1, %b0" : "+a"(v) : "Nd"(port));
	else if (size == 2)
		__asm__ volatile("inw %w1, %w0" : "+a"(v) : "Nd"(port));
	else
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static bool overlaps(u32 port, unsigned size, u32 start, u32 end)
{
	return port < end && port + size > start;
}

/* The exit port would end the guest and the UART would print garbage. */
static bool port_skipped(u32 port, unsigned size)
{
	return overlaps(port, size, GUEST_EXIT_PORT, EXIT_PORT_END) ||
	       overlaps(port, size, GUEST_SERIAL_PORT, GUEST_SERIAL_PORT + UART_PORTS) ||
	       port + size > PORT_COUNT;
}

static struct {
	unsigned ins, outs, bad_ins;
	u16 first_bad_port;
	u32 first_bad_value;
} io;

static void check_in(u16 port, unsigned size)
{
	u32 v = port_in(port, size);
	u32 ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	io.ins++;
	if (v != ones && !io.bad_ins++) {
		io.first_bad_port = port;
		io.first_bad_value = v;
	}
}

static void write_then_read(u16 port, unsigned size, u32 value)
{
	port_out(port, size, value);
	io.outs++;
	check_in(port, size);
}

static u64 canary[CANARY_WORDS];

static void canary_fill(void)
{
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		canary[i] = CANARY_SEED * (i + 1);
}

static bool canary_intact(void)
{
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		if (canary[i] != CANARY_SEED * (i + 1))
			return false;
	return true;
}

static void garbage_io(void)
{
	unsigned ports = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(dangerous); i++) {
		write_then_read(dangerous[i].port, dangerous[i].size, dangerous[i].value);
		ports++;
	}
	for (unsigned i = 0; i < sizeof(bochs_shutdown) - 1; i++)
		write_then_read(BOCHS_SHUTDOWN_PORT, 1, (u8)bochs_shutdown[i]);
	ports++;

	/* Random ports, each in every size, OUT before IN and IN before OUT. */
	while (ports < ARRAY_SIZE(dangerous) + 1 + RANDOM_PORTS) {
		u16 port = (u16)prng_next(&prng_state);

		if (port_skipped(port, 4))
			continue;
		for (unsigned size = 1; size <= 4; size <<= 1) {
			check_in(port, size);
			write_then_read(port, size, (u32)prng_next(&prng_state));
		}
		ports++;
	}
	if (io.bad_ins)
		report_info("bad_io: %u INs did not read all ones, the first from port 0x%x: 0x%x",
			    io.bad_ins, io.first_bad_port, io.first_bad_value);
	report(io.bad_ins == 0 && canary_intact(),
	       "bad_io: %u OUTs and %u INs on %u ports (sizes 1, 2, 4; reset and power-off writes "
	       "included) did not hurt: every IN read all ones, memory intact",
	       io.outs, io.ins, ports);
}

static u8 string_io_buffer[16];

void guest_main(const struct guest_boot_info *bi)
{
	void *dst = string_io_buffer;

	if (bi->flags & GUEST_BOOT_BARE) {
		report_info("bad_io: running bare: garbage I/O would reach real devices, skipped");
		report_summary("bad_io");
		guest_exit(GUEST_EXIT_PASS);
	}
	printf("bad_io: garbage IN/OUT on %u+ ports with random values, then INSB: "
	       "expect nestvisor to stop me at the INSB\n", RANDOM_PORTS);
	canary_fill();
	garbage_io();

	printf("bad_io: INSB from port 0x%x (string I/O): expect nestvisor to stop me\n",
	       STRING_IO_PORT);
	__asm__ volatile("insb" : "+D"(dst) : "d"((u16)STRING_IO_PORT) : "memory");
	report(false, "bad_io: still running after INSB from port 0x%x", STRING_IO_PORT);
}
