/* vmm/vlapic.c: the virtual x2APIC's registers, priorities and timer. */
#include "harness.h"
#include "../../lib/msr.h"
#include "../../vmm/vlapic.h"

#define TSC_HZ 50000000ull	/* Bochs-like: TSC and timer input at 50 MHz */
#define TIMER_HZ 50000000ull

static struct vlapic a;
static struct vlapic_ipi ipi;

static u64 rd(u32 msr)
{
	u64 v = ~0ull;

	if (vlapic_rdmsr(&a, msr, 0, &v) != VLAPIC_OK)
		return ~0ull;	/* a fault reads as all ones here */
	return v;
}

static enum vlapic_result wr(u32 msr, u64 v, u64 now)
{
	return vlapic_wrmsr(&a, msr, v, now, &ipi);
}

static void test_registers(void)
{
	u64 v;

	vlapic_reset(&a, 3, false, TIMER_HZ, TSC_HZ);
	report(vlapic_rdmsr(&a, MSR_IA32_APIC_BASE, 0, &v) == VLAPIC_OK && v == 0xfee00c00,
	       "IA32_APIC_BASE: enabled, x2APIC, not BSP (0x%lx)", v);
	report(vlapic_rdmsr(&a, 0x802, 0, &v) == VLAPIC_OK && v == 3, "ID is the vCPU's");
	report(vlapic_rdmsr(&a, 0x803, 0, &v) == VLAPIC_OK && ((v >> 16) & 0xff) + 1 == 7 &&
	       (v & 0xff) == 0x14, "VERSION: integrated APIC, 7 LVTs (0x%lx)", v);
	report(vlapic_rdmsr(&a, 0x80d, 0, &v) == VLAPIC_OK && v == 0x8,
	       "LDR derives from the ID (cluster 0, bit 3)");
	report(vlapic_rdmsr(&a, 0x80f, 0, &v) == VLAPIC_OK && v == 0xff,
	       "SPIV after reset: software-disabled, vector 0xff");
	report(vlapic_rdmsr(&a, 0x80b, 0, &v) == VLAPIC_GP && vlapic_rdmsr(&a, 0x83f, 0, &v) == VLAPIC_GP,
	       "EOI and SELF_IPI are write-only: reads #GP");
	report(vlapic_rdmsr(&a, 0x804, 0, &v) == VLAPIC_GP && wr(0x802, 1, 0) == VLAPIC_GP,
	       "an absent register and a write to read-only ID #GP");
	report(wr(0x808, 1ull << 32, 0) == VLAPIC_GP, "bits 63:32 set in a 32-bit register #GP");
	report(wr(0x808, 0x100, 0) == VLAPIC_GP && rd(0x808) == 0,
	       "TPR bits 31:8 are reserved: a write setting them #GPs and changes nothing");
	report(wr(0x80b, 1, 0) == VLAPIC_GP, "EOI with a non-zero value #GP");
	report(wr(0x832, 0x40, 0) == VLAPIC_OK && rd(0x832) == (0x40 | BIT(16)),
	       "LVTs stay masked while the APIC is software-disabled");
	report(wr(0x80f, 0x1ff, 0) == VLAPIC_OK && wr(0x832, 0x40, 0) == VLAPIC_OK && rd(0x832) == 0x40,
	       "after the SPIV software enable, an LVT unmasks");
	report(wr(MSR_IA32_APIC_BASE, 0xfee00800, 0) == VLAPIC_GP,
	       "xAPIC mode (EN without EXTD) is refused: no MMIO page is backed");
	report(wr(MSR_IA32_APIC_BASE, 0, 0) == VLAPIC_OK && rd(0x80f) == ~0ull &&
	       vlapic_rdmsr(&a, 0x80f, 0, &v) == VLAPIC_GP,
	       "global disable: the x2APIC registers fault");
	report(wr(MSR_IA32_APIC_BASE, 0xfee00c00, 0) == VLAPIC_OK && rd(0x80f) == 0xff,
	       "enabled again (in x2APIC mode): reset state, software-disabled");
}

