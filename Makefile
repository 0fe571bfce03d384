# nestvisor — a UEFI-booted research hypervisor for nested VMX.
#   make          build build/nestvisor.efi and the boot image build/nestvisor.img
#   make run      boot it (EMU=bochs | qemu | kvm) and stream its console
#   make test     host unit tests + emulator runs; ends with "N passed, N failed"
#   make bench    boot the bench guests twice each under Bochs; figures must repeat
#   make FAULT=alloc-nozero test   build with a deliberate defect (docs/testing.md)

B        := build
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)
EMU      ?= bochs
DEBUG    ?= 1
FAULT    ?=

CC       := gcc
NASM     := nasm
LD       := ld
OBJCOPY  := objcopy
PYTHON   := python3

# --- nestvisor (freestanding, GNU-EFI) -------------------------------------

NV_C := \
	boot/efi_main.c \
	boot/efi_runtime.c \
	boot/memmap.c \
	boot/desc.c \
	boot/trap.c \
	lib/fmt.c \
	lib/report.c \
	lib/string.c \
	mm/page_pool.c \
	mm/ept.c \
	mm/page_alloc.c \
	mm/paging.c \
	apic/lapic.c \
	apic/lapic_decode.c \
	apic/madt.c \
	apic/pit.c \
	apic/smp.c \
	vmx/apic_virt.c \
	vmx/entry_verify.c \
	vmx/exit.c \
	vmx/exit_cpuid.c \
	vmx/exit_io.c \
	vmx/exit_misc.c \
	vmx/exit_msr_cr.c \
	vmx/exit_stop.c \
	vmx/msr_bitmap.c \
	vmx/msr_bitmap_merge.c \
	vmx/vmcs_dump.c \
	vmx/vmcs_field.c \
	vmx/entry_checks.c \
	vmx/entry_checks_ctl.c \
	vmx/entry_checks_host.c \
	vmx/entry_checks_guest.c \
	vmx/vmx_caps.c \
	vmx/vmx_controls.c \
	vmx/vmx_detect.c \
	vmx/vmx_errors.c \
	vmx/vvmx_caps.c \
	vmx/vmcs12.c \
	vmx/nested.c \
	vmx/nested_insn.c \
	vmx/nested_entry.c \
	vmx/nested_exit.c \
	vmx/nested_exit_owner.c \
	vmx/nested_msr.c \
	vmx/nested_reflect.c \
	vmx/nested_shadow.c \
	vmx/nested_vmcs02.c \
	vmx/nested_operand.c \
	vmx/vmx_operand.c \
	vmx/vmcs.c \
	vmx/vmxon.c \
	vmm/bare.c \
	vmm/bench.c \
	vmm/config.c \
	vmm/console.c \
	vmm/elf_load.c \
	vmm/flat_load.c \
	vmm/guest.c \
	vmm/guest_walk.c \
	vmm/cpus.c \
	vmm/main.c \
	vmm/panic.c \
	vmm/percpu.c \
	vmm/selftest.c \
	vmm/serial.c \
	vmm/shutdown.c \
	vmm/vapic.c \
	vmm/vcpu.c \
	vmm/vlapic.c

NV_ASM := \
	boot/isr.asm \
	boot/stack_switch.asm \
	boot/ap_blob.asm \
	vmx/vmenter.asm

NV_OBJ := $(NV_C:%.c=$(B)/%.o) $(NV_ASM:%.asm=$(B)/%.o)

FAULT_DEF := $(if $(FAULT),-DFAULT_$(subst -,_,$(shell echo $(FAULT) | tr a-z A-Z)))

NV_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-ffreestanding -fno-common -fno-stack-protector -fpic -fshort-wchar \
	-mno-red-zone -maccumulate-outgoing-args -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	-DGNU_EFI_USE_MS_ABI $(if $(filter 1,$(DEBUG)),-DNV_DEBUG) $(FAULT_DEF) \
	-MMD -MP
EFI_INC := -I/usr/include/efi -I/usr/include/efi/x86_64
EFI_LDS := /usr/lib/elf_x86_64_efi.lds
EFI_CRT := /usr/lib/crt0-efi-x86_64.o

.PHONY: all image run test test-host bench deps clean FORCE
all: image

# Objects and host tests depend on the flags they were built with: changing
# FAULT or DEBUG rebuilds everything.
$(B)/cflags: FLAGS = $(NV_CFLAGS)
$(B)/host/cflags: FLAGS = $(HOST_CFLAGS)
$(B)/cflags $(B)/host/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(FLAGS)' | cmp -s - $@ || echo '$(FLAGS)' > $@
FORCE:

$(B)/boot/efi_%.o: boot/efi_%.c $(B)/cflags | $(B)/asm_offsets.inc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(NV_CFLAGS) $(EFI_INC) -c $< -o $@

$(B)/%.o: %.c $(B)/cflags | $(B)/asm_offsets.inc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(NV_CFLAGS) -c $< -o $@

# Structure offsets for assembly are generated from C (never hand-synced).
$(B)/asm_offsets.inc: boot/asm_offsets.c $(B)/cflags
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(CC) $(NV_CFLAGS) -MF $(B)/asm_offsets.d -MT $@ -S $< -o $(B)/asm_offsets.s
	$(Q)sed -n 's/^#asm-define \([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)/%define \1 \2/p' \
		$(B)/asm_offsets.s > $@

$(B)/%.o: %.asm $(B)/asm_offsets.inc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f elf64 -g -I$(B)/ -I$(B)/boot/ -MD $(@:.o=.d) -MP $< -o $@

