//! ntdll's C runtime subset (the functions Windows' ntdll exports for
//! native programs and drivers): memory and string functions, character
//! classes in the "C" locale, number conversions, qsort/bsearch and the
//! sprintf family. memcpy, memmove, memset, memcmp and strlen are the
//! compiler-builtins implementations, exported by name from build_ntdll
//! (defining them again here would clash with those).
#![allow(non_snake_case)]

mod ctype;
mod num;
mod printf;
mod sort;
mod string;