static void test_priorities(void)
{
	vlapic_reset(&a, 0, true, TIMER_HZ, TSC_HZ);
	report(vlapic_pending(&a) == -1, "nothing pending after reset");
	vlapic_set_irr(&a, 0x50);
	report(vlapic_pending(&a) == -1, "a software-disabled APIC delivers nothing");
	wr(0x80f, 0x1ff, 0);
	report(vlapic_pending(&a) == 0x50, "enabled: IRR 0x50 is pending");
	wr(0x808, 0x50, 0);
	report(vlapic_pending(&a) == -1, "TPR class 5 blocks vector 0x50");
	wr(0x808, 0x4f, 0);
	report(vlapic_pending(&a) == 0x50, "TPR class 4 lets it through");
	vlapic_accept(&a, 0x50);
	report(vlapic_pending(&a) == -1 && (rd(0x812) & BIT(16)) && !(rd(0x822) & BIT(16)),
	       "accepted: IRR -> ISR (bit 0x50)");
	vlapic_set_irr(&a, 0x45);
	vlapic_set_irr(&a, 0x61);
	report(vlapic_pending(&a) == 0x61, "in service 0x50: only a higher class (0x61) is pending");
	report(rd(0x80a) == 0x50, "PPR is the in-service class");
	wr(0x80b, 0, 0);
	report(rd(0x812) == 0 && vlapic_pending(&a) == 0x61, "EOI clears the highest ISR bit");
	vlapic_set_irr(&a, 7);
	wr(0x828, 0, 0);
	report(rd(0x828) & BIT(6), "an illegal vector (< 16) sets receive-illegal-vector in ESR");
}

/* CR8 is the TPR's class (SDM 11.8.6.1): the two paths see one register. */
static void test_cr8(void)
{
	vlapic_reset(&a, 0, true, TIMER_HZ, TSC_HZ);
	wr(0x808, 0x75, 0);
	report(vlapic_read_cr8(&a) == 7, "TPR 0x75 through the MSR reads 7 from CR8");
	report(vlapic_write_cr8(&a, 9) == VLAPIC_OK && rd(0x808) == 0x90,
	       "CR8 9 reads 0x90 through the MSR (sub-class 0)");
	report(vlapic_write_cr8(&a, 0x10) == VLAPIC_GP && vlapic_read_cr8(&a) == 9,
	       "CR8 bits 63:4 are reserved: #GP, the TPR unchanged");
	wr(0x80f, 0x1ff, 0);
	vlapic_set_irr(&a, 0x85);
	report(vlapic_pending(&a) == -1, "CR8 9 holds vector 0x85 (class 8)");
	vlapic_write_cr8(&a, 8);
	report(vlapic_pending(&a) == -1, "CR8 8 still holds it (equal class)");
	vlapic_write_cr8(&a, 7);
	report(vlapic_pending(&a) == 0x85, "CR8 7 lets it through");
}

/* The registers on a virtual-APIC page: the CPU reads them there, and
 * writes the TPR there (VTPR, byte 80H). */
static void test_page(void)
{
	static u32 page[1024];
	u32 *vtpr = &page[0x80 / 4];

	vlapic_reset(&a, 2, false, TIMER_HZ, TSC_HZ);
	wr(0x808, 0x20, 0);
	wr(0x80f, 0x1ff, 0);
	vlapic_use_page(&a, page);
	report(*vtpr == 0x20 && page[0xf0 / 4] == 0x1ff && page[0x20 / 4] == 2 &&
	       rd(0x808) == 0x20, "the registers move to the page with their values (TPR, SPIV, ID)");
	wr(0x808, 0x60, 0);
	report(*vtpr == 0x60, "an MSR write lands in VTPR");
	*vtpr = 0x30;		/* what the CPU does for MOV CR8, 3 */
	report(rd(0x808) == 0x30 && vlapic_read_cr8(&a) == 3 && rd(0x80a) == 0x30,
	       "a CPU write of VTPR is the TPR for RDMSR, CR8 and PPR");
	vlapic_set_irr(&a, 0x34);
	report(vlapic_pending(&a) == -1 && (page[0x200 / 4 + 1 * 4] & BIT(0x14)),
	       "VTPR 0x30 holds vector 0x34, whose IRR bit is on the page (offset 0x210)");
	*vtpr = 0x20;
	report(vlapic_pending(&a) == 0x34, "VTPR 0x20 lets it through");
	vlapic_accept(&a, 0x34);
	report(page[0x110 / 4] == BIT(0x14) && !page[0x210 / 4] && rd(0x811) == BIT(0x14),
	       "accepted: the ISR bit on the page (offset 0x110), the IRR bit gone");
	wr(MSR_IA32_APIC_BASE, 0, 0);
	report(*vtpr == 0 && !page[0x110 / 4] && page[0xf0 / 4] == 0xff && !vlapic_x2apic_mode(&a),
	       "a global disable resets the registers in place");
	wr(MSR_IA32_APIC_BASE, 0xfee00c00, 0);
	wr(0x808, 0x40, 0);
	report(*vtpr == 0x40 && vlapic_x2apic_mode(&a), "enabled again, the registers still live there");
}

