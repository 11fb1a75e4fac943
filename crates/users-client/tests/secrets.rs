//! Tokens, client secrets and passwords never appear in Debug, Display, errors or logs; the
//! Authorization header is marked sensitive.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::{FnTransport, Seen, builder, json as reply_json, token_reply};
use users_client::model::{Password, Patch, UserCreate, UserUpdate};
use users_client::{Client, StaticToken};

const TOKEN: &str = "tok-SENSITIVE-1";
const SECRET: &str = "secret-SENSITIVE-2";
const PASSWORD: &str = "pw-SENSITIVE-3 Aa1!";
const ISSUED: &str = "issued-SENSITIVE-4";
const META_VALUE: &str = "meta-SENSITIVE-5";

fn assert_clean(what: &str, text: &str) {
    for s in [TOKEN, SECRET, PASSWORD, ISSUED, META_VALUE] {
        assert!(!text.contains(s), "{what} leaks {s}: {text}");
    }
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn secrets_stay_out_of_debug_display_errors_and_logs() {
    let logs = Buf::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Every response echoes sensitive-looking data back in an error body.
    let t = FnTransport::new(|s: &Seen, i| {
        if s.is_token_request() {
            token_reply(ISSUED, 86_400)
        } else if i == 1 {
            reply_json(503, json!({"message": "boom", "echo": META_VALUE}))
        } else {
            reply_json(
                400,
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error", "errorCode": "invalid_body", "echo": META_VALUE}),
            )
        }
    });
    let builder_dbg = format!("{:?}", builder(t.clone()).client_credentials("CID", SECRET));
    assert_clean("builder Debug", &builder_dbg);
    let c = builder(t.clone())
        .client_credentials("CID", SECRET)
        .default_header("x-api-key", TOKEN)
        .build()
        .unwrap();
    assert_eq!(
        format!("{c:?}"),
        "Client { domain: \"tenant.auth0.com\", .. }"
    );

    let mut update = UserUpdate::default();
    update.password = Patch::Set(Password::new(PASSWORD));
    let mut m = users_client::model::MetadataPatch::new();
    m.set("k", META_VALUE);
    update.user_metadata = Some(m);
    let call = c.users().update("auth0|1", &update);
    assert_clean("Call Debug", &format!("{call:?}"));
    let e = call.await.unwrap_err();
    assert_clean("error Display", &e.to_string());
    assert_clean("error Debug", &format!("{e:?}"));

    let mut create = UserCreate::new("db");
    create.email = Some("a@example.com".into());
    create.password = Some(Password::new(PASSWORD));
    let e = c.users().create(&create).await.unwrap_err();
    assert_clean("error Display", &e.to_string());
    assert_clean("error Debug", &format!("{e:?}"));

    // The token endpoint's error, and a token response that fails to decode, do not echo it.
    let t2 = FnTransport::new(|_, _| {
        support::response(200, &[], format!("{{\"access_token\": [\"{ISSUED}\"]}}"))
    });
    let e = builder(t2)
        .client_credentials("CID", SECRET)
        .build()
        .unwrap()
        .users()
        .get("a")
        .await
        .unwrap_err();
    assert_clean("decode error", &format!("{e} {e:?}"));

    assert_clean(
        "StaticToken Debug",
        &format!("{:?}", StaticToken::new(TOKEN)),
    );

    // Sent headers: Authorization and default headers are marked sensitive.
    for s in t.api_requests() {
        assert!(s.headers.get("authorization").unwrap().is_sensitive());
        assert!(s.headers.get("x-api-key").unwrap().is_sensitive());
        assert_clean("request header Debug", &format!("{:?}", s.headers));
    }

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("patch_users_by_id"),
        "spans are emitted: {text}"
    );
    assert!(
        text.contains("attempt"),
        "attempt spans are emitted: {text}"
    );
    assert_clean("logs", &text);
}

#[test]
fn config_errors_do_not_echo_credentials() {
    let t = FnTransport::new(|_, _| support::empty(200));
    let e = Client::builder()
        .base_url(format!("https://user:{SECRET}@example.com"))
        .transport(t)
        .token(TOKEN)
        .build()
        .unwrap_err();
    assert_clean("config error", &format!("{e} {e:?}"));
}
