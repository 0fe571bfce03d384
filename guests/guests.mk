# Test guests (guests/README.md): flat binaries run at GUEST_LOAD_ADDR by
# nestvisor, or bare by QEMU -kernel through their multiboot header.
# Included by the top Makefile (which sets B, Q, CC, NASM, LD, OBJCOPY);
# on its own: `make -f guests/guests.mk guests` (name a target).
#   make guests             build/guests/<name>.bin (what nestvisor loads)
#                           and build/guests/<name>.elf (symbols, for gdb)
#   make test-guests-bare   boot each guest of GUESTS_BARE bare under QEMU
#                           TCG; passes when every one exits with
#                           GUEST_EXIT_PASS

B       ?= build
Q       ?= @
NASM    ?= nasm
LD      ?= ld
OBJCOPY ?= objcopy

# Rules in this file must not become the including Makefile's default goal.
guests_saved_goal := $(.DEFAULT_GOAL)

GUESTS := \
	basic64 \
	vmxguest \
	bad_triple \
	bad_outside \
	bad_spin \
	bad_io \
	bad_msr \
	apic64 \
	bench64 \
	prot32 \
	real16 \
	switch64 \
	vmx_l1 \
	vmx_garbage \
	vmx_l2 \
	vmx_l2_checks \
	vmx_shadow \
	vmx_bench

# The guests test-guests-bare boots through their multiboot header: the
# PROT32 ones that pass bare. The bad_* guests misbehave on purpose for
# nestvisor to stop them (bad_io and bad_msr would reach real devices and
# MSRs), so they run virtualized only; apic64 only says "skipped" bare, and
# QEMU 7.2's TCG has no x2APIC anyway. Real-mode images have no multiboot
# header: nestvisor's `bare = NAME` runs them (test/runs.cfg). QEMU's TCG
# has no VMX: vmx_l1 and vmx_garbage only say so there (their bare VMX runs
# are Bochs', test/runs.cfg).
GUESTS_BARE := \
	basic64 \
	vmxguest \
	prot32 \
	vmx_l1 \
	vmx_garbage \
	vmx_l2

# For the guests that are hypervisors themselves: VMX instructions, CPL 3
# and compatibility mode, and nestvisor's pure VMX tables.
GUEST_VMX_LIB_C := \
	guests/lib/catch.c \
	guests/lib/user.c \
	guests/lib/vmx.c \
	vmx/vmcs_field.c \
	vmx/vmx_caps.c \
	vmx/vmx_errors.c

# One line per guest: its sources (.c and .asm; the library of its mode is
# linked into every guest). guest_<name>_bits: the library's mode, 16
# (real mode), 32 (protected mode) or 64 (long mode, the default).
# guest_<name>_start: start code of its own instead of the library's, and
# guest_<name>_layout := real for an image linked below 64 KiB that starts
# in real mode (the 16-bit ones always are).
guest_basic64 := guests/basic64/main.c guests/basic64/checks.c guests/lib/mode_checks.c
guest_vmxguest := guests/vmxguest/main.c
guest_bad_triple := guests/bad_triple/main.c
guest_bad_outside := guests/bad_outside/main.c
guest_bad_spin := guests/bad_spin/main.c
guest_bad_io := guests/bad_io/main.c
guest_bad_msr := guests/bad_msr/main.c
guest_apic64 := guests/apic64/main.c
guest_bench64 := guests/bench64/main.c lib/stats.c
guest_prot32 := guests/prot32/main.c guests/lib/mode_checks.c
guest_prot32_bits := 32
guest_real16 := guests/real16/main.c guests/lib/mode_checks.c
guest_real16_bits := 16
guest_switch64 := guests/switch64/main.c guests/basic64/checks.c guests/lib/mode_checks.c
guest_switch64_start := guests/switch64/start.asm
guest_switch64_layout := real
guest_vmx_l1 := $(GUEST_VMX_LIB_C) $(addprefix guests/vmx_l1/,main.c check.c outside.c \
	pointers.c fields.c forms.c faults.c inv.c privilege.c)
guest_vmx_garbage := $(GUEST_VMX_LIB_C) guests/vmx_garbage/main.c
GUEST_VMX_L2_C := $(GUEST_VMX_LIB_C) vmx/vmx_controls.c $(addprefix guests/vmx_l2/,main.c \
	vmcs12.c run.c l2code.c exits.c invalid.c intr.c more.c more_events.c more_msr_tsc.c nmi.c)
