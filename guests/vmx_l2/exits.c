/* L2's instructions that exit to L1, and their exit information (SDM Vol.
 * 3C 26.1-26.2 which instructions exit, 28.2 the exit information: basic
 * reason, qualification, instruction length; GUEST_RIP is the exiting
 * instruction's address), and the MSR bitmap letting FS_BASE through. */
#include "l2.h"

#define CPUID_MARK 0x324c4c32u		/* what L1's emulated CPUID gives L2 in EBX */
#define IO_PORT 0x1234
#define IO_PORT_EDGE 0x7fff		/* a word there covers 0x8000 in bitmap B */
#define IO_IN_VALUE 0xbeef
#define MSR_SYSENTER_CS 0x174
#define MSR_OUTSIDE_LOW 0x40000000u	/* in neither bitmap range (SDM 25.6.9) */
#define L2_SYSENTER_CS 0x10
#define FS_BASE_VALUE 0x00007fff12345000ull
#define KGS_VALUE 0x0000123456789000ull
#define MSR_EMULATED 0x1122334455667788ull

/* I/O exit qualification (SDM 28.2.1, Table 28-5). */
#define IOQ_SIZE(bytes) ((u64)(bytes) - 1)	/* bits 2:0 */
#define IOQ_IN BIT(3)
#define IOQ_IMM BIT(6)				/* operand encoding: immediate */
#define IOQ_PORT(p) ((u64)(p) << 16)

/* MSR bitmap (SDM 25.6.9): read low, read high, write low, write high,
 * 1 KiB each; the high range starts at 0xc0000000. */
#define MSRB_READ 0
#define MSRB_WRITE 2048
#define MSRB_HIGH 1024
#define MSR_HIGH_BASE 0xc0000000u

static void msr_intercept(u32 msr, unsigned rw)
{
	unsigned off = rw + (msr >= MSR_HIGH_BASE ? MSRB_HIGH : 0);
	u32 bit = msr & 0x1fff;

	msr_bitmap[off + bit / 8] |= (u8)(1u << (bit % 8));
}

static void io_intercept(u16 port)
{
	u8 *map = port < 0x8000 ? io_bitmap_a : io_bitmap_b;
	unsigned bit = port & 0x7fff;

	map[bit / 8] |= (u8)(1u << (bit % 8));
}

void t_cpuid(void)
{
	struct l2_exit e;
	struct cpuid c;

	l2_prepare(l2_cpuid);
	l2_regs.rax = 0;
	l2_regs.rcx = 0;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_CPUID, l2_cpuid, 2,
		       "CPUID in L2 exits to L1: reason 10, length 2, RIP at the CPUID")) {
		/* L1 emulates it: its own leaf, EBX marked as L1's answer. */
		c = cpuid((u32)l2_regs.rax, (u32)l2_regs.rcx);
		l2_regs.rax = c.eax;
		l2_regs.rbx = CPUID_MARK;
		l2_regs.rcx = c.ecx;
		l2_regs.rdx = c.edx;
		e = l2_skip_and_resume(&e);
		if (check_exit(&e, EXIT_REASON_VMCALL, l2_cpuid_next, 3,
			       "after L1's emulation VMRESUME continues at the next instruction"))
			res(l2_regs.rbx == CPUID_MARK && l2_regs.rax == c.eax,
			    "L2 got the CPUID results L1 emulated (EAX, EBX)");
	}
	l2_finish();
}

void t_vmcall(void)
{
	struct l2_regs want;
	struct l2_exit e;
	u64 *r = (u64 *)&l2_regs;

	l2_prepare(l2_vmcall);
	for (unsigned i = 0; i < sizeof(l2_regs) / sizeof(u64); i++)
		r[i] = 0x0101010101010101ull * (i + 1);
	want = l2_regs;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_vmcall, 3,
		       "VMCALL in L2 exits to L1: reason 18, length 3, RIP at the VMCALL"))
		res(!memcmp(&want, &l2_regs, sizeof(want)),
		    "L2's 15 general-purpose registers reach L1 as L1 loaded them");
	l2_finish();
}

void t_hlt(void)
{
	struct l2_exit e;

	l2_prepare(l2_hlt);
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_HLT, l2_hlt, 1,
		       "HLT in L2 with HLT exiting exits: reason 12, length 1, RIP at the HLT")) {
		e = l2_skip_and_resume(&e);
		check_exit(&e, EXIT_REASON_VMCALL, l2_hlt_next, 3,
			   "L1 skips the HLT and L2 goes on with the next instruction");
	}
	l2_finish();
}

