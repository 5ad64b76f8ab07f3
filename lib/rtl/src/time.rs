//! NT time (100 ns ticks since 1601-01-01 UTC) to and from calendar fields
//! and Unix / 1980 second counts: RtlTimeToTimeFields,
//! RtlTimeFieldsToTime, RtlTimeToSecondsSince1970/1980,
//! RtlSecondsSince1970/1980ToTime. Proleptic Gregorian calendar.

/// `TIME_FIELDS` (all CSHORT). Weekday 0 = Sunday. Size 0x10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TimeFields {
    pub year: i16,
    pub month: i16,
    pub day: i16,
    pub hour: i16,
    pub minute: i16,
    pub second: i16,
    pub milliseconds: i16,
    pub weekday: i16,
}

pub const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_DAY: i64 = TICKS_PER_SECOND * 86_400;
/// Days from 0000-03-01 (the civil-day origin below) to 1601-01-01.
const DAYS_TO_1601: i64 = 584_694;
/// Seconds from 1601 to 1970 and to 1980.
pub const SECONDS_1601_TO_1970: i64 = 11_644_473_600;
pub const SECONDS_1601_TO_1980: i64 = 11_960_006_400;

/// Days since 0000-03-01 of a civil date (month 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

/// The civil date of a day count from 0000-03-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// RtlTimeToTimeFields. Negative times are clamped to 1601-01-01.
pub fn to_fields(time: i64) -> TimeFields {
    let t = time.max(0);
    let days = t / TICKS_PER_DAY;
    let rem = t % TICKS_PER_DAY;
    let (y, m, d) = civil_from_days(days + DAYS_TO_1601);
    let secs = rem / TICKS_PER_SECOND;
    TimeFields {
        year: y as i16,
        month: m as i16,
        day: d as i16,
        hour: (secs / 3600) as i16,
        minute: (secs / 60 % 60) as i16,
        second: (secs % 60) as i16,
        milliseconds: (rem % TICKS_PER_SECOND / 10_000) as i16,
        // 1601-01-01 was a Monday.
        weekday: ((days + 1) % 7) as i16,
    }
}

/// RtlTimeFieldsToTime: None for fields out of range (the weekday is
/// ignored) or a date before 1601.
pub fn from_fields(f: &TimeFields) -> Option<i64> {
    let (y, m, d) = (f.year as i64, f.month as i64, f.day as i64);
    if y < 1601 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    if !(0..24).contains(&f.hour) || !(0..60).contains(&f.minute) || !(0..60).contains(&f.second) {
        return None;
    }
    if !(0..1000).contains(&f.milliseconds) {
        return None;
    }
    let days = days_from_civil(y, m, d) - DAYS_TO_1601;
    let secs = days * 86_400 + f.hour as i64 * 3600 + f.minute as i64 * 60 + f.second as i64;
    Some(secs * TICKS_PER_SECOND + f.milliseconds as i64 * 10_000)
}

fn to_seconds_since(time: i64, epoch: i64) -> Option<u32> {
    let s = time.div_euclid(TICKS_PER_SECOND) - epoch;
    u32::try_from(s).ok()
}

/// RtlTimeToSecondsSince1970: None before 1970 or after 2106-02-07.
pub fn to_seconds_since_1970(time: i64) -> Option<u32> {
    to_seconds_since(time, SECONDS_1601_TO_1970)
}

/// RtlTimeToSecondsSince1980: None before 1980 or after 2116.
pub fn to_seconds_since_1980(time: i64) -> Option<u32> {
    to_seconds_since(time, SECONDS_1601_TO_1980)
}

/// RtlSecondsSince1970ToTime.
pub fn from_seconds_since_1970(s: u32) -> i64 {
    (s as i64 + SECONDS_1601_TO_1970) * TICKS_PER_SECOND
}

/// RtlSecondsSince1980ToTime.
pub fn from_seconds_since_1980(s: u32) -> i64 {
    (s as i64 + SECONDS_1601_TO_1980) * TICKS_PER_SECOND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let f = to_fields(0);
        assert_eq!((f.year, f.month, f.day, f.weekday), (1601, 1, 1, 1));
        let unix = from_seconds_since_1970(0);
        assert_eq!(unix, nt_abi::types::UNIX_EPOCH_AS_NT_TIME);
        let f = to_fields(unix);
        assert_eq!(
            (f.year, f.month, f.day, f.hour, f.weekday),
            (1970, 1, 1, 0, 4)
        );
        // 2000-02-29 12:34:56.789, a Tuesday.
        let f = TimeFields {
            year: 2000,
            month: 2,
            day: 29,
            hour: 12,
            minute: 34,
            second: 56,
            milliseconds: 789,
            weekday: 0,
        };
        let t = from_fields(&f).unwrap();
        assert_eq!(to_fields(t), TimeFields { weekday: 2, ..f });
        assert_eq!(to_seconds_since_1970(t), Some(951_827_696));
        assert_eq!(
            from_seconds_since_1980(0),
            from_fields(&TimeFields {
                year: 1980,
                month: 1,
                day: 1,
                ..Default::default()
            })
            .unwrap()
        );
        assert_eq!(
            to_seconds_since_1980(from_seconds_since_1970(315_532_800)),
            Some(0)
        );
    }

    #[test]
    fn invalid_fields() {
        let ok = TimeFields {
            year: 2023,
            month: 2,
            day: 28,
            ..Default::default()
        };
        assert!(from_fields(&ok).is_some());
        for bad in [
            TimeFields { day: 29, ..ok },
            TimeFields { month: 13, ..ok },
            TimeFields { month: 0, ..ok },
            TimeFields { year: 1600, ..ok },
            TimeFields { hour: 24, ..ok },
            TimeFields { minute: 60, ..ok },
            TimeFields { second: -1, ..ok },
            TimeFields {
                milliseconds: 1000,
                ..ok
            },
        ] {
            assert_eq!(from_fields(&bad), None, "{bad:?}");
        }
        assert_eq!(to_seconds_since_1970(from_seconds_since_1970(0) - 1), None);
        assert_eq!(
            to_seconds_since_1970(from_seconds_since_1970(u32::MAX)),
            Some(u32::MAX)
        );
        assert_eq!(
            to_seconds_since_1970(from_seconds_since_1970(u32::MAX) + TICKS_PER_SECOND),
            None
        );
    }

    #[test]
    fn round_trips() {
        // Every day over 1601..~3000 in steps, plus odd times of day.
        let mut t = 0i64;
        while t < 440_000 * TICKS_PER_DAY {
            let f = to_fields(t);
            assert_eq!(from_fields(&f), Some(t - t % 10_000), "{f:?}");
            t += TICKS_PER_DAY * 37 + 123_456_789;
        }
    }
}
