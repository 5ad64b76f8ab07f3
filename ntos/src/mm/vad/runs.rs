//! One allocation (a VAD): its description and its pages, kept as runs of
//! pages in the same state so that a large reservation costs a few words,
//! not one entry per page.

use super::{PageState, VadType};
use alloc::vec;
use alloc::vec::Vec;

/// Pages `start..` (indexes inside the allocation) up to the next run's
/// start or the end of the allocation are all in `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    start: u64,
    state: PageState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Vad {
    /// Length in pages (at least 1).
    pub pages: u64,
    pub kind: VadType,
    pub allocation_protect: u32,
    /// For views: the section's protection, which bounds the pages'.
    pub max_protect: u32,
    /// For views: every frame the caller gives this view is a private copy
    /// of the section's page, so copy-on-write pages map writable at once.
    pub private_copies: bool,
    pub tag: u64,
    /// Sorted by start, the first at 0, no two neighbours equal.
    runs: Vec<Run>,
}

impl Vad {
    pub fn new(pages: u64, kind: VadType, allocation_protect: u32, state: PageState) -> Vad {
        Vad {
            pages,
            kind,
            allocation_protect,
            max_protect: 0,
            private_copies: false,
            tag: 0,
            runs: vec![Run { start: 0, state }],
        }
    }

    /// Index of the run holding page `idx` (< pages).
    fn run_of(&self, idx: u64) -> usize {
        self.runs.partition_point(|r| r.start <= idx) - 1
    }

    fn run_end(&self, i: usize) -> u64 {
        self.runs.get(i + 1).map_or(self.pages, |r| r.start)
    }

    pub fn state(&self, idx: u64) -> PageState {
        self.runs[self.run_of(idx)].state
    }

    /// The pieces of runs inside `[from, to)`: (first page, end page, state).
    pub fn runs_in(&self, from: u64, to: u64) -> impl Iterator<Item = (u64, u64, PageState)> + '_ {
        let first = if from < self.pages {
            self.run_of(from)
        } else {
            self.runs.len()
        };
        (first..self.runs.len())
            .map(move |i| {
                (
                    self.runs[i].start.max(from),
                    self.run_end(i).min(to),
                    self.runs[i].state,
                )
            })
            .take_while(move |&(start, _, _)| start < to)
    }

    /// Number of pages in `[from, to)` whose state satisfies `pred`.
    pub fn count(&self, from: u64, to: u64, pred: impl Fn(PageState) -> bool) -> u64 {
        self.runs_in(from, to)
            .filter(|r| pred(r.2))
            .map(|(s, e, _)| e - s)
            .sum()
    }

    /// Makes a run start at `idx` (if inside the allocation).
    fn split(&mut self, idx: u64) {
        if idx >= self.pages {
            return;
        }
        let i = self.run_of(idx);
        if self.runs[i].start != idx {
            let state = self.runs[i].state;
            self.runs.insert(i + 1, Run { start: idx, state });
        }
    }

    fn coalesce(&mut self) {
        // dedup_by drops the later of two equal neighbours; the earlier run
        // then extends over it, which is exactly the merge.
        self.runs
            .dedup_by(|later, earlier| later.state == earlier.state);
    }

    /// Replaces the state of every page in `[from, to)`: `f` gets each
    /// piece as (first page, end page, old state) and returns the new state.
    pub fn update(
        &mut self,
        from: u64,
        to: u64,
        mut f: impl FnMut(u64, u64, PageState) -> PageState,
    ) {
        self.split(from);
        self.split(to);
        let mut i = self.run_of(from);
        while i < self.runs.len() && self.runs[i].start < to {
            let end = self.run_end(i);
            self.runs[i].state = f(self.runs[i].start, end, self.runs[i].state);
            i += 1;
        }
        self.coalesce();
    }

    /// Splits at page `idx` (0 < idx < pages): `self` keeps `[0, idx)`, the
    /// result describes `[idx, pages)` with the same attributes.
    pub fn split_off(&mut self, idx: u64) -> Vad {
        self.split(idx);
        let i = self.run_of(idx);
        let mut runs = self.runs.split_off(i);
        for r in &mut runs {
            r.start -= idx;
        }
        let upper = Vad {
            pages: self.pages - idx,
            runs,
            ..self.clone_attributes()
        };
        self.pages = idx;
        upper
    }

    fn clone_attributes(&self) -> Vad {
        Vad {
            pages: 0,
            kind: self.kind,
            allocation_protect: self.allocation_protect,
            max_protect: self.max_protect,
            private_copies: self.private_copies,
            tag: self.tag,
            runs: Vec::new(),
        }
    }
}
