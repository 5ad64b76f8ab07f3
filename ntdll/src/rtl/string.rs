//! UNICODE_STRING / ANSI_STRING exports: initialisation, conversion between
//! UTF-16 and the ANSI (Windows-1252) and OEM (CP437) code pages,
//! comparison, case mapping, appending and copying. Strings these functions
//! allocate come from the process heap and are freed with
//! RtlFreeUnicodeString / RtlFreeAnsiString.

use super::heap;
use core::ffi::c_void;
use core::ptr;
use nt_abi::status::{
    STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER,
    STATUS_INVALID_PARAMETER_2, STATUS_NO_MEMORY, STATUS_SUCCESS,
};
use nt_abi::types::{AnsiString, UnicodeString};
use nt_abi::NtStatus;
use rtl::unicode::{self, CodePage};

/// Longest byte length a counted string can describe with room for a NUL.
const MAX_USTRING: usize = 0xFFFE;

/// The characters of a UNICODE_STRING (empty for NULL or a NULL buffer).
///
/// # Safety
/// `s` is NULL or a valid UNICODE_STRING whose buffer holds Length bytes.
pub unsafe fn units<'a>(s: *const UnicodeString) -> &'a [u16] {
    if s.is_null() || (*s).buffer == 0 {
        return &[];
    }
    core::slice::from_raw_parts((*s).buffer as *const u16, (*s).length as usize / 2)
}

/// The bytes of an ANSI_STRING (empty for NULL or a NULL buffer).
///
/// # Safety
/// As [`units`].
pub unsafe fn bytes<'a>(s: *const AnsiString) -> &'a [u8] {
    if s.is_null() || (*s).buffer == 0 {
        return &[];
    }
    core::slice::from_raw_parts((*s).buffer as *const u8, (*s).length as usize)
}

/// The characters of a NUL-terminated UTF-16 string (empty for NULL).
///
/// # Safety
/// `p` is NULL or points at a NUL-terminated string.
pub unsafe fn wide_z<'a>(p: *const u16) -> &'a [u16] {
    if p.is_null() {
        return &[];
    }
    let mut n = 0;
    while *p.add(n) != 0 {
        n += 1;
    }
    core::slice::from_raw_parts(p, n)
}

/// The bytes of a NUL-terminated byte string (empty for NULL).
///
/// # Safety
/// As [`wide_z`].
pub unsafe fn narrow_z<'a>(p: *const u8) -> &'a [u8] {
    if p.is_null() {
        return &[];
    }
    let mut n = 0;
    while *p.add(n) != 0 {
        n += 1;
    }
    core::slice::from_raw_parts(p, n)
}

/// Copies `src` into a new process-heap buffer with a NUL after it, and
/// describes it in `dst` (MaximumLength = Length + 2).
///
/// # Safety
/// `dst` is writable.
pub unsafe fn alloc_unicode(dst: *mut UnicodeString, src: &[u16]) -> NtStatus {
    if src.len() * 2 > MAX_USTRING - 2 {
        return STATUS_INVALID_PARAMETER;
    }
    let buf = heap::alloc(src.len() * 2 + 2) as *mut u16;
    if buf.is_null() {
        return STATUS_NO_MEMORY;
    }
    ptr::copy_nonoverlapping(src.as_ptr(), buf, src.len());
    *buf.add(src.len()) = 0;
    *dst = UnicodeString {
        length: (src.len() * 2) as u16,
        maximum_length: (src.len() * 2 + 2) as u16,
        buffer: buf as u64,
    };
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitUnicodeString(
    DestinationString: *mut UnicodeString,
    SourceString: *const u16,
) {
    let n = (wide_z(SourceString).len() * 2).min(MAX_USTRING - 2);
    let max = if SourceString.is_null() { 0 } else { n + 2 };
    *DestinationString = UnicodeString {
        length: n as u16,
        maximum_length: max as u16,
        buffer: SourceString as u64,
    };
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitAnsiString(
    DestinationString: *mut AnsiString,
    SourceString: *const u8,
) {
    let n = narrow_z(SourceString).len().min(MAX_USTRING);
    let max = if SourceString.is_null() { 0 } else { n + 1 };
    *DestinationString = AnsiString {
        length: n as u16,
        maximum_length: max as u16,
        buffer: SourceString as u64,
    };
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitString(
    DestinationString: *mut AnsiString,
    SourceString: *const u8,
) {
    RtlInitAnsiString(DestinationString, SourceString)
}

#[no_mangle]
pub unsafe extern "system" fn RtlFreeUnicodeString(UnicodeString: *mut UnicodeString) {
    if !UnicodeString.is_null() {
        heap::free((*UnicodeString).buffer as *mut c_void);
        *UnicodeString = Default::default();
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlFreeAnsiString(AnsiString: *mut AnsiString) {
    if !AnsiString.is_null() {
        heap::free((*AnsiString).buffer as *mut c_void);
        *AnsiString = Default::default();
    }
}

/// Bytes -> UNICODE_STRING (allocating or into the caller's buffer, which
/// must have room for the terminating NUL too).
unsafe fn to_unicode(cp: CodePage, dst: *mut UnicodeString, src: &[u8], allocate: u8) -> NtStatus {
    let len = src.len() * 2;
    if len > MAX_USTRING - 2 {
        return STATUS_INVALID_PARAMETER_2;
    }
    if allocate != 0 {
        let buf = heap::alloc(len + 2) as *mut u16;
        if buf.is_null() {
            return STATUS_NO_MEMORY;
        }
        (*dst).buffer = buf as u64;
        (*dst).maximum_length = (len + 2) as u16;
    } else if len + 2 > (*dst).maximum_length as usize {
        return STATUS_BUFFER_OVERFLOW;
    }
    let out = core::slice::from_raw_parts_mut((*dst).buffer as *mut u16, src.len() + 1);
    unicode::bytes_to_utf16(cp, src, out);
    out[src.len()] = 0;
    (*dst).length = len as u16;
    STATUS_SUCCESS
}

/// UNICODE_STRING -> bytes, the mirror of [`to_unicode`].
unsafe fn from_unicode(cp: CodePage, dst: *mut AnsiString, src: &[u16], allocate: u8) -> NtStatus {
    let len = src.len();
    if len > MAX_USTRING - 1 {
        return STATUS_INVALID_PARAMETER_2;
    }
    if allocate != 0 {
        let buf = heap::alloc(len + 1) as *mut u8;
        if buf.is_null() {
            return STATUS_NO_MEMORY;
        }
        (*dst).buffer = buf as u64;
        (*dst).maximum_length = (len + 1) as u16;
    } else if len + 1 > (*dst).maximum_length as usize {
        return STATUS_BUFFER_OVERFLOW;
    }
    let out = core::slice::from_raw_parts_mut((*dst).buffer as *mut u8, len + 1);
    unicode::utf16_to_bytes(cp, src, out);
    out[len] = 0;
    (*dst).length = len as u16;
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlAnsiStringToUnicodeString(
    DestinationString: *mut UnicodeString,
    SourceString: *const AnsiString,
    AllocateDestinationString: u8,
) -> NtStatus {
    to_unicode(
        CodePage::Ansi,
        DestinationString,
        bytes(SourceString),
        AllocateDestinationString,
    )
}

#[no_mangle]
pub unsafe extern "system" fn RtlOemStringToUnicodeString(
    DestinationString: *mut UnicodeString,
    SourceString: *const AnsiString,
    AllocateDestinationString: u8,
) -> NtStatus {
    to_unicode(
        CodePage::Oem,
        DestinationString,
        bytes(SourceString),
        AllocateDestinationString,
    )
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeStringToAnsiString(
    DestinationString: *mut AnsiString,
    SourceString: *const UnicodeString,
    AllocateDestinationString: u8,
) -> NtStatus {
    from_unicode(
        CodePage::Ansi,
        DestinationString,
        units(SourceString),
        AllocateDestinationString,
    )
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeStringToOemString(
    DestinationString: *mut AnsiString,
    SourceString: *const UnicodeString,
    AllocateDestinationString: u8,
) -> NtStatus {
    from_unicode(
        CodePage::Oem,
        DestinationString,
        units(SourceString),
        AllocateDestinationString,
    )
}

/// RtlMultiByteToUnicodeN: converts what fits, always STATUS_SUCCESS.
#[no_mangle]
pub unsafe extern "system" fn RtlMultiByteToUnicodeN(
    UnicodeString: *mut u16,
    MaxBytesInUnicodeString: u32,
    BytesInUnicodeString: *mut u32,
    MultiByteString: *const u8,
    BytesInMultiByteString: u32,
) -> NtStatus {
    let src = core::slice::from_raw_parts(MultiByteString, BytesInMultiByteString as usize);
    let dst = core::slice::from_raw_parts_mut(UnicodeString, MaxBytesInUnicodeString as usize / 2);
    let n = unicode::bytes_to_utf16(CodePage::Ansi, src, dst);
    if !BytesInUnicodeString.is_null() {
        *BytesInUnicodeString = (n * 2) as u32;
    }
    STATUS_SUCCESS
}

/// RtlUnicodeToMultiByteN: converts what fits, always STATUS_SUCCESS.
#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeToMultiByteN(
    MultiByteString: *mut u8,
    MaxBytesInMultiByteString: u32,
    BytesInMultiByteString: *mut u32,
    UnicodeString: *const u16,
    BytesInUnicodeString: u32,
) -> NtStatus {
    let src = core::slice::from_raw_parts(UnicodeString, BytesInUnicodeString as usize / 2);
    let dst = core::slice::from_raw_parts_mut(MultiByteString, MaxBytesInMultiByteString as usize);
    let n = unicode::utf16_to_bytes(CodePage::Ansi, src, dst);
    if !BytesInMultiByteString.is_null() {
        *BytesInMultiByteString = n as u32;
    }
    STATUS_SUCCESS
}

/// RtlUnicodeToMultiByteSize: one byte per character in a single-byte
/// code page.
#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeToMultiByteSize(
    BytesInMultiByteString: *mut u32,
    _UnicodeString: *const u16,
    BytesInUnicodeString: u32,
) -> NtStatus {
    *BytesInMultiByteString = BytesInUnicodeString / 2;
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlCompareUnicodeString(
    String1: *const UnicodeString,
    String2: *const UnicodeString,
    CaseInSensitive: u8,
) -> i32 {
    unicode::compare(units(String1), units(String2), CaseInSensitive != 0)
}

#[no_mangle]
pub unsafe extern "system" fn RtlEqualUnicodeString(
    String1: *const UnicodeString,
    String2: *const UnicodeString,
    CaseInSensitive: u8,
) -> u8 {
    unicode::equal(units(String1), units(String2), CaseInSensitive != 0) as u8
}

#[no_mangle]
pub unsafe extern "system" fn RtlPrefixUnicodeString(
    String1: *const UnicodeString,
    String2: *const UnicodeString,
    CaseInSensitive: u8,
) -> u8 {
    unicode::has_prefix(units(String1), units(String2), CaseInSensitive != 0) as u8
}

#[no_mangle]
pub extern "system" fn RtlUpcaseUnicodeChar(SourceCharacter: u16) -> u16 {
    unicode::upcase(SourceCharacter)
}

#[no_mangle]
pub extern "system" fn RtlDowncaseUnicodeChar(SourceCharacter: u16) -> u16 {
    unicode::downcase(SourceCharacter)
}

/// RtlUpcaseUnicodeString: the destination gets exactly Length bytes (no
/// NUL is added); it may be the source itself.
#[no_mangle]
pub unsafe extern "system" fn RtlUpcaseUnicodeString(
    DestinationString: *mut UnicodeString,
    SourceString: *const UnicodeString,
    AllocateDestinationString: u8,
) -> NtStatus {
    let len = (*SourceString).length as usize & !1;
    if AllocateDestinationString != 0 {
        let buf = heap::alloc(len.max(2)) as *mut u16;
        if buf.is_null() {
            return STATUS_NO_MEMORY;
        }
        (*DestinationString).buffer = buf as u64;
        (*DestinationString).maximum_length = len as u16;
    } else if len > (*DestinationString).maximum_length as usize {
        return STATUS_BUFFER_OVERFLOW;
    }
    let (src, dst) = (
        (*SourceString).buffer as *const u16,
        (*DestinationString).buffer as *mut u16,
    );
    for i in 0..len / 2 {
        *dst.add(i) = unicode::upcase(*src.add(i));
    }
    (*DestinationString).length = len as u16;
    STATUS_SUCCESS
}

/// Appends `src` to `dst`, adding a NUL when there is room for one.
unsafe fn append(dst: *mut UnicodeString, src: &[u16]) -> NtStatus {
    let (len, add) = ((*dst).length as usize & !1, src.len() * 2);
    if len + add > (*dst).maximum_length as usize {
        return STATUS_BUFFER_TOO_SMALL;
    }
    let at = ((*dst).buffer as *mut u16).add(len / 2);
    ptr::copy(src.as_ptr(), at, src.len());
    if len + add + 2 <= (*dst).maximum_length as usize {
        *at.add(src.len()) = 0;
    }
    (*dst).length = (len + add) as u16;
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlAppendUnicodeStringToString(
    Destination: *mut UnicodeString,
    Source: *const UnicodeString,
) -> NtStatus {
    append(Destination, units(Source))
}

#[no_mangle]
pub unsafe extern "system" fn RtlAppendUnicodeToString(
    Destination: *mut UnicodeString,
    Source: *const u16,
) -> NtStatus {
    append(Destination, wide_z(Source))
}

/// RtlCopyUnicodeString: copies what fits, NUL-terminated when there is
/// room; a NULL source empties the destination.
#[no_mangle]
pub unsafe extern "system" fn RtlCopyUnicodeString(
    DestinationString: *mut UnicodeString,
    SourceString: *const UnicodeString,
) {
    let src = units(SourceString);
    let max = (*DestinationString).maximum_length as usize / 2;
    let n = src.len().min(max);
    let dst = (*DestinationString).buffer as *mut u16;
    ptr::copy(src.as_ptr(), dst, n);
    if n < max {
        *dst.add(n) = 0;
    }
    (*DestinationString).length = (n * 2) as u16;
}

const RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE: u32 = 1;
const RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING: u32 = 2;

/// RtlDuplicateUnicodeString: a process-heap copy; flag 1 adds a NUL, flag
/// 2 allocates even for an empty source (else the result is empty/NULL).
#[no_mangle]
pub unsafe extern "system" fn RtlDuplicateUnicodeString(
    Flags: u32,
    StringIn: *const UnicodeString,
    StringOut: *mut UnicodeString,
) -> NtStatus {
    if StringIn.is_null() || StringOut.is_null() || Flags > 3 || (Flags & 3) == 2 {
        return STATUS_INVALID_PARAMETER;
    }
    let src = units(StringIn);
    let nul = Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE != 0;
    if src.is_empty() && Flags & RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING == 0 {
        *StringOut = Default::default();
        return STATUS_SUCCESS;
    }
    let max = src.len() * 2 + if nul { 2 } else { 0 };
    if max > MAX_USTRING {
        return STATUS_INVALID_PARAMETER;
    }
    let buf = heap::alloc(max.max(2)) as *mut u16;
    if buf.is_null() {
        return STATUS_NO_MEMORY;
    }
    ptr::copy_nonoverlapping(src.as_ptr(), buf, src.len());
    if nul {
        *buf.add(src.len()) = 0;
    }
    *StringOut = UnicodeString {
        length: (src.len() * 2) as u16,
        maximum_length: max as u16,
        buffer: buf as u64,
    };
    STATUS_SUCCESS
}

/// RtlCreateUnicodeString: a NUL-terminated process-heap copy of `SourceString`.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateUnicodeString(
    DestinationString: *mut UnicodeString,
    SourceString: *const u16,
) -> u8 {
    alloc_unicode(DestinationString, wide_z(SourceString)).is_success() as u8
}
