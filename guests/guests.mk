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
	vmx_l1 \
	vmx_garbage

# The guests test-guests-bare boots: the ones that pass bare. The bad_*
# guests misbehave on purpose for nestvisor to stop them (bad_io and bad_msr
# would reach real devices and MSRs), so they run virtualized only; apic64
# only says "skipped" bare, and QEMU 7.2's TCG has no x2APIC anyway. QEMU's
# TCG has no VMX either: vmx_l1 and vmx_garbage only say so there (their
# bare VMX runs are Bochs', test/runs.cfg).
GUESTS_BARE := \
	basic64 \
	vmxguest \
	vmx_l1 \
	vmx_garbage

# For the guests that are hypervisors themselves: VMX instructions, CPL 3
# and compatibility mode, and nestvisor's pure VMX tables.
GUEST_VMX_LIB_C := \
	guests/lib/catch.c \
	guests/lib/user.c \
	guests/lib/vmx.c \
	vmx/vmcs_field.c \
	vmx/vmx_caps.c \
	vmx/vmx_errors.c

# One line per guest: its sources (the library is linked into every guest).
guest_basic64 := guests/basic64/main.c
guest_vmxguest := guests/vmxguest/main.c
guest_bad_triple := guests/bad_triple/main.c
guest_bad_outside := guests/bad_outside/main.c
guest_bad_spin := guests/bad_spin/main.c
guest_bad_io := guests/bad_io/main.c
guest_bad_msr := guests/bad_msr/main.c
guest_apic64 := guests/apic64/main.c
guest_bench64 := guests/bench64/main.c lib/stats.c
guest_vmx_l1 := $(GUEST_VMX_LIB_C) $(addprefix guests/vmx_l1/,main.c check.c outside.c \
	pointers.c fields.c forms.c faults.c inv.c privilege.c)
guest_vmx_garbage := $(GUEST_VMX_LIB_C) guests/vmx_garbage/main.c

GUEST_LIB_C := \
	guests/lib/apic.c \
	guests/lib/boot.c \
	guests/lib/console.c \
	guests/lib/exit.c \
	guests/lib/multiboot.c \
	guests/lib/paging.c \
	guests/lib/smp.c \
	guests/lib/trap.c \
	apic/lapic_decode.c \
	lib/fmt.c \
	lib/report.c \
	lib/string.c

GUEST_LIB_ASM := \
	guests/lib/start64.asm \
	guests/lib/isr.asm

# Objects mirror the source tree under build/guests/obj/, apart from
# nestvisor's own objects (same lib/ sources, other flags).
GUEST_OBJ_DIR := $(B)/guests/obj
GUEST_LIB_OBJ := $(GUEST_LIB_C:%.c=$(GUEST_OBJ_DIR)/%.o) \
	$(GUEST_LIB_ASM:%.asm=$(GUEST_OBJ_DIR)/%.o)
GUEST_BINS := $(GUESTS:%=$(B)/guests/%.bin)
GUEST_ELFS := $(GUESTS:%=$(B)/guests/%.elf)
GUEST_LDS := guests/lib/guest.ld

# Linked below 2 GiB without relocation processing: -fno-pic, small code
# model. Exceptions arrive on the running stack: -mno-red-zone. The start
# code does not enable SSE: -mgeneral-regs-only.
GUEST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-ffreestanding -fno-common -fno-stack-protector -fno-pic -fno-pie \
	-mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fno-tree-loop-distribute-patterns -MMD -MP
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

$(GUEST_OBJ_DIR)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

# Structure offsets for the guest assembly, generated from C like
# nestvisor's asm_offsets.inc.
$(B)/guests/guest_offsets.inc: guests/lib/offsets.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(CC) $(GUEST_CFLAGS) -MF $(B)/guests/guest_offsets.d -MT $@ -S $< \
		-o $(B)/guests/guest_offsets.s
	$(Q)sed -n 's/^#asm-define \([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)/%define \1 \2/p' \
		$(B)/guests/guest_offsets.s > $@

$(GUEST_OBJ_DIR)/%.o: %.asm $(B)/guests/guest_offsets.inc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f elf64 -g -I$(B)/guests/ -MD $(@:.o=.d) -MP $< -o $@

define guest_link
$(B)/guests/$(1).elf: $(guest_$(1):%.c=$(GUEST_OBJ_DIR)/%.o) $(GUEST_LIB_OBJ) $(GUEST_LDS)
	@$$(if $(Q),echo "  LD      $$@")
	$(Q)$(LD) $(GUEST_LDFLAGS) $(guest_$(1):%.c=$(GUEST_OBJ_DIR)/%.o) $(GUEST_LIB_OBJ) -o $$@
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
