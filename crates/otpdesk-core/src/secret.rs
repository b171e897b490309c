//! [`ApiKey`]: an API key or webhook secret that cannot leak by accident. It has no `Serialize`,
//! and `Debug`/`Display` print a placeholder, so it never reaches logs, errors, IPC or files.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Trims surrounding white space (keys are usually pasted). `None` when nothing is left.
    pub fn new(key: impl Into<String>) -> Option<ApiKey> {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            None
        } else {
            Some(ApiKey(trimmed.to_string()))
        }
    }

    /// The key itself, for the one place that needs it: the Authorization header or an HMAC.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_itself() {
        let k = ApiKey::new("  mk_MERCHANT_abcdefghijklmnopqrstuvwxyz123456\n").unwrap();
        assert_eq!(k.expose(), "mk_MERCHANT_abcdefghijklmnopqrstuvwxyz123456");
        assert!(!format!("{k:?}").contains("MERCHANT"));
        assert!(!format!("{k}").contains("MERCHANT"));
        assert!(!format!("{:?}", Some(&k)).contains("MERCHANT"));
        assert!(ApiKey::new("   ").is_none());
    }
}
