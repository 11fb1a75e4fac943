//! The test CA and server certificate in `tls/` (see its README), for the loopback HTTPS server.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CA: &[u8] = include_bytes!("tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("tls/server.key.pem");

/// The test CA, DER-encoded, for `TransportConfigBuilder::add_root_certificate`.
pub fn ca_der() -> Vec<u8> {
    CertificateDer::from_pem_slice(CA)
        .expect("the test CA parses")
        .to_vec()
}

/// A TLS acceptor serving the test certificate, with the ring provider.
pub fn acceptor() -> tokio_rustls::TlsAcceptor {
    let cert = CertificateDer::from_pem_slice(SERVER_CERT).expect("the test certificate parses");
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).expect("the test key parses");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the defaults")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("the certificate matches the key");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}