guest_vmx_l2 := $(GUEST_VMX_L2_C) guests/vmx_l2/tests_all.c
guest_vmx_l2_checks := $(GUEST_VMX_L2_C) guests/vmx_l2/tests_checks.c
# Virtualized only: they count nestvisor's exits (bare they say SKIP).
guest_vmx_shadow := $(GUEST_VMX_L2_C) $(addprefix guests/vmx_shadow/,tests_shadow.c shadow.c \
	loops.c sweep.c switch.c)
guest_vmx_bench := $(GUEST_VMX_L2_C) guests/vmx_bench/bench.c

# The library, per mode: what every mode shares, compiled for each, then
# each mode's own start code, exception entry and vCPU handling.
GUEST_LIB_COMMON := \
	guests/lib/apic.c \
	guests/lib/apic_timer.c \
	guests/lib/boot.c \
	guests/lib/console.c \
	guests/lib/exit.c \
	guests/lib/multiboot.c \
	guests/lib/trap.c \
	apic/lapic_decode.c \
	lib/fmt.c \
	lib/report.c \
	lib/string.c

GUEST_LIB_64 := $(GUEST_LIB_COMMON) \
	guests/lib/idt64.c \
	guests/lib/isr.asm \
	guests/lib/paging.c \
	guests/lib/smp.c
GUEST_START_64 := guests/lib/start64.asm

GUEST_LIB_32 := $(GUEST_LIB_COMMON) \
	guests/lib/idt32.c \
	guests/lib/isr32.asm \
	guests/lib/uniproc.c
GUEST_START_32 := guests/lib/start32.asm

GUEST_LIB_16 := $(GUEST_LIB_COMMON) \
	guests/lib/isr16.asm \
	guests/lib/ivt16.c \
	guests/lib/uniproc.c
GUEST_START_16 := guests/lib/start16.asm

# Objects mirror the source tree under build/guests/obj<bits>/, apart from
# nestvisor's own objects (same lib/ sources, other flags).
guest_obj = $(patsubst %.asm,$(B)/guests/obj$(1)/%.o,$(2:%.c=$(B)/guests/obj$(1)/%.o))
guest_bits = $(or $(guest_$(1)_bits),64)
guest_layout = $(or $(guest_$(1)_layout),$(if $(filter 16,$(call guest_bits,$(1))),real,prot))
guest_objs = $(call guest_obj,$(call guest_bits,$(1)),$(guest_$(1)) \
	$(or $(guest_$(1)_start),$(GUEST_START_$(call guest_bits,$(1)))) \
	$(GUEST_LIB_$(call guest_bits,$(1))))

GUEST_BINS := $(GUESTS:%=$(B)/guests/%.bin)
GUEST_ELFS := $(GUESTS:%=$(B)/guests/%.elf)
GUEST_LDS := guests/lib/guest.ld

# Linked below 2 GiB without relocation processing: -fno-pic. Exceptions
# arrive on the running stack: -mno-red-zone in 64-bit code. The start
# code does not enable SSE: -mgeneral-regs-only. gcc's -m16 is 32-bit code
# run in real mode (.code16gcc): it needs every address below 64 KiB.
GUEST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-ffreestanding -fno-common -fno-stack-protector -fno-pic -fno-pie \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fno-tree-loop-distribute-patterns -MMD -MP
GUEST_CFLAGS_64 := -m64 -mcmodel=small -mno-red-zone -DGUEST_BITS=64
GUEST_CFLAGS_32 := -m32 -DGUEST_BITS=32
GUEST_CFLAGS_16 := -m16 -DGUEST_BITS=16
GUEST_NASM_64 := elf64
GUEST_NASM_32 := elf32
GUEST_NASM_16 := elf32
GUEST_LD_64 := elf_x86_64
GUEST_LD_32 := elf_i386
GUEST_LD_16 := elf_i386
# Where each layout links, and its end (guest.ld): names in
# guest_offsets.inc, or a number (4 GiB, what 32-bit addresses reach).
GUEST_LINK_prot := GUEST_LOAD_ADDR
GUEST_LINK_END_prot := 0x100000000
GUEST_LINK_real := GUEST_REAL_LOAD_MIN
GUEST_LINK_END_real := GUEST_REAL_END
# The image is one RWX segment by design; NASM objects carry no stack note.
GUEST_LDFLAGS := -nostdlib -static -no-pie -z noexecstack --no-warn-rwx-segments \
	-T $(GUEST_LDS)

