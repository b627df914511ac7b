//! Agents' secrets (PINs or passwords): argon2id hashes and the sign-in lockout policy.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, Result};

/// Memory cost in KiB (64 MiB): above the OWASP minimum (19 MiB, t=2), chosen so one
/// verification takes 100–500 ms on a desk machine.
const MEMORY_KIB: u32 = 64 * 1024;
/// Passes over the memory.
const PASSES: u32 = 3;
/// Lanes.
const LANES: u32 = 1;

/// Shortest secret, in characters (a four-digit PIN).
pub const MIN_SECRET: usize = 4;
/// Longest secret, in characters.
pub const MAX_SECRET: usize = 128;
/// Failed sign-ins in a row that lock the account until an admin resets its secret.
pub const MAX_FAILED_SIGN_INS: u32 = 5;

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| Error::new("error.internal").arg("detail", e))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks a new secret: 4–128 characters, no control characters.
pub fn validate_secret(secret: &str) -> Result<()> {
    let n = secret.chars().count();
    if !(MIN_SECRET..=MAX_SECRET).contains(&n) || secret.chars().any(char::is_control) {
        return Err(Error::new("error.secret_invalid")
            .arg("min", MIN_SECRET)
            .arg("max", MAX_SECRET));
    }
    Ok(())
}

/// The argon2id hash of `secret` with a fresh random salt, as a PHC string
/// (`$argon2id$v=19$m=65536,t=3,p=1$…`).
pub fn hash_secret(secret: &str) -> Result<String> {
    validate_secret(secret)?;
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::new("error.internal").arg("detail", e))
}

/// Whether `secret` matches the PHC string `hash` (parameters are read from the hash, so
/// hashes made with older parameters still verify). A malformed hash never matches.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(secret.as_bytes(), &parsed)
        .is_ok()
}

/// Spends the time of one verification, so an unknown name answers as slowly as a known one.
pub fn verify_nobody(secret: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_secret("not-a-secret").ok()) {
        verify_secret(secret, hash);
    }
}

/// How long after the last of `failures` failed sign-ins in a row the next try is allowed:
/// none after the first, then 2, 4, 8 … seconds.
pub fn retry_delay(failures: u32) -> TimeDelta {
    match failures {
        0 | 1 => TimeDelta::zero(),
        n => TimeDelta::seconds(1i64 << (n - 1).min(16)),
    }
}

/// When an account with `failures` failed sign-ins in a row, the last at `last_failed`, may
/// try again; `None` when it may try now.
pub fn wait_until(
    failures: u32,
    last_failed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let until = last_failed? + retry_delay(failures);
    (until > now).then_some(until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let hash = hash_secret("2580").expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
            "{hash}"
        );
        assert!(verify_secret("2580", &hash));
        assert!(!verify_secret("2581", &hash));
        assert!(!verify_secret("2580", "not a hash"));
        let again = hash_secret("2580").expect("hash");
        assert_ne!(hash, again, "a fresh salt each time");
    }

    #[test]
    fn secrets_are_four_to_128_characters_without_controls() {
        assert!(validate_secret("123").is_err());
        assert!(validate_secret("1234").is_ok());
        assert!(validate_secret("密码一二").is_ok());
        assert!(validate_secret("12\u{1b}34").is_err());
        assert!(validate_secret(&"9".repeat(129)).is_err());
    }

    #[test]
    fn failed_sign_ins_wait_longer_each_time() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        assert_eq!(retry_delay(1), TimeDelta::zero());
        assert_eq!(retry_delay(2), TimeDelta::seconds(2));
        assert_eq!(retry_delay(4), TimeDelta::seconds(8));
        assert_eq!(wait_until(1, Some(t), t), None);
        assert_eq!(
            wait_until(3, Some(t), t + TimeDelta::seconds(1)),
            Some(t + TimeDelta::seconds(4))
        );
        assert_eq!(wait_until(3, Some(t), t + TimeDelta::seconds(4)), None);
        assert_eq!(wait_until(3, None, t), None);
    }
}
