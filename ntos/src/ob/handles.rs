//! One process's handle table: values are multiples of 4 from 4, the lowest
//! free value is reused first, and each entry holds the object, the granted
//! access and the handle attributes.
//!
//! The two low bits of a handle are tag bits NT ignores
//! (OBJ_HANDLE_TAGBITS; nt-abi's `Handle::table_index`), so 5, 6 and 7 name
//! the same entry as 4. NULL, negative values (pseudo handles and kernel
//! handles) and values past the table name no entry.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use nt_abi::types::{AccessMask, Handle};

use super::ObjectId;

/// One handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HandleEntry {
    pub object: ObjectId,
    pub access: AccessMask,
    /// OBJ_INHERIT and OBJ_PROTECT_CLOSE.
    pub attributes: u32,
}

#[derive(Default)]
pub(crate) struct HandleTable {
    /// Slot i holds handle (i + 1) * 4.
    entries: Vec<Option<HandleEntry>>,
    /// Empty slots below `entries.len()`.
    free: BTreeSet<usize>,
}

/// The slot of a handle value, if it could name one.
fn slot(handle: u64) -> Option<usize> {
    let index = Handle(handle).table_index()?;
    usize::try_from(index - 1).ok()
}

impl HandleTable {
    /// Number of open handles.
    pub fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }

    pub fn get(&self, handle: u64) -> Option<&HandleEntry> {
        self.entries.get(slot(handle)?)?.as_ref()
    }

    pub fn get_mut(&mut self, handle: u64) -> Option<&mut HandleEntry> {
        self.entries.get_mut(slot(handle)?)?.as_mut()
    }

    /// Adds an entry at the lowest free value, or None when the table
    /// already holds `limit` handles.
    pub fn insert(&mut self, entry: HandleEntry, limit: usize) -> Option<u64> {
        if self.len() >= limit {
            return None;
        }
        let i = match self.free.pop_first() {
            Some(i) => i,
            None => {
                self.entries.push(None);
                self.entries.len() - 1
            }
        };
        self.entries[i] = Some(entry);
        Some(Handle::from_table_index(i as u64 + 1).0)
    }

    pub fn remove(&mut self, handle: u64) -> Option<HandleEntry> {
        let i = slot(handle)?;
        let entry = self.entries.get_mut(i)?.take()?;
        self.free.insert(i);
        // Trailing empty slots are dropped so the table shrinks back.
        while let Some(None) = self.entries.last() {
            self.entries.pop();
            self.free.remove(&self.entries.len());
        }
        Some(entry)
    }

    /// Every entry with its handle value, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &HandleEntry)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| {
            e.as_ref()
                .map(|e| (Handle::from_table_index(i as u64 + 1).0, e))
        })
    }

    /// A table holding exactly the OBJ_INHERIT entries of `self`, at the
    /// same values.
    pub fn inheritable(&self, inherit: u32) -> HandleTable {
        let mut t = HandleTable::default();
        for e in &self.entries {
            t.entries.push(e.filter(|e| e.attributes & inherit != 0));
        }
        while let Some(None) = t.entries.last() {
            t.entries.pop();
        }
        t.free = (0..t.entries.len())
            .filter(|&i| t.entries[i].is_none())
            .collect();
        t
    }
}
