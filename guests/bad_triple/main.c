/* bad_triple: a guest that triple-faults. With an empty IDT (limit 0),
 * ud2's #UD finds no gate, which is a #GP; the #GP finds none either, which
 * is a #DF; and a fault while delivering #DF is a triple fault (SDM Vol. 3,
 * 6.15, "Interrupt 8 - Double Fault Exception"). nestvisor must stop the
 * guest with "triple fault"; bare, the machine resets (QEMU -no-reboot
 * exits). */
#include "../lib/guest.h"

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

void guest_main(const struct guest_boot_info *bi __unused)
{
	static const struct idt_ptr empty = { 0, 0 };

	printf("bad_triple: loading an empty IDT (limit 0) and executing ud2: "
	       "expect a triple fault\n");
	__asm__ volatile("lidt %0\n\t"
			 "ud2" ::"m"(empty) : "memory");
	/* Not reached: a #UD with no IDT cannot return here. */
	report(false, "bad_triple: still running after ud2 with an empty IDT");
}