# The trampolines are flat real-mode binaries, embedded by boot/ap_blob.asm.
$(B)/boot/%_start.bin: boot/%_start.asm $(B)/asm_offsets.inc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f bin -I$(B)/ $< -o $@
$(B)/boot/ap_blob.o: $(B)/boot/ap_start.bin $(B)/boot/bare_start.bin

$(B)/nestvisor.so: $(NV_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -nostdlib -znocombreloc -T $(EFI_LDS) -shared -Bsymbolic --no-undefined \
		$(EFI_CRT) $(NV_OBJ) -L/usr/lib -lgnuefi -o $@

$(B)/nestvisor.efi: $(B)/nestvisor.so
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# Test guests: GUEST_BINS, copied to \guests on the image.
include guests/guests.mk

# A FAT image without partition table, sized to a CHS geometry Bochs accepts
# (32 cylinders x 16 heads x 63 sectors); boots as \EFI\BOOT\BOOTX64.EFI.
IMG_GEOMETRY := -t 32 -h 16 -s 63
$(B)/nestvisor.img: $(B)/nestvisor.efi nestvisor.cfg $(GUEST_BINS) $(B)/guests/basic64.elf
	@$(if $(Q),echo "  IMAGE   $@")
	$(Q)rm -f $@
	$(Q)dd if=/dev/zero of=$@ bs=512 count=32256 status=none
	$(Q)MTOOLS_SKIP_CHECK=1 mformat -i $@ $(IMG_GEOMETRY) ::
	$(Q)MTOOLS_SKIP_CHECK=1 mmd -i $@ ::/EFI ::/EFI/BOOT
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@ $(B)/nestvisor.efi ::/EFI/BOOT/BOOTX64.EFI
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@ nestvisor.cfg ::/nestvisor.cfg
	$(Q)MTOOLS_SKIP_CHECK=1 mmd -i $@ ::/guests
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@ $(GUEST_BINS) ::/guests/
	@# basic64 once more as an ELF64 image, to exercise the ELF loader.
	$(Q)$(OBJCOPY) --strip-all $(B)/guests/basic64.elf $(B)/guests/basic64elf.elf
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@ $(B)/guests/basic64elf.elf ::/guests/

image: $(B)/nestvisor.img

# --- host unit tests (pure code, ASan + UBSan) ------------------------------

HOST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-DNV_DEBUG -DNV_HOST_TEST $(FAULT_DEF)
HOST_COMMON := test/host/harness.c lib/report.c lib/fmt.c

# One line per test program: its pure sources.
host_test_fmt        := lib/fmt.c
host_test_page_pool  := mm/page_pool.c
host_test_memmap     := boot/memmap.c
host_test_config     := vmm/config.c
host_test_vmx_caps   := vmx/vmx_caps.c
host_test_madt       := apic/madt.c
host_test_ept        := mm/ept.c
host_test_vmx_controls := vmx/vmx_controls.c
host_test_msr_bitmap := vmx/msr_bitmap.c
host_test_msr_bitmap_merge := vmx/msr_bitmap_merge.c vmx/msr_bitmap.c
host_test_vlapic     := vmm/vlapic.c
host_test_apic_virt  := vmx/apic_virt.c vmx/vmx_controls.c
host_test_elf_load   := vmm/elf_load.c
host_test_flat_load  := vmm/flat_load.c
host_test_guest_walk := vmm/guest_walk.c
host_test_lapic_regs := apic/lapic_decode.c
host_test_vmcs_fields := vmx/vmcs_field.c
host_test_vmx_errors := vmx/vmx_errors.c
host_test_vvmx_caps  := vmx/vvmx_caps.c vmx/vmx_caps.c
host_test_vmcs12     := vmx/vmcs12.c vmx/vmcs_field.c
host_test_stats      := lib/stats.c
host_test_report     :=
host_test_vmx_operand := vmx/vmx_operand.c
host_test_nested_exit_owner := vmx/nested_exit_owner.c vmx/msr_bitmap.c
host_test_entry_checks := test/host/entry_checks_env.c vmx/entry_checks.c vmx/entry_checks_ctl.c vmx/entry_checks_host.c \
	vmx/entry_checks_guest.c vmx/vmcs_field.c

HOST_TESTS := $(patsubst host_test_%,%,$(filter host_test_%,$(.VARIABLES)))
HOST_BINS  := $(HOST_TESTS:%=$(B)/host/test_%)


.SECONDEXPANSION:
$(B)/host/test_%: test/host/test_%.c $(HOST_COMMON) $$(host_test_$$*) $(B)/host/cflags
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(CC) $(HOST_CFLAGS) $(sort $(filter %.c,$^)) -o $@

# --- set-up, run, test ------------------------------------------------------

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory image
	@$(PYTHON) test/run.py --run $(EMU) --cpus 2

test-host: deps
	@$(MAKE) --no-print-directory $(HOST_BINS)

test: deps
	@$(MAKE) --no-print-directory image $(HOST_BINS)
	@$(PYTHON) test/run.py --host $(HOST_BINS) test/equivalence.py --runs test/runs.cfg

# Not part of `make test`: figures, not checks (docs/bench.md). A release
# build of its own (BENCH_DEBUG=1: a debug build, whose software entry
# checker runs before every VM entry), leaving $(B)/ as it is.
BENCH_DEBUG ?= 0
BENCH_B := $(B)/bench$(if $(filter 1,$(BENCH_DEBUG)),-debug)
bench: deps
	@$(MAKE) --no-print-directory B=$(BENCH_B) DEBUG=$(BENCH_DEBUG) image
	@$(PYTHON) test/bench.py --image $(BENCH_B)/nestvisor.img

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
