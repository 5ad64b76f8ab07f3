//! The heap allocator behind RtlCreateHeap, RtlAllocateHeap, RtlFreeHeap,
//! RtlReAllocateHeap, RtlSizeHeap and RtlValidateHeap, written against an
//! abstract [`PageSource`] so the same code runs over NtAllocateVirtualMemory
//! in ntdll and over plain host memory in the tests.
//!
//! Layout. A heap is a list of *segments*, each one reservation of address
//! space whose front part is committed as needed. The heap handle is the
//! address of the [`HeapHeader`] at the start of the first segment (as on
//! Windows, where the handle is the HEAP structure). Each segment holds a
//! contiguous run of blocks covering its committed part exactly; a block is
//! a 16-byte [`Block`] header followed by the caller's bytes, so every
//! pointer handed out is 16-aligned. Requests above [`LARGE_THRESHOLD`]
//! (growable heaps only) get a reservation of their own ("large blocks",
//! kept on a list) and are released to the page source when freed.
//!
//! Free blocks sit on 128 segregated lists (exact sizes in 16-byte steps,
//! the last list taking everything from 2032 bytes up) with a bitmap of the
//! non-empty ones, and are coalesced with free neighbours when freed, so a
//! segment never has two free blocks in a row. Memory is not decommitted
//! until the heap is destroyed.
//!
//! Every header carries a check word mixing its address, fields and a
//! per-heap cookie; headers swallowed by coalescing are zeroed. A pointer is
//! accepted only if it lies in one of the heap's segments (or is a large
//! block on the list) and its header checks, so double frees and foreign
//! pointers are refused (FALSE / NULL / `usize::MAX`) instead of corrupting
//! the heap. HEAP_GENERATE_EXCEPTIONS is accepted and ignored: there is no
//! structured exception handling yet, failures are only reported.

use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};

/// Page size of the page source.
pub const PAGE_SIZE: usize = 0x1000;
/// Reservations are rounded to the NT allocation granularity.
pub const GRANULARITY: usize = 0x1_0000;
/// Requests whose block would exceed this go to their own reservation
/// (Windows' VirtualMemoryThreshold is of the same order).
pub const LARGE_THRESHOLD: usize = 0x7F000;

pub const HEAP_NO_SERIALIZE: u32 = 0x0000_0001;
pub const HEAP_GROWABLE: u32 = 0x0000_0002;
pub const HEAP_GENERATE_EXCEPTIONS: u32 = 0x0000_0004;
pub const HEAP_ZERO_MEMORY: u32 = 0x0000_0008;
pub const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x0000_0010;
pub const HEAP_DISABLE_COALESCE_ON_FREE: u32 = 0x0000_0080;

/// Default reservation of a heap created with ReserveSize 0 (1 MiB, the
/// usual SizeOfHeapReserve).
pub const DEFAULT_RESERVE: usize = 0x10_0000;
/// Largest reservation a growable heap asks for when it adds a segment
/// (each new segment doubles the last, up to this).
const MAX_SEGMENT_RESERVE: usize = 0x400_0000;
/// Pages committed at least when a segment grows, to keep commits rare.
const COMMIT_STEP: usize = 16 * PAGE_SIZE;

const HEAP_SIGNATURE: u32 = 0x7061_6548; // "Heap"
const SEGMENT_SIGNATURE: u32 = 0x6765_6553; // "Segm"

const BLOCK_HEADER: usize = 16;
const MIN_BLOCK: usize = 32;
const BINS: usize = 128;

const BUSY: u16 = 0x1;
const LAST: u16 = 0x2;
const LARGE: u16 = 0x4;

/// Where heap memory comes from. Implementations hand out page-aligned,
/// zero-filled, read-write memory; ntdll's calls NtAllocateVirtualMemory.
pub trait PageSource {
    /// Reserves `size` bytes (a multiple of [`GRANULARITY`]) of address space.
    fn reserve(&mut self, size: usize) -> Option<usize>;
    /// Commits `[addr, addr + size)`, page-aligned, inside a reservation.
    fn commit(&mut self, addr: usize, size: usize) -> bool;
    /// Releases the whole reservation that starts at `base`.
    fn release(&mut self, base: usize);
    /// Called while another thread holds the heap lock.
    fn relax(&mut self) {
        core::hint::spin_loop()
    }
}

/// The heap header at the handle address.
#[repr(C)]
struct HeapHeader {
    signature: u32,
    flags: u32,
    lock: AtomicU32,
    cookie: u32,
    first_segment: usize,
    /// Head of the doubly linked list of large blocks (0 = empty).
    large: usize,
    /// Reservation size for the next segment.
    next_reserve: usize,
    /// Bit i set = `bins[i]` is non-empty.
    bitmap: [u64; BINS / 64],
    /// Heads of the free lists (addresses of free blocks, 0 = empty).
    bins: [usize; BINS],
}

/// One reservation holding blocks.
#[repr(C)]
struct Segment {
    signature: u32,
    _pad: u32,
    next: usize,
    base: usize,
    reserved: usize,
    first_block: usize,
    /// End of the committed part = end of the last block.
    committed_end: usize,
}

/// The header in front of every block.
#[repr(C)]
#[derive(Clone, Copy)]
struct Block {
    /// Whole block in bytes (header included), a multiple of 16.
    size: u32,
    /// Size of the block before it in the segment (0 for the first).
    prev_size: u32,
    /// Bytes of the block's payload beyond the caller's request.
    unused: u16,
    flags: u16,
    check: u32,
}

/// Free blocks keep their list links at the start of the payload.
#[repr(C)]
struct FreeLinks {
    next: usize,
    prev: usize,
}

/// What a large block's reservation starts with, before its [`Block`].
#[repr(C)]
struct LargeHeader {
    next: usize,
    prev: usize,
    /// Committed bytes of the reservation.
    vm_size: usize,
    /// The caller's request.
    requested: usize,
}

const LARGE_HEADER: usize = core::mem::size_of::<LargeHeader>();
const HEAP_HEADER: usize = (core::mem::size_of::<HeapHeader>() + 15) & !15;
const SEGMENT_HEADER: usize = (core::mem::size_of::<Segment>() + 15) & !15;

const fn round_up(v: usize, to: usize) -> Option<usize> {
    match v.checked_add(to - 1) {
        Some(x) => Some(x & !(to - 1)),
        None => None,
    }
}

/// Block size for a request of `size` bytes, or None if absurd.
fn block_size_for(size: usize) -> Option<usize> {
    let s = round_up(size.checked_add(BLOCK_HEADER)?, 16)?;
    Some(s.max(MIN_BLOCK))
}

fn bin_of(size: usize) -> usize {
    (size / 16).min(BINS - 1)
}

fn check_word(addr: usize, b: &Block, cookie: u32) -> u32 {
    let mut x = (addr as u64) ^ ((b.size as u64) << 32 | b.prev_size as u64);
    x ^= ((b.unused as u64) << 16 | b.flags as u64) << 7;
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((x >> 32) as u32) ^ (x as u32) ^ cookie
}

/// A snapshot of a heap's state, from [`stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    pub segments: usize,
    pub busy_blocks: usize,
    pub free_blocks: usize,
    pub large_blocks: usize,
    pub committed: usize,
}

/// Holds the heap lock (unless the heap or call is unserialized). A raw
/// pointer, so no reference to the header outlives a statement.
struct Guard {
    lock: *const AtomicU32,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.lock.is_null() {
            // SAFETY: the lock word of a live heap, taken by `lock`.
            unsafe { (*self.lock).store(0, Ordering::Release) };
        }
    }
}

/// Accessors over a heap's raw memory. Every method relies on the
/// invariant that `self.0` is a live heap made by [`create`].
#[derive(Clone, Copy)]
struct H(usize);

impl H {
    fn hdr(self) -> *mut HeapHeader {
        self.0 as *mut HeapHeader
    }

    /// SAFETY (for all raw accessors below): addresses come from the
    /// heap's own segment walk, free lists and checked headers, all inside
    /// memory committed through the page source.
    unsafe fn block(addr: usize) -> Block {
        ptr::read(addr as *const Block)
    }

    unsafe fn set_block(
        self,
        addr: usize,
        size: usize,
        prev_size: usize,
        unused: usize,
        flags: u16,
    ) {
        let mut b = Block {
            size: size as u32,
            prev_size: prev_size as u32,
            unused: unused as u16,
            flags,
            check: 0,
        };
        b.check = check_word(addr, &b, (*self.hdr()).cookie);
        ptr::write(addr as *mut Block, b);
    }

    unsafe fn block_ok(self, addr: usize) -> bool {
        let b = Self::block(addr);
        b.check == check_word(addr, &b, (*self.hdr()).cookie)
            && b.size as usize >= MIN_BLOCK
            && b.size % 16 == 0
    }

    unsafe fn links(addr: usize) -> *mut FreeLinks {
        (addr + BLOCK_HEADER) as *mut FreeLinks
    }

    unsafe fn push_free(self, addr: usize, size: usize) {
        let h = self.hdr();
        let i = bin_of(size);
        let head = (*h).bins[i];
        ptr::write(
            Self::links(addr),
            FreeLinks {
                next: head,
                prev: 0,
            },
        );
        if head != 0 {
            (*Self::links(head)).prev = addr;
        }
        (*h).bins[i] = addr;
        (*h).bitmap[i / 64] |= 1 << (i % 64);
    }

    unsafe fn unlink_free(self, addr: usize, size: usize) {
        let h = self.hdr();
        let i = bin_of(size);
        let l = ptr::read(Self::links(addr));
        if l.prev == 0 {
            (*h).bins[i] = l.next;
        } else {
            (*Self::links(l.prev)).next = l.next;
        }
        if l.next != 0 {
            (*Self::links(l.next)).prev = l.prev;
        }
        if (*h).bins[i] == 0 {
            (*h).bitmap[i / 64] &= !(1 << (i % 64));
        }
    }

    /// Marks `[addr, addr + size)` as one free block, pushes it, and fixes
    /// the next block's `prev_size`.
    unsafe fn make_free(self, addr: usize, size: usize, prev_size: usize, last: bool) {
        self.set_block(addr, size, prev_size, 0, if last { LAST } else { 0 });
        self.push_free(addr, size);
        if !last {
            self.set_prev_size(addr + size, size);
        }
    }

    unsafe fn set_prev_size(self, addr: usize, prev_size: usize) {
        let b = Self::block(addr);
        self.set_block(addr, b.size as usize, prev_size, b.unused as usize, b.flags);
    }

    /// The segment containing `addr` (a block header address), if any.
    unsafe fn segment_of(self, addr: usize) -> Option<*mut Segment> {
        let mut s = (*self.hdr()).first_segment;
        while s != 0 {
            let seg = s as *mut Segment;
            if addr >= (*seg).first_block && addr < (*seg).committed_end {
                return Some(seg);
            }
            s = (*seg).next;
        }
        None
    }

    /// The large block whose payload is `user`, if any.
    unsafe fn large_of(self, user: usize) -> Option<usize> {
        let mut l = (*self.hdr()).large;
        while l != 0 {
            if l + LARGE_HEADER + BLOCK_HEADER == user {
                return Some(l);
            }
            l = (*(l as *const LargeHeader)).next;
        }
        None
    }

    /// Finds a free block of at least `need` bytes and unlinks it.
    unsafe fn take_free(self, need: usize) -> Option<usize> {
        let h = self.hdr();
        let first = bin_of(need);
        if first < BINS - 1 {
            // Exact or bigger small bins: any block there is large enough.
            for word in first / 64..BINS / 64 {
                let mut bits = (*h).bitmap[word];
                if word == first / 64 {
                    bits &= !0u64 << (first % 64);
                }
                if word == (BINS - 1) / 64 {
                    bits &= !(1u64 << ((BINS - 1) % 64));
                }
                if bits != 0 {
                    let i = word * 64 + bits.trailing_zeros() as usize;
                    let addr = (*h).bins[i];
                    self.unlink_free(addr, Self::block(addr).size as usize);
                    return Some(addr);
                }
            }
        }
        // The catch-all bin, first fit.
        let mut addr = (*h).bins[BINS - 1];
        while addr != 0 {
            let size = Self::block(addr).size as usize;
            if size >= need {
                self.unlink_free(addr, size);
                return Some(addr);
            }
            addr = (*Self::links(addr)).next;
        }
        None
    }

    /// Turns the (unlinked) block at `addr` into a busy block for a request
    /// of `req` bytes needing `need`, returning any tail to the free lists.
    unsafe fn occupy(self, addr: usize, need: usize, req: usize) {
        let b = Self::block(addr);
        let size = b.size as usize;
        let last = b.flags & LAST != 0;
        if size - need >= MIN_BLOCK {
            self.set_block(
                addr,
                need,
                b.prev_size as usize,
                need - BLOCK_HEADER - req,
                BUSY,
            );
            self.make_free(addr + need, size - need, need, last);
        } else {
            let flags = BUSY | if last { LAST } else { 0 };
            self.set_block(
                addr,
                size,
                b.prev_size as usize,
                size - BLOCK_HEADER - req,
                flags,
            );
        }
    }

    /// Commits more of some segment so that a block of `need` bytes fits at
    /// its end; returns true if one now does (as a free block on a list).
    unsafe fn grow_segment(self, src: &mut impl PageSource, need: usize) -> bool {
        let mut s = (*self.hdr()).first_segment;
        while s != 0 {
            let seg = &mut *(s as *mut Segment);
            if self.extend(src, seg, need) {
                return true;
            }
            s = seg.next;
        }
        false
    }

    /// Extends `seg`'s committed end so its last block (free or new) has at
    /// least `need` bytes.
    unsafe fn extend(self, src: &mut impl PageSource, seg: &mut Segment, need: usize) -> bool {
        let end = seg.committed_end;
        let limit = seg.base + seg.reserved;
        let last = self.last_block(seg);
        let lb = Self::block(last);
        let have = if lb.flags & BUSY == 0 {
            lb.size as usize
        } else {
            0
        };
        let want = need.saturating_sub(have);
        let Some(grow) = round_up(want.max(COMMIT_STEP), PAGE_SIZE) else {
            return false;
        };
        let grow = grow.min(limit - end);
        if grow < want || grow == 0 || !src.commit(end, grow) {
            return false;
        }
        seg.committed_end = end + grow;
        if lb.flags & BUSY == 0 {
            self.unlink_free(last, lb.size as usize);
            self.make_free(last, lb.size as usize + grow, lb.prev_size as usize, true);
        } else {
            self.set_block(
                last,
                lb.size as usize,
                lb.prev_size as usize,
                lb.unused as usize,
                lb.flags & !LAST,
            );
            self.make_free(end, grow, lb.size as usize, true);
        }
        true
    }

    unsafe fn last_block(self, seg: &Segment) -> usize {
        let mut addr = seg.first_block;
        loop {
            let b = Self::block(addr);
            if b.flags & LAST != 0 {
                return addr;
            }
            addr += b.size as usize;
        }
    }

    /// Adds a segment big enough for a block of `need` bytes.
    unsafe fn add_segment(self, src: &mut impl PageSource, need: usize) -> bool {
        let h = self.hdr();
        let Some(min) = need
            .checked_add(SEGMENT_HEADER)
            .and_then(|v| round_up(v, GRANULARITY))
        else {
            return false;
        };
        let reserve = (*h).next_reserve.max(min);
        let Some(base) = src.reserve(reserve) else {
            return false;
        };
        let Some(commit) = round_up(need + SEGMENT_HEADER, PAGE_SIZE) else {
            return false;
        };
        let commit = commit.max(COMMIT_STEP).min(reserve);
        if !src.commit(base, commit) {
            src.release(base);
            return false;
        }
        (*h).next_reserve = (reserve * 2)
            .min(MAX_SEGMENT_RESERVE)
            .max((*h).next_reserve);
        let seg = base as *mut Segment;
        // New segments go to the end so the first one stays the heap's own.
        ptr::write(
            seg,
            Segment {
                signature: SEGMENT_SIGNATURE,
                _pad: 0,
                next: 0,
                base,
                reserved: reserve,
                first_block: base + SEGMENT_HEADER,
                committed_end: base + commit,
            },
        );
        let mut tail = (*h).first_segment as *mut Segment;
        while (*tail).next != 0 {
            tail = (*tail).next as *mut Segment;
        }
        (*tail).next = base;
        self.make_free(base + SEGMENT_HEADER, commit - SEGMENT_HEADER, 0, true);
        true
    }

    /// Frees a busy block at `addr` of segment memory, coalescing.
    unsafe fn free_block(self, addr: usize) {
        let coalesce = (*self.hdr()).flags & HEAP_DISABLE_COALESCE_ON_FREE == 0;
        let b = Self::block(addr);
        let mut start = addr;
        let mut size = b.size as usize;
        let mut prev_size = b.prev_size as usize;
        let mut last = b.flags & LAST != 0;
        if coalesce && !last {
            let next = addr + size;
            let nb = Self::block(next);
            if nb.flags & BUSY == 0 {
                self.unlink_free(next, nb.size as usize);
                size += nb.size as usize;
                last = nb.flags & LAST != 0;
                ptr::write_bytes(next as *mut u8, 0, BLOCK_HEADER);
            }
        }
        if coalesce && prev_size != 0 {
            let prev = addr - prev_size;
            let pb = Self::block(prev);
            if pb.flags & BUSY == 0 {
                self.unlink_free(prev, pb.size as usize);
                ptr::write_bytes(start as *mut u8, 0, BLOCK_HEADER);
                start = prev;
                size += pb.size as usize;
                prev_size = pb.prev_size as usize;
            }
        }
        self.make_free(start, size, prev_size, last);
    }

    /// A busy block's header address for the caller's pointer `p` in
    /// segment memory, or None if `p` is not one.
    unsafe fn busy_block(self, p: usize) -> Option<usize> {
        if p % 16 != 0 || p < BLOCK_HEADER {
            return None;
        }
        let addr = p - BLOCK_HEADER;
        self.segment_of(addr)?;
        if !self.block_ok(addr) {
            return None;
        }
        let b = Self::block(addr);
        (b.flags & BUSY != 0 && b.flags & LARGE == 0).then_some(addr)
    }

    unsafe fn alloc_large(self, src: &mut impl PageSource, size: usize) -> usize {
        let Some(vm) = size
            .checked_add(LARGE_HEADER + BLOCK_HEADER)
            .and_then(|v| round_up(v, PAGE_SIZE))
        else {
            return 0;
        };
        let Some(reserve) = round_up(vm, GRANULARITY) else {
            return 0;
        };
        let Some(base) = src.reserve(reserve) else {
            return 0;
        };
        if !src.commit(base, vm) {
            src.release(base);
            return 0;
        }
        let h = self.hdr();
        let head = (*h).large;
        ptr::write(
            base as *mut LargeHeader,
            LargeHeader {
                next: head,
                prev: 0,
                vm_size: vm,
                requested: size,
            },
        );
        if head != 0 {
            (*(head as *mut LargeHeader)).prev = base;
        }
        (*h).large = base;
        // The block header's size field cannot hold a large size; it only
        // marks the block and carries the check word.
        self.set_block(base + LARGE_HEADER, MIN_BLOCK, 0, 0, BUSY | LARGE);
        base + LARGE_HEADER + BLOCK_HEADER
    }

    unsafe fn free_large(self, src: &mut impl PageSource, base: usize) {
        let l = ptr::read(base as *const LargeHeader);
        if l.prev == 0 {
            (*self.hdr()).large = l.next;
        } else {
            (*(l.prev as *mut LargeHeader)).next = l.next;
        }
        if l.next != 0 {
            (*(l.next as *mut LargeHeader)).prev = l.prev;
        }
        ptr::write_bytes(base as *mut u8, 0, LARGE_HEADER + BLOCK_HEADER);
        src.release(base);
    }

    /// Allocation with the lock held.
    unsafe fn alloc(self, src: &mut impl PageSource, flags: u32, size: usize) -> usize {
        let Some(need) = block_size_for(size) else {
            return 0;
        };
        let growable = (*self.hdr()).flags & HEAP_GROWABLE != 0;
        let p = if need > LARGE_THRESHOLD {
            if !growable {
                return 0;
            }
            self.alloc_large(src, size)
        } else {
            let addr = match self.take_free(need) {
                Some(a) => a,
                None => {
                    if !self.grow_segment(src, need) && !(growable && self.add_segment(src, need)) {
                        return 0;
                    }
                    match self.take_free(need) {
                        Some(a) => a,
                        None => return 0,
                    }
                }
            };
            self.occupy(addr, need, size);
            addr + BLOCK_HEADER
        };
        if p != 0 && flags & HEAP_ZERO_MEMORY != 0 {
            ptr::write_bytes(p as *mut u8, 0, size);
        }
        p
    }

    /// The caller's size of the block at `p`, or None if `p` is not ours.
    unsafe fn size_of(self, p: usize) -> Option<usize> {
        if let Some(addr) = self.busy_block(p) {
            let b = Self::block(addr);
            return Some(b.size as usize - BLOCK_HEADER - b.unused as usize);
        }
        let base = self.large_of(p)?;
        self.block_ok(base + LARGE_HEADER)
            .then(|| (*(base as *const LargeHeader)).requested)
    }

    /// Resizes the busy segment block at `addr` in place to hold `size`
    /// bytes, if it can.
    unsafe fn resize_in_place(self, src: &mut impl PageSource, addr: usize, size: usize) -> bool {
        let Some(need) = block_size_for(size) else {
            return false;
        };
        if need > LARGE_THRESHOLD {
            return false;
        }
        let b = Self::block(addr);
        let cur = b.size as usize;
        if need > cur {
            let at_end = b.flags & LAST != 0 || {
                let nb = Self::block(addr + cur);
                nb.flags & BUSY == 0 && nb.flags & LAST != 0
            };
            if at_end {
                // Commit more of this segment behind the block; if that
                // fails the checks below refuse the request.
                let Some(seg) = self.segment_of(addr) else {
                    return false;
                };
                self.extend(src, &mut *seg, need - cur);
            }
            let b = Self::block(addr);
            if b.flags & LAST != 0 {
                return false;
            }
            let next = addr + cur;
            let nb = Self::block(next);
            if nb.flags & BUSY != 0 || cur + (nb.size as usize) < need {
                return false;
            }
            self.unlink_free(next, nb.size as usize);
            ptr::write_bytes(next as *mut u8, 0, BLOCK_HEADER);
            let flags = BUSY | (nb.flags & LAST);
            let total = cur + nb.size as usize;
            self.set_block(addr, total, b.prev_size as usize, 0, flags);
            if flags & LAST == 0 {
                self.set_prev_size(addr + total, total);
            }
            self.occupy(addr, need, size);
            return true;
        }
        // Shrinking (or same size): give a big enough tail back.
        let last = b.flags & LAST != 0;
        if cur - need >= MIN_BLOCK {
            self.set_block(
                addr,
                need,
                b.prev_size as usize,
                need - BLOCK_HEADER - size,
                BUSY,
            );
            let tail = addr + need;
            self.set_block(
                tail,
                cur - need,
                need,
                0,
                BUSY | if last { LAST } else { 0 },
            );
            if !last {
                self.set_prev_size(tail + cur - need, cur - need);
            }
            self.free_block(tail);
        } else {
            self.set_block(
                addr,
                cur,
                b.prev_size as usize,
                cur - BLOCK_HEADER - size,
                b.flags,
            );
        }
        true
    }
}

unsafe fn lock(src: &mut impl PageSource, h: H, flags: u32) -> Guard {
    if ((*h.hdr()).flags | flags) & HEAP_NO_SERIALIZE != 0 {
        return Guard { lock: ptr::null() };
    }
    let l = ptr::addr_of!((*h.hdr()).lock);
    while (*l)
        .compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        src.relax();
    }
    Guard { lock: l }
}

/// Is `heap` the handle of a live heap? (Reads its signature.)
///
/// # Safety
/// `heap` must be 0 or readable for a [`HeapHeader`]'s first word.
unsafe fn heap_of(heap: usize) -> Option<H> {
    if heap == 0 || heap % 16 != 0 || ptr::read(heap as *const u32) != HEAP_SIGNATURE {
        return None;
    }
    Some(H(heap))
}

/// Creates a heap: reserves `reserve` bytes (0 = [`DEFAULT_RESERVE`]),
/// commits `commit` (at least one page) and returns the heap handle.
/// `flags` are the HEAP_* creation flags; `cookie` is mixed into every
/// header's check word (any value; ntdll passes something address- and
/// time-derived).
///
/// # Safety
/// `src` must hand out memory nothing else uses.
pub unsafe fn create(
    src: &mut impl PageSource,
    flags: u32,
    reserve: usize,
    commit: usize,
    cookie: u32,
) -> Option<usize> {
    let first = HEAP_HEADER + SEGMENT_HEADER;
    let commit = round_up(commit.max(first + MIN_BLOCK), PAGE_SIZE)?;
    let reserve = round_up(
        if reserve == 0 {
            DEFAULT_RESERVE
        } else {
            reserve
        }
        .max(commit),
        GRANULARITY,
    )?;
    let base = src.reserve(reserve)?;
    if !src.commit(base, commit) {
        src.release(base);
        return None;
    }
    let seg = base + HEAP_HEADER;
    ptr::write(
        base as *mut HeapHeader,
        HeapHeader {
            signature: HEAP_SIGNATURE,
            flags,
            lock: AtomicU32::new(0),
            cookie,
            first_segment: seg,
            large: 0,
            next_reserve: reserve.min(MAX_SEGMENT_RESERVE),
            bitmap: [0; BINS / 64],
            bins: [0; BINS],
        },
    );
    ptr::write(
        seg as *mut Segment,
        Segment {
            signature: SEGMENT_SIGNATURE,
            _pad: 0,
            next: 0,
            base,
            reserved: reserve,
            first_block: base + first,
            committed_end: base + commit,
        },
    );
    H(base).make_free(base + first, commit - first, 0, true);
    Some(base)
}

/// Destroys a heap, releasing every segment and large block. Returns false
/// for a handle that is not a heap.
///
/// # Safety
/// `heap` must be 0 or a readable address; no other thread may use the
/// heap during or after the call.
pub unsafe fn destroy(src: &mut impl PageSource, heap: usize) -> bool {
    let Some(h) = heap_of(heap) else { return false };
    let mut l = (*h.hdr()).large;
    while l != 0 {
        let next = (*(l as *const LargeHeader)).next;
        src.release(l);
        l = next;
    }
    // Collect the other segments before the first (holding the header) goes.
    let mut s = (*((*h.hdr()).first_segment as *const Segment)).next;
    (*h.hdr()).signature = 0;
    while s != 0 {
        let next = (*(s as *const Segment)).next;
        src.release((*(s as *const Segment)).base);
        s = next;
    }
    src.release(heap);
    true
}

/// RtlAllocateHeap: `size` bytes, 16-aligned, zeroed with HEAP_ZERO_MEMORY;
/// 0 when out of memory or `heap` is not a heap.
///
/// # Safety
/// `heap` must be 0 or a readable address; `src` must be the heap's source.
pub unsafe fn alloc(src: &mut impl PageSource, heap: usize, flags: u32, size: usize) -> usize {
    let Some(h) = heap_of(heap) else { return 0 };
    let _g = lock(src, h, flags);
    h.alloc(src, flags, size)
}

/// RtlFreeHeap: true if `p` was a busy block of this heap (or NULL), false
/// for anything else, including a second free of the same pointer.
///
/// # Safety
/// As [`alloc`]; `p` may be any value.
pub unsafe fn free(src: &mut impl PageSource, heap: usize, flags: u32, p: usize) -> bool {
    let Some(h) = heap_of(heap) else { return false };
    if p == 0 {
        return true;
    }
    let _g = lock(src, h, flags);
    if let Some(addr) = h.busy_block(p) {
        h.free_block(addr);
        return true;
    }
    match h.large_of(p) {
        Some(base) if h.block_ok(base + LARGE_HEADER) => {
            h.free_large(src, base);
            true
        }
        _ => false,
    }
}

/// RtlSizeHeap: the size the block at `p` was requested with, or
/// `usize::MAX` ((SIZE_T)-1) if `p` is not a busy block of this heap.
///
/// # Safety
/// As [`free`].
pub unsafe fn size(src: &mut impl PageSource, heap: usize, flags: u32, p: usize) -> usize {
    let Some(h) = heap_of(heap) else {
        return usize::MAX;
    };
    let _g = lock(src, h, flags);
    h.size_of(p).unwrap_or(usize::MAX)
}

/// RtlReAllocateHeap: resizes in place when it can, else (unless
/// HEAP_REALLOC_IN_PLACE_ONLY) moves the contents to a new block and frees
/// the old one. With HEAP_ZERO_MEMORY the grown part is zeroed. Returns the
/// (possibly new) pointer, or 0 with the old block untouched.
///
/// # Safety
/// As [`free`].
pub unsafe fn realloc(
    src: &mut impl PageSource,
    heap: usize,
    flags: u32,
    p: usize,
    size: usize,
) -> usize {
    let Some(h) = heap_of(heap) else { return 0 };
    let _g = lock(src, h, flags);
    let Some(old) = h.size_of(p) else { return 0 };
    let in_place = if let Some(addr) = h.busy_block(p) {
        h.resize_in_place(src, addr, size)
    } else {
        // A large block stays where it is while the new size fits its
        // pages and is still large.
        let base = p - BLOCK_HEADER - LARGE_HEADER;
        let l = &mut *(base as *mut LargeHeader);
        let fits = size
            .checked_add(LARGE_HEADER + BLOCK_HEADER)
            .is_some_and(|v| v <= l.vm_size);
        if fits && block_size_for(size).is_some_and(|b| b > LARGE_THRESHOLD) {
            l.requested = size;
            true
        } else {
            false
        }
    };
    if in_place {
        if flags & HEAP_ZERO_MEMORY != 0 && size > old {
            ptr::write_bytes((p + old) as *mut u8, 0, size - old);
        }
        return p;
    }
    if flags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
        return 0;
    }
    let q = h.alloc(src, flags & !HEAP_ZERO_MEMORY, size);
    if q == 0 {
        return 0;
    }
    ptr::copy_nonoverlapping(p as *const u8, q as *mut u8, old.min(size));
    if flags & HEAP_ZERO_MEMORY != 0 && size > old {
        ptr::write_bytes((q + old) as *mut u8, 0, size - old);
    }
    if let Some(addr) = h.busy_block(p) {
        h.free_block(addr);
    } else if let Some(base) = h.large_of(p) {
        h.free_large(src, base);
    }
    q
}

/// RtlValidateHeap: with `p` = 0 checks the whole heap (headers, sizes,
/// neighbour links, coalescing, free lists, large blocks); otherwise checks
/// that `p` is a busy block of this heap.
///
/// # Safety
/// As [`free`].
pub unsafe fn validate(src: &mut impl PageSource, heap: usize, flags: u32, p: usize) -> bool {
    let Some(h) = heap_of(heap) else { return false };
    let _g = lock(src, h, flags);
    if p != 0 {
        return h.size_of(p).is_some();
    }
    walk(h).is_some()
}

/// Counts of a heap's blocks (for tests and debugging); None if the heap
/// is not consistent.
///
/// # Safety
/// As [`free`].
pub unsafe fn stats(src: &mut impl PageSource, heap: usize) -> Option<HeapStats> {
    let h = heap_of(heap)?;
    let _g = lock(src, h, 0);
    walk(h)
}

/// Walks everything, checking every invariant the allocator relies on.
unsafe fn walk(h: H) -> Option<HeapStats> {
    let hdr = &*h.hdr();
    let coalesce = hdr.flags & HEAP_DISABLE_COALESCE_ON_FREE == 0;
    let mut st = HeapStats::default();
    let mut s = hdr.first_segment;
    while s != 0 {
        let seg = &*(s as *const Segment);
        if seg.signature != SEGMENT_SIGNATURE || seg.committed_end > seg.base + seg.reserved {
            return None;
        }
        st.segments += 1;
        st.committed += seg.committed_end - seg.base;
        let (mut addr, mut prev_size, mut prev_free) = (seg.first_block, 0usize, false);
        loop {
            if addr + MIN_BLOCK > seg.committed_end || !h.block_ok(addr) {
                return None;
            }
            let b = H::block(addr);
            let size = b.size as usize;
            if b.prev_size as usize != prev_size
                || addr + size > seg.committed_end
                || b.flags & LARGE != 0
            {
                return None;
            }
            let free = b.flags & BUSY == 0;
            if free {
                if coalesce && prev_free {
                    return None;
                }
                st.free_blocks += 1;
            } else {
                if (b.unused as usize) > size - BLOCK_HEADER {
                    return None;
                }
                st.busy_blocks += 1;
            }
            if b.flags & LAST != 0 {
                if addr + size != seg.committed_end {
                    return None;
                }
                break;
            }
            prev_free = free;
            prev_size = size;
            addr += size;
        }
        s = seg.next;
    }
    // Every listed block is free, in its bin, linked both ways, and the
    // lists hold exactly the free blocks found above.
    let mut listed = 0;
    for i in 0..BINS {
        let (mut addr, mut prev) = (hdr.bins[i], 0usize);
        if (addr != 0) != (hdr.bitmap[i / 64] >> (i % 64) & 1 != 0) {
            return None;
        }
        while addr != 0 {
            h.segment_of(addr)?;
            if !h.block_ok(addr) {
                return None;
            }
            let b = H::block(addr);
            let l = &*H::links(addr);
            if b.flags & BUSY != 0 || bin_of(b.size as usize) != i || l.prev != prev {
                return None;
            }
            listed += 1;
            if listed > st.free_blocks {
                return None;
            }
            prev = addr;
            addr = l.next;
        }
    }
    if listed != st.free_blocks {
        return None;
    }
    let (mut l, mut prev) = (hdr.large, 0usize);
    while l != 0 {
        let lh = &*(l as *const LargeHeader);
        if lh.prev != prev
            || !h.block_ok(l + LARGE_HEADER)
            || lh.requested + LARGE_HEADER + BLOCK_HEADER > lh.vm_size
        {
            return None;
        }
        st.large_blocks += 1;
        st.committed += lh.vm_size;
        prev = l;
        l = lh.next;
    }
    Some(st)
}