/* What the CPU may read from the page with "APIC-register virtualization"
 * (SDM Vol. 3C, 30.5): only MSRs of its list, and each one must read from
 * the page what RDMSR through the vlapic reads. */
static void test_page_reads(void)
{
	static u32 page[1024];
	static const u32 sdm_list[] = {
		0x802, 0x803, 0x808, 0x80a, 0x80d, 0x80f, 0x810, 0x811, 0x812, 0x813, 0x814, 0x815,
		0x816, 0x817, 0x818, 0x819, 0x81a, 0x81b, 0x81c, 0x81d, 0x81e, 0x81f, 0x820, 0x821,
		0x822, 0x823, 0x824, 0x825, 0x826, 0x827, 0x828, 0x82f, 0x830, 0x832, 0x833, 0x834,
		0x835, 0x836, 0x837, 0x838, 0x83e,
	};
	unsigned on_page = 0, outside = 0, differ = 0;

	vlapic_reset(&a, 5, false, TIMER_HZ, TSC_HZ);
	vlapic_use_page(&a, page);
	wr(0x80f, 0x1ff, 0);
	wr(0x832, 0x20041, 0);
	wr(0x83e, 0xb, 0);
	wr(0x838, 12345, 0);
	vlapic_set_irr(&a, 0x99);
	vlapic_set_irr(&a, 0x31);
	vlapic_accept(&a, 0x31);
	for (u32 msr = 0x800; msr <= 0x8ff; msr++) {
		bool listed = false;
		u64 page_value = (u64)page[(msr - 0x800) * 4 + 1] << 32 | page[(msr - 0x800) * 4];

		if (!vlapic_msr_on_page(msr))
			continue;
		on_page++;
		for (unsigned i = 0; i < ARRAY_SIZE(sdm_list); i++)
			listed |= sdm_list[i] == msr;
		outside += !listed;
		differ += rd(msr) != page_value;
	}
	report(on_page == ARRAY_SIZE(sdm_list) - 1 && !vlapic_msr_on_page(0x80a) &&
	       !vlapic_msr_on_page(0x839) && !vlapic_msr_on_page(0x80b) && !vlapic_msr_on_page(0x83f),
	       "%u registers on the page: the SDM's list but PPR (computed); not TIMER_CUR, EOI, "
	       "SELF_IPI", on_page);
	report(!outside && !differ, "each is on the SDM's list (%u are not) and reads on the page "
	       "as through RDMSR, 64 bits (%u differ)", outside, differ);
}

/* The TPR threshold: exits only when lowering the TPR can let a vector in. */
static void test_tpr_threshold(void)
{
	vlapic_reset(&a, 0, true, TIMER_HZ, TSC_HZ);
	wr(0x80f, 0x1ff, 0);
	report(vlapic_tpr_threshold(&a) == 0, "nothing requested: threshold 0");
	wr(0x808, 0x50, 0);
	vlapic_set_irr(&a, 0x44);
	report(vlapic_tpr_threshold(&a) == 4, "TPR 0x50 holds vector 0x44: threshold 4");
	wr(0x808, 0x40, 0);
	report(vlapic_tpr_threshold(&a) == 4, "TPR 0x40 (equal class) still holds it: threshold 4");
	wr(0x808, 0x30, 0);
	report(vlapic_tpr_threshold(&a) == 0 && vlapic_pending(&a) == 0x44,
	       "TPR 0x30: deliverable, threshold 0");
	vlapic_accept(&a, 0x44);
	vlapic_set_irr(&a, 0x41);
	report(vlapic_tpr_threshold(&a) == 0 && vlapic_pending(&a) == -1,
	       "held by the in-service 0x44, not the TPR: threshold 0 (the EOI exits)");
	wr(0x808, 0xf0, 0);
	report(vlapic_tpr_threshold(&a) == 4 && vlapic_tpr_threshold(&a) <= (rd(0x808) >> 4),
	       "TPR 0xf0 over it: threshold 4, never above TPR bits 7:4");
	wr(0x80f, 0xff, 0);
	report(vlapic_tpr_threshold(&a) == 0, "software-disabled: threshold 0 (nothing to deliver)");
}

