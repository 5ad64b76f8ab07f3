//! Sizes and field offsets of every `#[repr(C)]` ABI struct (reference doc §3,
//! §8, §9.4).

use crate::bootinfo::{BOOTINFO_SIZE, BOOTINFO_WORDS};
use crate::context::reg;
use crate::ipc_buffer::{word, IPC_BUFFER_WORDS};
use crate::tests::Rng;
use crate::*;
use core::mem::{align_of, offset_of, size_of};

#[test]
fn ipc_buffer_layout() {
    assert_eq!(size_of::<IpcBuffer>(), 1024);
    assert_eq!(IPC_BUFFER_SIZE, 1024);
    assert_eq!(IPC_BUFFER_ALIGN, 1024);
    assert_eq!(IPC_BUFFER_WORDS, 128);
    // Natural alignment, so it can overlay any word-aligned memory.
    assert_eq!(align_of::<IpcBuffer>(), 8);
    assert_eq!(offset_of!(IpcBuffer, tag), 0);
    assert_eq!(offset_of!(IpcBuffer, msg), 8);
    assert_eq!(offset_of!(IpcBuffer, user_data), 968);
    assert_eq!(offset_of!(IpcBuffer, caps_or_badges), 976);
    assert_eq!(offset_of!(IpcBuffer, receive_cnode), 1000);
    assert_eq!(offset_of!(IpcBuffer, receive_index), 1008);
    assert_eq!(offset_of!(IpcBuffer, receive_depth), 1016);
    // The word indices agree with the byte offsets.
    assert_eq!(word::TAG * 8, offset_of!(IpcBuffer, tag));
    assert_eq!(word::MSG * 8, offset_of!(IpcBuffer, msg));
    assert_eq!(word::USER_DATA * 8, offset_of!(IpcBuffer, user_data));
    assert_eq!(
        word::CAPS_OR_BADGES * 8,
        offset_of!(IpcBuffer, caps_or_badges)
    );
    assert_eq!(
        word::RECEIVE_CNODE * 8,
        offset_of!(IpcBuffer, receive_cnode)
    );
    assert_eq!(
        word::RECEIVE_INDEX * 8,
        offset_of!(IpcBuffer, receive_index)
    );
    assert_eq!(
        word::RECEIVE_DEPTH * 8,
        offset_of!(IpcBuffer, receive_depth)
    );
    assert_eq!(word::RECEIVE_DEPTH, IPC_BUFFER_WORDS - 1);
}

#[test]
fn ipc_buffer_words_round_trip() {
    let mut rng = Rng::new(7);
    let mut w = [0u64; IPC_BUFFER_WORDS];
    for x in w.iter_mut() {
        *x = rng.next_u64();
    }
    let b = IpcBuffer::from_words(&w);
    assert_eq!(b.to_words(), w);
    assert_eq!(b.tag, w[0]);
    assert_eq!(b.msg[0], w[1]);
    assert_eq!(b.msg[119], w[120]);
    assert_eq!(b.user_data, w[121]);
    assert_eq!(b.caps_or_badges, [w[122], w[123], w[124]]);
    assert_eq!(b.receive_cnode, w[125]);
    assert_eq!(b.receive_index, w[126]);
    assert_eq!(b.receive_depth, w[127]);
    assert_eq!(IpcBuffer::default(), IpcBuffer::zeroed());
}

#[test]
fn bootinfo_layout() {
    assert_eq!(size_of::<BootInfo>(), 3848);
    assert_eq!(BOOTINFO_SIZE, 3848);
    assert_eq!(BOOTINFO_WORDS, 481);
    const _: () = assert!(BOOTINFO_SIZE <= BOOTINFO_FRAME_SIZE);
    assert_eq!(offset_of!(BootInfo, extra_len), 0x000);
    assert_eq!(offset_of!(BootInfo, node_id), 0x008);
    assert_eq!(offset_of!(BootInfo, num_nodes), 0x010);
    assert_eq!(offset_of!(BootInfo, num_iopt_levels), 0x018);
    assert_eq!(offset_of!(BootInfo, ipc_buffer), 0x020);
    assert_eq!(offset_of!(BootInfo, empty), 0x028);
    assert_eq!(offset_of!(BootInfo, shared_frames), 0x038);
    assert_eq!(offset_of!(BootInfo, user_image_frames), 0x048);
    assert_eq!(offset_of!(BootInfo, user_image_paging), 0x058);
    assert_eq!(offset_of!(BootInfo, io_space_caps), 0x068);
    assert_eq!(offset_of!(BootInfo, extra_bi_pages), 0x078);
    assert_eq!(offset_of!(BootInfo, init_thread_cnode_size_bits), 0x088);
    assert_eq!(offset_of!(BootInfo, init_thread_domain), 0x090);
    assert_eq!(offset_of!(BootInfo, untyped), 0x098);
    assert_eq!(offset_of!(BootInfo, untyped), 152);
    assert_eq!(offset_of!(BootInfo, untyped_list), 0x0A8);
    assert_eq!(offset_of!(BootInfo, untyped_list), 168);
    assert_eq!(168 + 230 * 16, 3848);
}

