//! String functions, narrow and wide, each pair one generic routine over
//! the character unit. memchr is here; memcpy/memmove/memset/memcmp/strlen
//! come from compiler-builtins (see the module above).

use core::ffi::c_void;
use core::ptr::null_mut;
use rtl::format::Unit;
use rtl::unicode;

unsafe fn len<T: Unit>(s: *const T) -> usize {
    let mut n = 0;
    while (*s.add(n)).to_u16() != 0 {
        n += 1;
    }
    n
}

unsafe fn nlen<T: Unit>(s: *const T, max: usize) -> usize {
    let mut n = 0;
    while n < max && (*s.add(n)).to_u16() != 0 {
        n += 1;
    }
    n
}

/// Copies `s` with its NUL to `d`.
unsafe fn copy<T: Unit>(d: *mut T, s: *const T) -> *mut T {
    let mut i = 0;
    loop {
        let c = *s.add(i);
        *d.add(i) = c;
        if c.to_u16() == 0 {
            return d;
        }
        i += 1;
    }
}

/// strncpy: at most `n` units, padding with NULs (no NUL if `s` is longer).
unsafe fn ncopy<T: Unit>(d: *mut T, s: *const T, n: usize) -> *mut T {
    let mut i = 0;
    while i < n && (*s.add(i)).to_u16() != 0 {
        *d.add(i) = *s.add(i);
        i += 1;
    }
    while i < n {
        *d.add(i) = T::from_narrow(0);
        i += 1;
    }
    d
}

/// Compares up to `n` units, folding case with `fold`.
unsafe fn cmp<T: Unit>(a: *const T, b: *const T, n: usize, fold: fn(u16) -> u16) -> i32 {
    for i in 0..n {
        let (x, y) = (fold((*a.add(i)).to_u16()), fold((*b.add(i)).to_u16()));
        if x != y || x == 0 {
            return x as i32 - y as i32;
        }
    }
    0
}

fn same(c: u16) -> u16 {
    c
}

fn ascii_lower(c: u16) -> u16 {
    if (b'A' as u16..=b'Z' as u16).contains(&c) {
        c + 32
    } else {
        c
    }
}

unsafe fn find<T: Unit>(s: *const T, c: u16, last: bool) -> *mut T {
    let mut found = null_mut();
    let mut i = 0;
    loop {
        let x = (*s.add(i)).to_u16();
        if x == c {
            found = s.add(i) as *mut T;
            if !last {
                return found;
            }
        }
        if x == 0 {
            return found;
        }
        i += 1;
    }
}

unsafe fn find_str<T: Unit>(s: *const T, sub: *const T) -> *mut T {
    let n = len(sub);
    if n == 0 {
        return s as *mut T;
    }
    let mut p = s;
    while (*p).to_u16() != 0 {
        if cmp(p, sub, n, same) == 0 {
            return p as *mut T;
        }
        p = p.add(1);
    }
    null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn strnlen(s: *const u8, max: usize) -> usize {
    nlen(s, max)
}
#[no_mangle]
pub unsafe extern "C" fn wcslen(s: *const u16) -> usize {
    len(s)
}
#[no_mangle]
pub unsafe extern "C" fn wcsnlen(s: *const u16, max: usize) -> usize {
    nlen(s, max)
}
#[no_mangle]
pub unsafe extern "C" fn strcpy(d: *mut u8, s: *const u8) -> *mut u8 {
    copy(d, s)
}
#[no_mangle]
pub unsafe extern "C" fn wcscpy(d: *mut u16, s: *const u16) -> *mut u16 {
    copy(d, s)
}
#[no_mangle]
pub unsafe extern "C" fn strncpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    ncopy(d, s, n)
}
#[no_mangle]
pub unsafe extern "C" fn wcsncpy(d: *mut u16, s: *const u16, n: usize) -> *mut u16 {
    ncopy(d, s, n)
}
#[no_mangle]
pub unsafe extern "C" fn strcat(d: *mut u8, s: *const u8) -> *mut u8 {
    copy(d.add(len(d)), s);
    d
}
#[no_mangle]
pub unsafe extern "C" fn wcscat(d: *mut u16, s: *const u16) -> *mut u16 {
    copy(d.add(len(d)), s);
    d
}
#[no_mangle]
pub unsafe extern "C" fn strcmp(a: *const u8, b: *const u8) -> i32 {
    cmp(a, b, usize::MAX, same).signum()
}
#[no_mangle]
pub unsafe extern "C" fn wcscmp(a: *const u16, b: *const u16) -> i32 {
    cmp(a, b, usize::MAX, same).signum()
}
#[no_mangle]
pub unsafe extern "C" fn strncmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    cmp(a, b, n, same).signum()
}
#[no_mangle]
pub unsafe extern "C" fn wcsncmp(a: *const u16, b: *const u16, n: usize) -> i32 {
    cmp(a, b, n, same).signum()
}
#[no_mangle]
pub unsafe extern "C" fn _stricmp(a: *const u8, b: *const u8) -> i32 {
    cmp(a, b, usize::MAX, ascii_lower)
}
#[no_mangle]
pub unsafe extern "C" fn _strnicmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    cmp(a, b, n, ascii_lower)
}
#[no_mangle]
pub unsafe extern "C" fn _wcsicmp(a: *const u16, b: *const u16) -> i32 {
    cmp(a, b, usize::MAX, unicode::downcase)
}
#[no_mangle]
pub unsafe extern "C" fn _wcsnicmp(a: *const u16, b: *const u16, n: usize) -> i32 {
    cmp(a, b, n, unicode::downcase)
}
#[no_mangle]
pub unsafe extern "C" fn strchr(s: *const u8, c: i32) -> *mut u8 {
    find(s, c as u8 as u16, false)
}
#[no_mangle]
pub unsafe extern "C" fn strrchr(s: *const u8, c: i32) -> *mut u8 {
    find(s, c as u8 as u16, true)
}
#[no_mangle]
pub unsafe extern "C" fn wcschr(s: *const u16, c: u16) -> *mut u16 {
    find(s, c, false)
}
#[no_mangle]
pub unsafe extern "C" fn wcsrchr(s: *const u16, c: u16) -> *mut u16 {
    find(s, c, true)
}
#[no_mangle]
pub unsafe extern "C" fn strstr(s: *const u8, sub: *const u8) -> *mut u8 {
    find_str(s, sub)
}
#[no_mangle]
pub unsafe extern "C" fn wcsstr(s: *const u16, sub: *const u16) -> *mut u16 {
    find_str(s, sub)
}
#[no_mangle]
pub unsafe extern "C" fn memchr(s: *const c_void, c: i32, n: usize) -> *mut c_void {
    let s = s as *const u8;
    for i in 0..n {
        if *s.add(i) == c as u8 {
            return s.add(i) as *mut c_void;
        }
    }
    null_mut()
}