static void test_ipis(void)
{
	vlapic_reset(&a, 0, true, TIMER_HZ, TSC_HZ);
	report(wr(0x830, (5ull << 32) | 0x61, 0) == VLAPIC_SEND_IPI && ipi.dest == VLAPIC_DEST_ONE &&
	       ipi.apic_id == 5 && ipi.vector == 0x61, "ICR: a fixed IPI to APIC 5");
	report(wr(0x830, (1u << 18) | 0x62, 0) == VLAPIC_SEND_IPI && ipi.dest == VLAPIC_DEST_SELF,
	       "ICR: shorthand self");
	report(wr(0x830, (3u << 18) | 0x63, 0) == VLAPIC_SEND_IPI && ipi.dest == VLAPIC_DEST_OTHERS,
	       "ICR: shorthand all-but-self");
	report(wr(0x830, 0x5, 0) == VLAPIC_OK && (wr(0x828, 0, 0), rd(0x828) & BIT(5)),
	       "ICR with an illegal vector: send-illegal-vector, nothing sent");
	wr(0x80f, 0x1ff, 0);
	report(wr(0x83f, 0x70, 0) == VLAPIC_OK && vlapic_pending(&a) == 0x70, "SELF_IPI raises IRR");
}

static void test_timer(void)
{
	u64 now = 1000;

	vlapic_reset(&a, 0, true, TIMER_HZ, TSC_HZ);
	wr(0x80f, 0x1ff, now);
	wr(0x83e, 0x3, now);		/* divide by 16 */
	wr(0x832, 0x40, now);		/* one-shot, vector 0x40 */
	wr(0x838, 1000, now);		/* 1000 ticks = 16000 TSC ticks */
	report(vlapic_next_deadline(&a) == now + 16000, "one-shot deadline: count x divisor (%lu)",
	       vlapic_next_deadline(&a) - now);
	{
		u64 start, half;

		vlapic_rdmsr(&a, 0x839, now, &start);
		vlapic_rdmsr(&a, 0x839, now + 8000, &half);
		report(start == 1000 && half == 500,
		       "TIMER_CUR counts down from the initial count (%lu, then %lu half way)",
		       start, half);
	}
	vlapic_tick(&a, now + 15999);
	report(vlapic_pending(&a) == -1, "no interrupt before the deadline");
	vlapic_tick(&a, now + 16000);
	report(vlapic_pending(&a) == 0x40 && vlapic_next_deadline(&a) == 0,
	       "one-shot fires once at the deadline and stops");
	vlapic_accept(&a, 0x40);
	wr(0x80b, 0, now);

	wr(0x832, 0x41 | (1u << 17), now);	/* periodic */
	wr(0x838, 100, now);			/* 1600 TSC ticks */
	vlapic_tick(&a, now + 1600);
	report(vlapic_pending(&a) == 0x41 && vlapic_next_deadline(&a) == now + 3200,
	       "periodic fires and re-arms one period later");
	vlapic_accept(&a, 0x41);
	wr(0x80b, 0, now);
	vlapic_tick(&a, now + 100000);
	report(vlapic_pending(&a) == 0x41 && vlapic_next_deadline(&a) > now + 100000 &&
	       vlapic_next_deadline(&a) <= now + 100000 + 1600,
	       "missed periods collapse into one interrupt; the next deadline is in the future");
	vlapic_accept(&a, 0x41);
	wr(0x80b, 0, now);
	wr(0x832, 0x41 | (1u << 17) | BIT(16), now);
	vlapic_tick(&a, now + 200000);
	report(vlapic_pending(&a) == -1, "a masked timer counts but raises nothing");
	wr(0x838, 0, now);
	report(vlapic_next_deadline(&a) == 0 && rd(0x839) == 0, "initial count 0 stops the timer");
}

void run_tests(void)
{
	test_registers();
	test_priorities();
	test_cr8();
	test_page();
	test_page_reads();
	test_tpr_threshold();
	test_ipis();
	test_timer();
}