#[test]
fn small_struct_layouts() {
    assert_eq!(size_of::<SlotRegion>(), 16);
    assert_eq!(offset_of!(SlotRegion, start), 0);
    assert_eq!(offset_of!(SlotRegion, end), 8);

    assert_eq!(size_of::<UntypedDesc>(), 16);
    assert_eq!(offset_of!(UntypedDesc, paddr), 0);
    assert_eq!(offset_of!(UntypedDesc, size_bits), 8);
    assert_eq!(offset_of!(UntypedDesc, is_device), 9);
    assert_eq!(offset_of!(UntypedDesc, padding), 10);

    assert_eq!(size_of::<BootInfoHeader>(), 16);
    assert_eq!(BootInfoHeader::SIZE, 16);
    assert_eq!(offset_of!(BootInfoHeader, id), 0);
    assert_eq!(offset_of!(BootInfoHeader, len), 8);

    assert_eq!(size_of::<MessageInfo>(), 8);
    assert_eq!(size_of::<CapRights>(), 8);
}

#[test]
fn user_context_layout() {
    assert_eq!(size_of::<UserContext>(), 160);
    assert_eq!(USER_CONTEXT_WORDS, 20);
    assert_eq!(FRAME_REGISTERS, 18);
    assert_eq!(GP_REGISTERS, 2);
    assert_eq!(FRAME_REGISTERS + GP_REGISTERS, USER_CONTEXT_WORDS);
    let offsets = [
        (offset_of!(UserContext, rip), reg::RIP),
        (offset_of!(UserContext, rsp), reg::RSP),
        (offset_of!(UserContext, rflags), reg::RFLAGS),
        (offset_of!(UserContext, rax), reg::RAX),
        (offset_of!(UserContext, rbx), reg::RBX),
        (offset_of!(UserContext, rcx), reg::RCX),
        (offset_of!(UserContext, rdx), reg::RDX),
        (offset_of!(UserContext, rsi), reg::RSI),
        (offset_of!(UserContext, rdi), reg::RDI),
        (offset_of!(UserContext, rbp), reg::RBP),
        (offset_of!(UserContext, r8), reg::R8),
        (offset_of!(UserContext, r9), reg::R9),
        (offset_of!(UserContext, r10), reg::R10),
        (offset_of!(UserContext, r11), reg::R11),
        (offset_of!(UserContext, r12), reg::R12),
        (offset_of!(UserContext, r13), reg::R13),
        (offset_of!(UserContext, r14), reg::R14),
        (offset_of!(UserContext, r15), reg::R15),
        (offset_of!(UserContext, fs_base), reg::FS_BASE),
        (offset_of!(UserContext, gs_base), reg::GS_BASE),
    ];
    for (i, (off, idx)) in offsets.iter().enumerate() {
        assert_eq!(*idx, i, "register index order (doc §9.4)");
        assert_eq!(*off, 8 * i, "field offset of word {i}");
    }
}

#[test]
fn user_context_words() {
    let mut w = [0u64; USER_CONTEXT_WORDS];
    for (i, x) in w.iter_mut().enumerate() {
        *x = 0x1000 + i as u64;
    }
    let c = UserContext::from_words(&w);
    assert_eq!(c.as_words(), w);
    assert_eq!(c.rip, 0x1000);
    assert_eq!(c.rsp, 0x1001);
    assert_eq!(c.rflags, 0x1002);
    assert_eq!(c.rdi, 0x1008);
    assert_eq!(c.r15, 0x1011);
    assert_eq!(c.fs_base, 0x1012);
    assert_eq!(c.gs_base, 0x1013);
    let mut d = c;
    for (i, &x) in w.iter().enumerate() {
        assert_eq!(c.get(i), Some(x));
        assert!(d.set(i, !x));
        assert_eq!(d.get(i), Some(!x));
    }
    assert_eq!(c.get(20), None);
    let before = d;
    assert!(!d.set(20, 1));
    assert_eq!(d, before);
}

