; Embeds the flat real-mode AP trampoline (built from boot/ap_start.asm) in
; nestvisor's image; apic/smp.c copies it below 1 MiB.
section .rodata
global ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	incbin "boot/ap_start.bin"
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
