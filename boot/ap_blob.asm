; Embeds the flat real-mode trampolines in nestvisor's image: the AP's
; (boot/ap_start.asm; apic/smp.c copies it below 1 MiB) and the bare guests'
; (boot/bare_start.asm; vmm/bare.c copies it to the same page).
section .rodata
global ap_trampoline_start, ap_trampoline_end
global bare_trampoline_start, bare_trampoline_end
ap_trampoline_start:
	incbin "boot/ap_start.bin"
ap_trampoline_end:
bare_trampoline_start:
	incbin "boot/bare_start.bin"
bare_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