# QEMU -kernel boots the .bin through its multiboot header; the exit port
# makes QEMU's status (code << 1) | 1, so 1 means GUEST_EXIT_PASS.
GUEST_QEMU := qemu-system-x86_64 -machine pc -accel tcg -cpu max -m 128 \
	-display none -serial stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4
GUEST_QEMU_TIMEOUT := 60

.PHONY: guests test-guests-bare
guests: $(GUEST_BINS) $(GUEST_ELFS)

# Per mode: objects, and the structure offsets for its assembly, generated
# from C like nestvisor's asm_offsets.inc.
define guest_mode_rules
$(B)/guests/obj$(1)/%.o: %.c
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  CC$(1)    $$<")
	$(Q)$$(CC) $$(GUEST_CFLAGS) $$(GUEST_CFLAGS_$(1)) -c $$< -o $$@

$(B)/guests/inc$(1)/guest_offsets.inc: guests/lib/offsets.c
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  GEN     $$@")
	$(Q)$$(CC) $$(GUEST_CFLAGS) $$(GUEST_CFLAGS_$(1)) -MF $$(@:.inc=.d) -MT $$@ -S $$< \
		-o $$(@:.inc=.s)
	$(Q)sed -n 's/^#asm-define \([A-Za-z0-9_]*\) \$$$$\{0,1\}\(-\{0,1\}[0-9]*\)/%define \1 \2/p' \
		$$(@:.inc=.s) > $$@

$(B)/guests/obj$(1)/%.o: %.asm $(B)/guests/inc$(1)/guest_offsets.inc
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  NASM$(1)  $$<")
	$(Q)$$(NASM) -f $$(GUEST_NASM_$(1)) -g -I$(B)/guests/inc$(1)/ -MD $$(@:.o=.d) -MP $$< -o $$@
endef
$(foreach m,16 32 64,$(eval $(call guest_mode_rules,$(m))))

# GUEST_LINK_ADDR and GUEST_LINK_END come from the offsets of guest_abi.h.
guest_inc_value = $(if $(filter GUEST_%,$(1)),$$$$(sed -n 's/^%define $(1) //p' $(2)),$(1))
define guest_link
$(B)/guests/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LDS) $(B)/guests/inc$(call guest_bits,$(1))/guest_offsets.inc
	@$$(if $(Q),echo "  LD      $$@")
	$(Q)$(LD) -m $(GUEST_LD_$(call guest_bits,$(1))) $(GUEST_LDFLAGS) \
		--defsym=GUEST_LINK_ADDR=$(call guest_inc_value,$(GUEST_LINK_$(call guest_layout,$(1))),$$(lastword $$^)) \
		--defsym=GUEST_LINK_END=$(call guest_inc_value,$(GUEST_LINK_END_$(call guest_layout,$(1))),$$(lastword $$^)) \
		$(call guest_objs,$(1)) -o $$@
endef
$(foreach g,$(GUESTS),$(eval $(call guest_link,$(g))))

# The multiboot header tells loaders the file ends at __load_end: check it
# (a section the linker script does not place could land after .bss).
$(B)/guests/%.bin: $(B)/guests/%.elf
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -O binary $< $@
	$(Q)set -- $$(nm -n $< | sed -n 's/^\([0-9a-f]*\) . __\(image_start\|load_end\)$$/\1/p'); \
	test $$(stat -c %s $@) -eq $$((0x$$2 - 0x$$1)) || \
		{ echo "$@: the file does not end at __load_end"; rm -f $@; exit 1; }

# Each guest's serial output goes to build/guests/<name>.bare.log.
test-guests-bare: $(GUESTS_BARE:%=$(B)/guests/%.bin)
	@fail=0; for g in $(GUESTS_BARE); do \
		timeout $(GUEST_QEMU_TIMEOUT) $(GUEST_QEMU) -kernel $(B)/guests/$$g.bin \
			> $(B)/guests/$$g.bare.log 2>&1; status=$$?; \
		if [ $$status -eq 1 ]; then echo "PASS: guest $$g (bare, QEMU TCG)"; \
		else echo "FAIL: guest $$g (bare, QEMU TCG): QEMU status $$status," \
			"see $(B)/guests/$$g.bare.log"; fail=1; fi; \
	done; exit $$fail

.DEFAULT_GOAL := $(guests_saved_goal)