/* Runs l2_io with DX = port: OUT byte to DX, IN word from DX (L1 gives
 * IO_IN_VALUE), OUT doubleword to port 0x80. out_exits/in_exits/imm_exits
 * say which of them must exit; what names the configuration. */
static void io_run(u16 port, bool out_exits, bool in_exits, bool imm_exits, const char *what)
{
	struct l2_exit e;

	l2_regs.rdx = port;
	e = l2_launch();
	if (out_exits) {
		if (!check_exit(&e, EXIT_REASON_IO_INSTRUCTION, l2_io, 1,
				"%s: OUT DX, AL exits (reason 30, length 1)", what))
			return;
		res(e.qualification == (IOQ_SIZE(1) | IOQ_PORT(port)),
		    "%s: OUT DX, AL qualification: port, size 1, out, DX operand (0x%llx)", what,
		    (unsigned long long)e.qualification - IOQ_PORT(port));
		e = l2_skip_and_resume(&e);
	}
	if (in_exits) {
		if (!check_exit(&e, EXIT_REASON_IO_INSTRUCTION, l2_io_in, 2,
				"%s: IN AX, DX exits (reason 30, length 2)", what))
			return;
		res(e.qualification == (IOQ_SIZE(2) | IOQ_IN | IOQ_PORT(port)),
		    "%s: IN AX, DX qualification: port, size 2, in, DX operand (0x%llx)", what,
		    (unsigned long long)e.qualification - IOQ_PORT(port));
		l2_regs.rax = IO_IN_VALUE;
		e = l2_skip_and_resume(&e);
	}
	if (imm_exits) {
		if (!check_exit(&e, EXIT_REASON_IO_INSTRUCTION, l2_io_imm, 2,
				"%s: OUT 0x80, EAX exits (reason 30, length 2)", what))
			return;
		res(e.qualification == (IOQ_SIZE(4) | IOQ_IMM | IOQ_PORT(0x80)),
		    "%s: OUT 0x80, EAX qualification: port 0x80, size 4, out, immediate (0x%llx)",
		    what, (unsigned long long)e.qualification);
		e = l2_skip_and_resume(&e);
	}
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_io_end, 3,
		       "%s: no other exit before L2's VMCALL", what) && in_exits)
		res((u16)l2_regs.rax == IO_IN_VALUE, "%s: L2's IN got the value L1 emulated", what);
}

void t_io_unconditional(void)
{
	l2_prepare(l2_io);
	io_run(IO_PORT, true, true, true, "unconditional I/O exiting");
	l2_finish();
}

void t_io_bitmaps(void)
{
	/* Bitmap A has the port: both DX forms exit, port 0x80 does not. */
	l2_prepare(l2_io);
	vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_UNCONDITIONAL_IO_EXITING);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_USE_IO_BITMAPS);
	io_intercept(IO_PORT);
	io_run(IO_PORT, true, true, false, "I/O bitmap A with the port");
	l2_finish();

	/* Only 0x8000 in bitmap B: a byte at 0x7fff passes, a word there
	 * exits (any byte of the access counts, SDM 26.1.3). */
	l2_prepare(l2_io);
	vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_UNCONDITIONAL_IO_EXITING);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_USE_IO_BITMAPS);
	io_intercept(IO_PORT_EDGE + 1);
	io_run(IO_PORT_EDGE, false, true, false, "I/O bitmap B with port 0x8000, access at 0x7fff");
	l2_finish();
}