#[test]
fn bootinfo_words_and_bytes() {
    let mut rng = Rng::new(0xB007);
    let mut w = [0u64; BOOTINFO_WORDS];
    for x in w.iter_mut() {
        *x = rng.next_u64();
    }
    let bi = BootInfo::from_words(&w);
    assert_eq!(bi.to_words(), w);

    // Serialised bytes put every field at its repr(C) offset.
    let mut bytes = [0u8; 4096];
    assert!(bi.write_bytes(&mut bytes));
    let at = |off: usize| u64::from_le_bytes(bytes[off..off + 8].try_into().unwrap());
    assert_eq!(at(offset_of!(BootInfo, extra_len)), bi.extra_len);
    assert_eq!(
        at(offset_of!(BootInfo, num_iopt_levels)),
        bi.num_iopt_levels
    );
    assert_eq!(at(offset_of!(BootInfo, ipc_buffer)), bi.ipc_buffer);
    assert_eq!(at(offset_of!(BootInfo, empty) + 8), bi.empty.end);
    assert_eq!(
        at(offset_of!(BootInfo, extra_bi_pages)),
        bi.extra_bi_pages.start
    );
    assert_eq!(
        at(offset_of!(BootInfo, init_thread_cnode_size_bits)),
        bi.init_thread_cnode_size_bits
    );
    assert_eq!(
        at(offset_of!(BootInfo, init_thread_domain)),
        bi.init_thread_domain
    );
    assert_eq!(at(offset_of!(BootInfo, untyped)), bi.untyped.start);
    assert_eq!(at(offset_of!(BootInfo, untyped) + 8), bi.untyped.end);
    for i in [0usize, 1, 117, 229] {
        let base = offset_of!(BootInfo, untyped_list) + 16 * i;
        let d = bi.untyped_list[i];
        assert_eq!(at(base), d.paddr);
        assert_eq!(bytes[base + 8], d.size_bits);
        assert_eq!(bytes[base + 9], d.is_device);
        assert_eq!(&bytes[base + 10..base + 16], &d.padding);
    }
    assert!(bytes[BOOTINFO_SIZE..].iter().all(|&b| b == 0));

    // Parsing works from an unaligned position and needs the whole struct.
    let mut shifted = [0u8; 4097];
    shifted[1..].copy_from_slice(&bytes);
    assert_eq!(BootInfo::from_bytes(&shifted[1..]), Some(bi));
    assert_eq!(BootInfo::from_bytes(&bytes[..BOOTINFO_SIZE - 1]), None);
    let mut short = [0u8; BOOTINFO_SIZE - 1];
    assert!(!bi.write_bytes(&mut short));
    assert!(short.iter().all(|&b| b == 0));
}

#[test]
fn bootinfo_helpers() {
    let mut bi = BootInfo::zeroed();
    assert_eq!(bi, BootInfo::default());
    assert!(bi.untyped_descs().is_empty());
    bi.untyped = SlotRegion::new(100, 103);
    bi.untyped_list[0] = UntypedDesc::new(0x10_0000, 20, false);
    bi.untyped_list[2] = UntypedDesc::new(0xFEE0_0000, 12, true);
    let d = bi.untyped_descs();
    assert_eq!(d.len(), 3);
    assert_eq!(d[0].size_bytes(), Some(1 << 20));
    assert!(!d[0].device());
    assert!(d[2].device());
    // A corrupt region can't make the slice overrun the array.
    bi.untyped = SlotRegion::new(0, u64::MAX);
    assert_eq!(bi.untyped_descs().len(), MAX_BOOTINFO_UNTYPED_CAPS);
    bi.untyped = SlotRegion::new(10, 5);
    assert_eq!(bi.untyped_descs().len(), 0);

    let r = SlotRegion::new(16, 20);
    assert_eq!(r.len(), 4);
    assert!(!r.is_empty());
    assert!(r.contains(16) && r.contains(19) && !r.contains(20) && !r.contains(15));
    assert_eq!(r.range().count(), 4);
    assert!(SlotRegion::new(5, 5).is_empty());
    assert_eq!(SlotRegion::new(9, 5).len(), 0);
    assert_eq!(UntypedDesc::new(0, 64, false).size_bytes(), None);
    assert_eq!(UntypedDesc::new(0, 63, false).size_bytes(), Some(1 << 63));
}

#[test]
fn root_task_placement() {
    use crate::bootinfo::root_task::*;
    assert_eq!(IPC_BUFFER_OFFSET, 0);
    assert_eq!(BOOTINFO_OFFSET, 0x1000);
    assert_eq!(EXTRA_BOOTINFO_OFFSET, 0x2000);
    assert_eq!(INITIAL_RFLAGS, 0x202);
}
