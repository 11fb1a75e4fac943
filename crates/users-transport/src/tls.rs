//! The rustls client configuration both backends use.

use std::sync::Arc;

use crate::{TlsRoots, TransportConfig, TransportError, TransportErrorKind};

/// A rustls client configuration with the ring provider installed explicitly (never the
/// process-global default, which another crate could have set to something else) and the chosen
/// roots. No ALPN: hyper-rustls insists on setting it itself; the reqwest backend sets it.
pub(crate) fn client_config(
    config: &TransportConfig,
) -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut store = root_store(config.tls_roots())?;
    for der in config.extra_root_certificates() {
        let cert = rustls::pki_types::CertificateDer::from(der.as_slice());
        store.add(cert).map_err(|e| {
            TransportError::new(TransportErrorKind::Tls)
                .with_may_have_been_sent(false)
                .with_source(e)
        })?;
    }
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::new(TransportErrorKind::Tls).with_source(e))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(config)
}

fn root_store(roots: TlsRoots) -> Result<rustls::RootCertStore, TransportError> {
    let mut store = rustls::RootCertStore::empty();
    match roots {
        TlsRoots::WebPki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        #[cfg(feature = "native-roots")]
        TlsRoots::Native => {
            // Unreadable individual certificates are skipped, as browsers do; an empty store
            // would fail every handshake, so that is reported now.
            let loaded = rustls_native_certs::load_native_certs();
            let (_added, _ignored) = store.add_parsable_certificates(loaded.certs);
            if store.is_empty() {
                let mut error =
                    TransportError::new(TransportErrorKind::Tls).with_may_have_been_sent(false);
                if let Some(cause) = loaded.errors.into_iter().next() {
                    error = error.with_source(cause);
                }
                return Err(error);
            }
        }
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unparsable_extra_root_is_a_tls_error_at_build_time() {
        let config = TransportConfig::builder()
            .add_root_certificate(b"not a certificate".to_vec())
            .build();
        let error = client_config(&config).expect_err("garbage is not a certificate");
        assert_eq!(error.kind(), TransportErrorKind::Tls);
        assert!(!error.may_have_been_sent());
    }

    #[test]
    fn the_ring_provider_is_installed_in_the_config_not_globally() {
        let config = client_config(&TransportConfig::default()).expect("webpki roots load");
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        assert!(!config.crypto_provider().cipher_suites.is_empty());
    }
}
