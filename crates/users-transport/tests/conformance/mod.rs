//! The conformance suite, written once: `byte_exact` checks run against every transport
//! (backends and test doubles) through a [`Peer`](crate::support::Peer); `network` checks run
//! against the real backends only, built by a factory from a `TransportConfig`.
//!
//! `byte_exact_suite!` and `network_suite!` instantiate every check as a `#[tokio::test]`.

// Each test binary instantiates a different part of the suite.
#![allow(dead_code, unused_macros, unused_imports)]

pub mod byte_exact;
pub mod network;

/// One `#[tokio::test]` per byte-exactness check; `$peer` is an async expression giving a
/// `Peer`.
macro_rules! byte_exact_suite {
    ($peer:expr) => {
        byte_exact_suite!(@tests $peer;
            request_arrives_byte_exact,
            every_method_arrives,
            response_comes_back_byte_exact,
            no_content_and_empty_bodies_survive,
            non_utf8_header_values_survive,
            error_statuses_are_responses_not_errors,
            redirects_are_returned_not_followed,
        );
    };
    (@tests $peer:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let peer = $peer.await;
                crate::conformance::byte_exact::$check(&peer).await;
            }
        )*
    };
}

/// One `#[tokio::test]` per network check; `$factory` is a
/// `fn(TransportConfig) -> Arc<dyn Transport>`.
macro_rules! network_suite {
    ($factory:expr) => {
        network_suite!(@tests $factory;
            never_answering_server_times_out,
            refused_port_is_a_connect_error_never_sent,
            connect_timeout_is_a_timeout_never_sent,
            close_mid_headers_is_io_maybe_sent,
            close_mid_body_is_io_maybe_sent,
            declared_length_over_cap_is_body_too_large,
            chunked_body_over_cap_stops_early,
            body_at_cap_is_accepted,
            lengths_of_bodies_never_sent_do_not_count,
            multi_megabyte_bodies_round_trip_under_the_default_cap,
            malformed_responses_are_errors,
            tls_handshake_failure_is_tls_never_sent,
            https_works_with_a_trusted_root_and_fails_without,
            invalid_requests_never_leave,
            concurrent_requests_use_bounded_pooled_connections,
            sequential_requests_reuse_a_connection,
            mixed_case_rate_limit_headers_read_lower_case,
            errors_never_echo_the_request,
        );
    };
    (@tests $factory:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                crate::conformance::network::$check(&$factory).await;
            }
        )*
    };
}
