//! Seeded random operations against a model: the model follows the objects'
//! states through the reported wakes (each must be legal when it happens),
//! and after every operation no blocked wait may be satisfiable (no lost
//! wakeups), every waiting thread has exactly one set of wait blocks, and
//! counts stay within their limits.

use super::*;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const P: Id = 1;
const EVENTS: [(Id, EventType); 2] = [
    (100, EventType::Notification),
    (101, EventType::Synchronization),
];
const MUTANTS: [Id; 2] = [110, 111];
const SEMS: [Id; 2] = [120, 121];
const SEM_LIMIT: i32 = 3;
const TIMERS: [(Id, TimerType); 2] = [
    (130, TimerType::Notification),
    (131, TimerType::Synchronization),
];

#[derive(Clone, Debug)]
struct MWait {
    objects: Vec<Id>,
    kind: WaitType,
    alertable: bool,
    deadline: Option<i64>,
    delay: bool,
}

#[derive(Default)]
struct Model {
    events: BTreeMap<Id, bool>,
    sems: BTreeMap<Id, i32>,
    /// (owner, count, abandoned)
    mutants: BTreeMap<Id, (Option<Id>, u32, bool)>,
    live: BTreeSet<Id>,
    ended: BTreeSet<Id>,
    blocked: BTreeMap<Id, MWait>,
    apcs: BTreeMap<Id, u32>,
    alerted: BTreeSet<Id>,
}

impl Model {
    fn available(&self, d: &Dispatcher, o: Id, t: Id) -> bool {
        if let Some(s) = self.events.get(&o) {
            *s
        } else if let Some(c) = self.sems.get(&o) {
            *c > 0
        } else if let Some((owner, count, _)) = self.mutants.get(&o) {
            *count == 0 || *owner == Some(t)
        } else if TIMERS.iter().any(|x| x.0 == o) {
            d.query_timer(o).unwrap().signalled
        } else {
            self.ended.contains(&o)
        }
    }

    /// Whether `o` could satisfy `t` before the wake being checked. A
    /// timer's state is read from the dispatcher, which has already applied
    /// the wake, so timers are taken on trust here (the no-lost-wakeup check
    /// covers them).
    fn was_available(&self, d: &Dispatcher, o: Id, t: Id) -> bool {
        TIMERS.iter().any(|x| x.0 == o) || self.available(d, o, t)
    }

    /// Applies satisfying `o` for `t`; true when an abandoned mutant.
    fn acquire(&mut self, o: Id, t: Id) -> bool {
        if let Some(s) = self.events.get_mut(&o) {
            if EVENTS
                .iter()
                .any(|e| e.0 == o && e.1 == EventType::Synchronization)
            {
                *s = false;
            }
        } else if let Some(c) = self.sems.get_mut(&o) {
            *c -= 1;
        } else if let Some((owner, count, ab)) = self.mutants.get_mut(&o) {
            *count += 1;
            if *count == 1 {
                *owner = Some(t);
                return core::mem::take(ab);
            }
        }
        false
    }

    /// Checks one wake against the model and applies it. `wait` is the
    /// thread's wait (the blocked one, or the one just asked for).
    fn apply(&mut self, d: &Dispatcher, w: &Wake, wait: &MWait, now: i64) {
        let t = w.thread;
        let s = w.status;
        if s == STATUS_TIMEOUT || (wait.delay && s == STATUS_SUCCESS) {
            assert!(wait.deadline.is_some_and(|dl| dl <= now), "{w:?} early");
            assert_eq!(s == STATUS_SUCCESS, wait.delay);
        } else if s == STATUS_USER_APC {
            assert!(wait.alertable && w.apc.is_some());
            let n = self.apcs.get_mut(&t).unwrap();
            assert!(*n > 0);
            *n -= 1;
        } else if s == STATUS_ALERTED {
            assert!(wait.alertable);
            self.alerted.remove(&t);
        } else {
            assert!(!wait.delay);
            let abandoned_flag = s.0 & 0x80 != 0;
            assert!(s.0 & !0xBF == 0, "{w:?}");
            let ab = match wait.kind {
                WaitType::Any => {
                    let i = (s.0 & 0x3F) as usize;
                    let o = wait.objects[i];
                    assert!(
                        self.was_available(d, o, t),
                        "{w:?}: object {o} not available"
                    );
                    self.acquire(o, t)
                }
                WaitType::All => {
                    assert_eq!(s.0 & 0x3F, 0);
                    for &o in &wait.objects {
                        assert!(
                            self.was_available(d, o, t),
                            "{w:?}: object {o} not available"
                        );
                    }
                    wait.objects
                        .iter()
                        .fold(false, |a, &o| self.acquire(o, t) | a)
                }
            };
            assert_eq!(ab, abandoned_flag, "{w:?}");
        }
    }

    fn apply_wakes(&mut self, d: &Dispatcher, wakes: &[Wake], now: i64) {
        for w in wakes {
            let wait = self
                .blocked
                .remove(&w.thread)
                .unwrap_or_else(|| panic!("{w:?}: thread was not waiting"));
            self.apply(d, w, &wait, now);
        }
    }

    /// A wait just asked for: applies an immediate result or records the
    /// block.
    fn start(&mut self, d: &Dispatcher, t: Id, wait: MWait, r: Option<Wake>, now: i64) {
        match r {
            Some(w) => {
                assert_eq!(w.thread, t);
                self.apply(d, &w, &wait, now);
            }
            None => {
                self.blocked.insert(t, wait);
            }
        }
    }

    /// No lost wakeups, agreement with the dispatcher, limits.
    fn check(&self, d: &Dispatcher) {
        let now = d.now();
        for (&t, w) in &self.blocked {
            let satisfiable = match w.kind {
                WaitType::Any => w.objects.iter().any(|&o| self.available(d, o, t)),
                WaitType::All => {
                    !w.objects.is_empty() && w.objects.iter().all(|&o| self.available(d, o, t))
                }
            };
            assert!(!satisfiable, "lost wakeup: {t} {w:?}");
            if w.alertable {
                assert!(
                    !self.alerted.contains(&t) && self.apcs[&t] == 0,
                    "alertable {t} missed an APC/alert"
                );
            }
            assert!(w.deadline.map_or(true, |dl| dl > now));
            // One set of wait blocks, on exactly its objects.
            let dw = d
                .thread(t)
                .unwrap()
                .wait
                .as_ref()
                .expect("model says waiting");
            assert_eq!(dw.objects, w.objects);
        }
        for (&id, o) in &d.objects {
            for &(t, i) in &o.waiters {
                let w = &self
                    .blocked
                    .get(&t)
                    .unwrap_or_else(|| panic!("stale wait block of {t} on {id}"));
                assert_eq!(w.objects[i as usize], id);
            }
            if let Kind::Thread(th) = &o.kind {
                assert_eq!(th.wait.is_some(), self.blocked.contains_key(&id));
                if let Some(w) = &th.wait {
                    for (i, ob) in w.objects.iter().enumerate() {
                        let n = d.objects[ob]
                            .waiters
                            .iter()
                            .filter(|e| **e == (id, i as u8))
                            .count();
                        assert_eq!(n, 1);
                    }
                }
                for m in &th.owned {
                    assert_eq!(self.mutants[m].0, Some(id));
                }
            }
        }
        for (&e, &s) in &self.events {
            assert_eq!(d.query_event(e).unwrap().1, s);
        }
        for (&s, &c) in &self.sems {
            assert_eq!(d.query_semaphore(s), Ok((c, SEM_LIMIT)));
            assert!((0..=SEM_LIMIT).contains(&c));
        }
        for (&m, &(owner, count, ab)) in &self.mutants {
            assert_eq!(owner.is_some(), count > 0);
            let q = d.query_mutant(m, owner.unwrap_or(0)).unwrap();
            assert_eq!(
                (q.current_count, q.owned_by_caller, q.abandoned),
                (1 - count as i32, owner.is_some(), ab)
            );
        }
        // The queue holds exactly the set timers and the timed waits.
        let timed = self
            .blocked
            .values()
            .filter(|w| w.deadline.is_some())
            .count();
        let set = TIMERS
            .iter()
            .filter(|x| d.query_timer(x.0).unwrap().remaining > 0)
            .count();
        assert!(
            d.queue.len() >= timed
                && d.queue.len() <= timed + TIMERS.len()
                && d.queue.len() >= timed + set
        );
    }
}

