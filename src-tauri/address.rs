//! The app's face of [`otpdesk_core::address`]: a refused provider address becomes an [`AppError`]
//! with its own code (the UI says what to fix) and the provider it is for.

use crate::error::AppError;
pub use otpdesk_core::address::{AddressError, ProviderUrl};
use otpdesk_core::ProviderId;

/// The app error for `provider`'s refused address (English sentence; the UI translates the code).
pub fn refused(e: AddressError, provider: ProviderId) -> AppError {
    AppError::new(e.code(), e.sentence(provider)).with_provider(provider)
}

/// [`ProviderUrl::parse`], with the refusal as `provider`'s app error.
pub fn parse_for(provider: ProviderId, raw: &str) -> Result<ProviderUrl, AppError> {
    ProviderUrl::parse(raw).map_err(|e| refused(e, provider))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn each_refusal_has_its_own_code_and_names_the_provider() {
        let e = parse_for(ProviderId::Ooppay, "http://evil.example").unwrap_err();
        assert_eq!(e.code, ErrorCode::InsecureAddress);
        assert_eq!(e.provider, Some(ProviderId::Ooppay));
        assert!(e.message.contains("OOPPay"), "{}", e.message);
        let e = parse_for(ProviderId::Otpzap, "http://localhost:x@evil.example/").unwrap_err();
        assert_eq!(e.code, ErrorCode::AddressCredentials);
    }
}
