/* Triton x86_64 boot entry: multiboot 1 header, 32-bit protected-mode entry,
 * boot page tables and the switch to long mode. Everything here runs at its
 * physical address (section .boot); it ends by jumping to the higher half.
 *
 * Boot mappings (2 MiB pages):
 *   0 .. 4 GiB                      identity, dropped once the kernel runs
 *   0xFFFFFF8000000000 + 0 .. 4 GiB the physical window (last GiB uncached: MMIO)
 *   0xFFFFFFFF80000000 + 0 .. 1 GiB the kernel image (code model "kernel")
 */

.set MB_MAGIC, 0x1BADB002
.set MB_FLAGS, 0x00000003          /* modules page aligned, memory map wanted */

.section .multiboot, "a"
.align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

.section .boot.text, "ax"
.code32
.global _start32
_start32:
    cli
    cld
    movl %eax, %edi                 /* multiboot magic, kept for Rust */
    movl %ebx, %esi                 /* multiboot info physical address */
    movl $boot_stack_top, %esp

    /* Long mode must exist; otherwise say so on COM1 and stop. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc no_long_mode

    /* Zero the boot tables (PML4, PDPT, 4 PDs). */
    movl $boot_pml4, %ebx
    movl %ebx, %edx
    push %edi
    movl %ebx, %edi
    xorl %eax, %eax
    movl $(6 * 4096 / 4), %ecx
    rep stosl
    pop %edi

    /* PML4[0] and PML4[511] -> PDPT */
    movl $boot_pdpt, %eax
    orl $3, %eax
    movl %eax, boot_pml4
    movl %eax, boot_pml4 + 511 * 8

    /* PDPT[0..4] -> PD0..PD3 (identity and window), PDPT[510] -> PD0 (image) */
    movl $boot_pd, %eax
    orl $3, %eax
    movl %eax, boot_pdpt
    movl %eax, boot_pdpt + 510 * 8
    addl $4096, %eax
    movl %eax, boot_pdpt + 8
    addl $4096, %eax
    movl %eax, boot_pdpt + 16
    addl $4096, %eax
    movl %eax, boot_pdpt + 24

    /* 2048 PD entries: 2 MiB pages over 4 GiB; the last GiB is PCD|PWT. */
    movl $boot_pd, %ebx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax                 /* present, writable, large */
    cmpl $1536, %ecx
    jb 2f
    orl $0x18, %eax                 /* PWT | PCD */
2:  movl %eax, (%ebx, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                  /* bits 32+ of the address */
    movl %eax, 4(%ebx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 1b

    /* PAE + PGE, CR3, EFER.LME|NXE|SCE, then paging + WP. */
    movl %cr4, %eax
    orl $(1 << 5 | 1 << 7), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx
    rdmsr
    orl $(1 << 8 | 1 << 11 | 1 << 0), %eax
    wrmsr
    movl %cr0, %eax
    orl $(1 << 31 | 1 << 16 | 1), %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

no_long_mode:
    movl $no_lm_msg, %esi
3:  lodsb
    testb %al, %al
    jz 4f
    movw $0x3F8, %dx
    outb %al, %dx
    jmp 3b
4:  hlt
    jmp 4b

.code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $higher_half_entry, %rax
    jmp *%rax

.section .boot.data, "aw"
.align 16
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF        /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF        /* 0x10: data */
boot_gdt_ptr:
    .word 3 * 8 - 1
    .long boot_gdt
no_lm_msg:
    .asciz "Triton: this CPU has no long mode (x86_64); stopping.\r\n"

.section .boot.bss, "aw", @nobits
.align 4096
.global boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4 * 4096
boot_stack: .skip 4096
boot_stack_top:

/* The higher-half entry: zero .bss, switch to the kernel stack, call Rust. */
.section .text.entry, "ax"
.code64
higher_half_entry:
    movq %rdi, %r12
    movq %rsi, %r13
    movabsq $__bss_start, %rdi
    movabsq $__bss_end, %rcx
    subq %rdi, %rcx
    shrq $3, %rcx
    xorl %eax, %eax
    rep stosq
    movabsq $kernel_stack_top, %rsp
    xorl %ebp, %ebp
    movq %r12, %rdi
    movq %r13, %rsi
    call kernel_main
5:  cli
    hlt
    jmp 5b

/* The kernel stack used for every kernel entry (one core). */
.section .bss.kernel_stack, "aw", @nobits
.align 16
.global kernel_stack_bottom
kernel_stack_bottom:
    .skip 65536
.global kernel_stack_top
kernel_stack_top:
