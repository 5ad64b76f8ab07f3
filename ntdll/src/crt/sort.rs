//! qsort (an in-place heapsort: no memory needed, O(n log n) always) and
//! bsearch.

use core::ffi::c_void;

type Compare = unsafe extern "C" fn(*const c_void, *const c_void) -> i32;

unsafe fn swap(base: *mut u8, width: usize, i: usize, j: usize) {
    if i != j {
        core::ptr::swap_nonoverlapping(base.add(i * width), base.add(j * width), width);
    }
}

unsafe fn sift_down(base: *mut u8, width: usize, cmp: Compare, mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        let at = |k: usize| base.add(k * width) as *const c_void;
        if child + 1 < end && cmp(at(child), at(child + 1)) < 0 {
            child += 1;
        }
        if cmp(at(root), at(child)) >= 0 {
            return;
        }
        swap(base, width, root, child);
        root = child;
    }
}

#[no_mangle]
pub unsafe extern "C" fn qsort(
    base: *mut c_void,
    num: usize,
    width: usize,
    compare: Option<Compare>,
) {
    let (Some(cmp), false) = (compare, base.is_null() || width == 0) else {
        return;
    };
    let base = base as *mut u8;
    for i in (0..num / 2).rev() {
        sift_down(base, width, cmp, i, num);
    }
    for end in (1..num).rev() {
        swap(base, width, 0, end);
        sift_down(base, width, cmp, 0, end);
    }
}

#[no_mangle]
pub unsafe extern "C" fn bsearch(
    key: *const c_void,
    base: *const c_void,
    num: usize,
    width: usize,
    compare: Option<Compare>,
) -> *mut c_void {
    let Some(cmp) = compare else {
        return core::ptr::null_mut();
    };
    let (mut lo, mut hi) = (0usize, num);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let p = (base as *const u8).add(mid * width) as *const c_void;
        match cmp(key, p) {
            0 => return p as *mut c_void,
            r if r < 0 => hi = mid,
            _ => lo = mid + 1,
        }
    }
    core::ptr::null_mut()
}
