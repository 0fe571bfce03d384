; nestvisor's exception and interrupt entry: the stubs and common path of
; lib/isr_entry.inc, ISR_STUB_SIZE bytes a stub (boot/desc.c computes gate
; addresses from that), into trap_dispatch() of boot/trap.c.
%include "asm_offsets.inc"

ISR_STUB_SIZE equ 16

section .text
bits 64

%include "lib/isr_entry.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