void t_msr_intercepted(void)
{
	struct l2_exit e;

	/* The read of SYSENTER_CS exits; L1 answers. */
	l2_prepare(l2_rdmsr);
	msr_intercept(MSR_SYSENTER_CS, MSRB_READ);
	l2_regs.rcx = MSR_SYSENTER_CS;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_MSR_READ, l2_rdmsr, 2,
		       "RDMSR of an MSR whose read bit is set exits: reason 31, length 2")) {
		res(l2_regs.rcx == MSR_SYSENTER_CS, "RDMSR exit: RCX holds the MSR (0x174)");
		l2_regs.rax = (u32)MSR_EMULATED;
		l2_regs.rdx = MSR_EMULATED >> 32;
		e = l2_skip_and_resume(&e);
		if (check_exit(&e, EXIT_REASON_VMCALL, l2_rdmsr_next, 3,
			       "RDMSR exit: L1 skips it and L2 goes on"))
			res((l2_regs.rdx << 32 | (u32)l2_regs.rax) == MSR_EMULATED,
			    "RDMSR exit: L2 got EDX:EAX as L1 emulated them");
	}
	l2_finish();

	/* Only its write bit set: the read does not exit and L2 reads the
	 * value its guest-state area loaded (SDM 27.3.2.1). */
	l2_prepare(l2_rdmsr);
	msr_intercept(MSR_SYSENTER_CS, MSRB_WRITE);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, L2_SYSENTER_CS);
	l2_regs.rcx = MSR_SYSENTER_CS;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_rdmsr_next, 3,
		       "RDMSR of an MSR with only its write bit set does not exit"))
		res(l2_regs.rax == L2_SYSENTER_CS && l2_regs.rdx == 0,
		    "L2 reads its own SYSENTER_CS, loaded from the guest-state area");
	l2_finish();

	/* The write of KERNEL_GS_BASE (high range) exits. */
	l2_prepare(l2_wrmsr);
	msr_intercept(MSR_KERNEL_GS_BASE, MSRB_WRITE);
	l2_regs.rcx = MSR_KERNEL_GS_BASE;
	l2_regs.rax = (u32)KGS_VALUE;
	l2_regs.rdx = KGS_VALUE >> 32;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_MSR_WRITE, l2_wrmsr, 2,
		       "WRMSR of an MSR whose write bit is set (high range) exits: reason 32"))
		res(l2_regs.rcx == MSR_KERNEL_GS_BASE &&
		    (l2_regs.rdx << 32 | (u32)l2_regs.rax) == KGS_VALUE,
		    "WRMSR exit: RCX holds the MSR, EDX:EAX the value L2 wrote");
	l2_finish();
}

void t_msr_outside_ranges(void)
{
	struct l2_exit e;

	l2_prepare(l2_rdmsr);
	l2_regs.rcx = MSR_OUTSIDE_LOW;
	e = l2_launch();
	check_exit(&e, EXIT_REASON_MSR_READ, l2_rdmsr, 2,
		   "RDMSR of an MSR outside both bitmap ranges exits with a clear bitmap");
	l2_finish();

	l2_prepare(l2_wrmsr);
	l2_regs.rcx = MSR_HIGH_BASE + 0x2000;
	e = l2_launch();
	check_exit(&e, EXIT_REASON_MSR_WRITE, l2_wrmsr, 2,
		   "WRMSR of 0xc0002000 (past the high range) exits with a clear bitmap");
	l2_finish();
}

static void wrmsr_fs_base(void)
{
	l2_regs.rcx = MSR_FS_BASE;
	l2_regs.rax = (u32)FS_BASE_VALUE;
	l2_regs.rdx = FS_BASE_VALUE >> 32;
}

void t_fs_base_passed(void)
{
	struct l2_exit e;

	l2_prepare(l2_wrmsr);
	wrmsr_fs_base();
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_wrmsr_next, 3,
		       "WRMSR FS_BASE with FS_BASE passed in L1's bitmap: no exit before the VMCALL"))
		res(vmcs_read(VMCS_GUEST_FS_BASE) == FS_BASE_VALUE,
		    "VMREAD GUEST_FS_BASE shows the value L2 wrote");
	l2_finish();
}

void t_fs_base_intercepted(void)
{
	struct l2_exit e;

	l2_prepare(l2_wrmsr);
	msr_intercept(MSR_FS_BASE, MSRB_WRITE);
	wrmsr_fs_base();
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_MSR_WRITE, l2_wrmsr, 2,
		       "WRMSR FS_BASE with its write bit set exits: reason 32, length 2")) {
		res(l2_regs.rcx == MSR_FS_BASE, "FS_BASE exit: RCX = 0xc0000100");
		res(vmcs_read(VMCS_GUEST_FS_BASE) == 0,
		    "FS_BASE exit: GUEST_FS_BASE still holds L2's old base");
		/* L1 emulates the write in L2's guest-state area. */
		vmcs_write(VMCS_GUEST_FS_BASE, l2_regs.rdx << 32 | (u32)l2_regs.rax);
		e = l2_skip_and_resume(&e);
		if (check_exit(&e, EXIT_REASON_VMCALL, l2_wrmsr_next, 3,
			       "FS_BASE exit: L1 emulates the write and L2 goes on"))
			res(vmcs_read(VMCS_GUEST_FS_BASE) == FS_BASE_VALUE,
			    "FS_BASE exit: GUEST_FS_BASE keeps the emulated value across the entry");
	}
	l2_finish();
}