fn run(seed: u64, steps: usize) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut d = Dispatcher::new(1_000);
    let mut m = Model::default();
    d.create_process(P).unwrap();
    let mut next_thread: Id = 10;
    for _ in 0..5 {
        d.create_thread(next_thread, P).unwrap();
        m.live.insert(next_thread);
        m.apcs.insert(next_thread, 0);
        next_thread += 1;
    }
    for (e, k) in EVENTS {
        d.create_event(e, k, false).unwrap();
        m.events.insert(e, false);
    }
    for s in SEMS {
        d.create_semaphore(s, 1, SEM_LIMIT).unwrap();
        m.sems.insert(s, 1);
    }
    for mu in MUTANTS {
        d.create_mutant(mu, None).unwrap();
        m.mutants.insert(mu, (None, 0, false));
    }
    for (t, k) in TIMERS {
        d.create_timer(t, k).unwrap();
    }
    let waitables: Vec<Id> = EVENTS
        .iter()
        .map(|e| e.0)
        .chain(MUTANTS)
        .chain(SEMS)
        .chain(TIMERS.iter().map(|t| t.0))
        .chain(10..13)
        .collect();
    for _ in 0..steps {
        let now = d.now();
        let live: Vec<Id> = m.live.iter().copied().collect();
        let running: Vec<Id> = live
            .iter()
            .copied()
            .filter(|t| !m.blocked.contains_key(t))
            .collect();
        let pick = |r: &mut Rng, v: &[Id]| v[r.below(v.len() as u64) as usize];
        match r.below(16) {
            0 | 1 if !running.is_empty() => {
                let t = pick(&mut r, &running);
                let n = 1 + r.below(3) as usize;
                let objs: Vec<Id> = (0..n).map(|_| pick(&mut r, &waitables)).collect();
                let kind = if r.below(2) == 0 {
                    WaitType::Any
                } else {
                    WaitType::All
                };
                let alertable = r.below(3) == 0;
                let timeout = match r.below(4) {
                    0 => Some(0),
                    1 => Some(-(1 + r.below(500) as i64)),
                    _ => None,
                };
                let res = d.wait(t, &objs, kind, alertable, timeout);
                let dup = objs
                    .iter()
                    .enumerate()
                    .any(|(i, o)| objs[i + 1..].contains(o));
                if kind == WaitType::All && dup {
                    assert_eq!(res, Err(STATUS_INVALID_PARAMETER_MIX));
                    continue;
                }
                let deadline = timeout.map(|x| deadline_of(now, x));
                let w = MWait {
                    objects: objs,
                    kind,
                    alertable,
                    deadline,
                    delay: false,
                };
                m.start(&d, t, w, res.unwrap(), now);
            }
            2 if !running.is_empty() => {
                let t = pick(&mut r, &running);
                let interval = -(r.below(300) as i64);
                let alertable = r.below(2) == 0;
                let res = d.delay(t, alertable, interval).unwrap();
                let w = MWait {
                    objects: vec![],
                    kind: WaitType::Any,
                    alertable,
                    deadline: Some(now - interval),
                    delay: true,
                };
                m.start(&d, t, w, res, now);
            }
            3 => {
                let (e, _) = EVENTS[r.below(2) as usize];
                match r.below(3) {
                    0 => {
                        let s = d.set_event(e).unwrap();
                        assert_eq!(s.previous, m.events[&e] as i32);
                        m.events.insert(e, true);
                        m.apply_wakes(&d, &s.wakes, now);
                    }
                    1 => {
                        assert_eq!(d.reset_event(e), Ok(m.events[&e] as i32));
                        m.events.insert(e, false);
                    }
                    _ => {
                        let s = d.pulse_event(e).unwrap();
                        m.events.insert(e, true);
                        m.apply_wakes(&d, &s.wakes, now);
                        m.events.insert(e, false);
                    }
                }
            }
            4 | 5 if !running.is_empty() => {
                let mu = MUTANTS[r.below(2) as usize];
                let t = pick(&mut r, &running);
                let (owner, count, ab) = m.mutants[&mu];
                match d.release_mutant(mu, t) {
                    Ok(s) => {
                        assert_eq!(owner, Some(t));
                        assert_eq!(s.previous, 1 - count as i32);
                        let c = count - 1;
                        m.mutants
                            .insert(mu, (if c == 0 { None } else { owner }, c, ab));
                        m.apply_wakes(&d, &s.wakes, now);
                    }
                    Err(e) => {
                        assert_ne!(owner, Some(t));
                        assert_eq!(
                            e,
                            if ab {
                                STATUS_ABANDONED
                            } else {
                                STATUS_MUTANT_NOT_OWNED
                            }
                        );
                    }
                }
            }
            6 => {
                let s = SEMS[r.below(2) as usize];
                let n = r.below(3) as i32;
                let c = m.sems[&s];
                match d.release_semaphore(s, n) {
                    Ok(res) => {
                        assert_eq!(res.previous, c);
                        m.sems.insert(s, c + n);
                        m.apply_wakes(&d, &res.wakes, now);
                    }
                    Err(e) => assert!(
                        (n == 0 && e == STATUS_INVALID_PARAMETER)
                            || (c + n > SEM_LIMIT && e == STATUS_SEMAPHORE_LIMIT_EXCEEDED)
                    ),
                }
            }
            7 if !live.is_empty() => {
                let t = pick(&mut r, &live);
                let n = r.next();
                let w = d
                    .queue_apc(
                        t,
                        UserApc {
                            routine: n,
                            args: [0; 3],
                        },
                    )
                    .unwrap();
                *m.apcs.get_mut(&t).unwrap() += 1;
                m.apply_wakes(&d, w.as_slice(), now);
            }
            8 if !live.is_empty() => {
                let t = pick(&mut r, &live);
                let w = d.alert_thread(t).unwrap();
                match &w {
                    Some(_) => assert!(m.blocked[&t].alertable),
                    None => {
                        m.alerted.insert(t);
                    }
                }
                m.apply_wakes(&d, w.as_slice(), now);
            }
            9 if !running.is_empty() => {
                let t = pick(&mut r, &running);
                let (s, apc) = d.test_alert(t).unwrap();
                if m.alerted.remove(&t) {
                    assert_eq!((s, apc), (STATUS_ALERTED, None));
                } else {
                    assert_eq!(s, STATUS_SUCCESS);
                    let n = m.apcs.get_mut(&t).unwrap();
                    assert_eq!(apc.is_some(), *n > 0);
                    *n = n.saturating_sub(1);
                }
            }
            10 if !running.is_empty() => {
                let (tm, _) = TIMERS[r.below(2) as usize];
                let t = pick(&mut r, &running);
                let s = d
                    .set_timer(
                        tm,
                        t,
                        -(r.below(400) as i64),
                        r.below(3) as i32 * (r.below(2) as i32),
                        None,
                    )
                    .unwrap();
                m.apply_wakes(&d, &s.wakes, now);
            }
            11 => {
                let (tm, _) = TIMERS[r.below(2) as usize];
                let before = d.query_timer(tm).unwrap().signalled;
                assert_eq!(d.cancel_timer(tm), Ok(before));
            }
            12 | 13 => {
                let e = d.advance(now + r.below(300) as i64);
                m.apply_wakes(&d, &e.wakes, d.now());
            }
            14 if live.len() > 2 && r.below(4) == 0 => {
                let t = pick(&mut r, &live);
                m.blocked.remove(&t);
                for (owner, count, ab) in m.mutants.values_mut() {
                    if *owner == Some(t) {
                        *owner = None;
                        *count = 0;
                        *ab = true;
                    }
                }
                m.live.remove(&t);
                m.ended.insert(t);
                m.alerted.remove(&t);
                m.apcs.insert(t, 0);
                let w = d.end_thread(t).unwrap();
                m.apply_wakes(&d, &w, now);
                d.create_thread(next_thread, P).unwrap();
                m.live.insert(next_thread);
                m.apcs.insert(next_thread, 0);
                next_thread += 1;
            }
            _ => {}
        }
        m.check(&d);
    }
    // Ending the process leaves nobody waiting; a thread it wakes (an
    // abandoned mutant's waiter) was blocked and ends right after.
    let w = d.end_process(P).unwrap();
    for x in &w {
        assert!(m.blocked.contains_key(&x.thread), "{x:?}");
    }
    for o in d.objects.values() {
        assert!(o.waiters.is_empty());
    }
    assert_eq!(
        d.queue
            .values()
            .filter(|q| matches!(q, Deadline::Wait(_)))
            .count(),
        0
    );
}

#[test]
fn random_operations_against_model() {
    for seed in 0..300 {
        run(seed, 400);
    }
}
