#include "pit.h"
#include "../lib/panic.h"
#include "../lib/x86.h"

#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define   PIT_SEL_CH2 (2 << 6)
#define   PIT_ACCESS_LOHI (3 << 4)
#define   PIT_MODE0 (0 << 1)	/* interrupt on terminal count: OUT rises at 0 */
#define PORT_SYS_CTRL_B 0x61	/* NMI status and control register */
#define   SYS_CTRL_CH2_GATE BIT(0)
#define   SYS_CTRL_SPEAKER BIT(1)
#define   SYS_CTRL_CH2_OUT BIT(5)
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

void pit_wait_us(u32 us)
{
	u32 count = (u32)((u64)PIT_HZ * us / 1000000);
	u8 ctrl;

	ASSERT(us <= PIT_MAX_WAIT_US && count > 0);
	/* Gate channel 2 on, speaker off; then load the count in mode 0. */
	ctrl = (inb(PORT_SYS_CTRL_B) & ~SYS_CTRL_SPEAKER) & ~SYS_CTRL_CH2_GATE;
	outb(PORT_SYS_CTRL_B, ctrl);
	outb(PIT_COMMAND, PIT_SEL_CH2 | PIT_ACCESS_LOHI | PIT_MODE0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	outb(PORT_SYS_CTRL_B, ctrl | SYS_CTRL_CH2_GATE); /* counting starts on the gate's rising edge */
	while (!(inb(PORT_SYS_CTRL_B) & SYS_CTRL_CH2_OUT))
		cpu_relax();
}

void pic_disable(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
