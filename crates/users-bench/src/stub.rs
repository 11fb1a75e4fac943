//! A minimal server answering like Auth0 for the two calls the load harness makes, so that the
//! client side is what gets measured: bodies are serialized once at start, routing is a match
//! on two path segments, and every connection is kept alive.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::fixture;

/// The largest request body the stub reads (the API's limit); a larger one gets 413.
const MAX_REQUEST_BODY: usize = users_model::MAX_BODY_BYTES;

/// The responses, serialized once.
#[derive(Debug, Clone)]
pub struct StubBodies {
    user: Bytes,
    token: Bytes,
    not_found: Bytes,
    too_large: Bytes,
}

impl StubBodies {
    /// The fixture user, the token answer and the error bodies.
    ///
    /// # Errors
    /// When the fixture user does not serialize.
    pub fn new() -> Result<StubBodies, serde_json::Error> {
        Ok(StubBodies {
            user: fixture::user_body()?,
            token: fixture::token_body(),
            not_found: Bytes::from_static(
                br#"{"statusCode":404,"error":"Not Found","message":"Not Found"}"#,
            ),
            too_large: Bytes::from_static(
                br#"{"statusCode":413,"error":"Request Entity Too Large","message":"Payload content length greater than maximum allowed: 1048576"}"#,
            ),
        })
    }
}

/// What a request is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET` or `PATCH /api/v2/users/{id}`: 200 with the user.
    User,
    /// `POST /oauth/token`: 200 with a bearer token.
    Token,
    /// Anything else: 404.
    NotFound,
}

/// Routes by method and path only; the stub does not look at ids, headers or bodies.
pub fn route(method: &Method, path: &str) -> Route {
    let mut segments = path.strip_prefix('/').unwrap_or(path).split('/');
    match (
        method,
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (&Method::GET | &Method::PATCH, Some("api"), Some("v2"), Some("users"), Some(id), None)
            if !id.is_empty() =>
        {
            Route::User
        }
        (&Method::POST, Some("oauth"), Some("token"), None, None, None) => Route::Token,
        _ => Route::NotFound,
    }
}

/// Accepts connections on `listener` until it fails, serving each on its own task.
///
/// # Errors
/// When accepting fails; a failing connection only ends that connection.
pub async fn serve(listener: TcpListener, bodies: StubBodies) -> io::Result<()> {
    let bodies = Arc::new(bodies);
    loop {
        let (stream, _) = listener.accept().await?;
        // Small request/response pairs: without this, Nagle delays the client's next write.
        stream.set_nodelay(true)?;
        let bodies = Arc::clone(&bodies);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let bodies = Arc::clone(&bodies);
                async move { Ok::<_, Infallible>(respond(&bodies, request).await) }
            });
            // A client closing its connection mid-request is normal at the end of a run.
            let _closed = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn respond(bodies: &StubBodies, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    // The body is read in full so the connection can be reused, and capped.
    let limited = http_body_util::Limited::new(body, MAX_REQUEST_BODY);
    if limited.collect().await.is_err() {
        return json_response(StatusCode::PAYLOAD_TOO_LARGE, bodies.too_large.clone());
    }
    match route(&parts.method, parts.uri.path()) {
        Route::User => {
            let mut response = json_response(StatusCode::OK, bodies.user.clone());
            add_rate_limit_headers(&mut response);
            response
        }
        Route::Token => json_response(StatusCode::OK, bodies.token.clone()),
        Route::NotFound => json_response(StatusCode::NOT_FOUND, bodies.not_found.clone()),
    }
}

fn json_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// Auth0's headers on every Management API answer; the stub never runs out, so a client's
/// rate-limit gate sees plenty of room and the run measures its bookkeeping, not waiting. The
/// remaining count is above the largest number of requests the benchmark keeps in flight (64):
/// a gate that admits only while the server reports room would otherwise, rightly, hold the
/// requests beyond it.
fn add_rate_limit_headers(response: &mut Response<Full<Bytes>>) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("1000"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("999"));
    headers.insert("x-ratelimit-reset", HeaderValue::from(now + 1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_get_and_patch_route_to_the_user_and_nothing_else_does() {
        let path = fixture::user_path();
        assert_eq!(route(&Method::GET, &path), Route::User);
        assert_eq!(route(&Method::PATCH, &path), Route::User);
        assert_eq!(route(&Method::DELETE, &path), Route::NotFound);
        assert_eq!(route(&Method::GET, "/api/v2/users/"), Route::NotFound);
        assert_eq!(
            route(&Method::GET, "/api/v2/users/a/roles"),
            Route::NotFound
        );
        assert_eq!(route(&Method::GET, "/api/v2/users"), Route::NotFound);
        assert_eq!(route(&Method::POST, "/oauth/token"), Route::Token);
        assert_eq!(route(&Method::GET, "/oauth/token"), Route::NotFound);
        assert_eq!(route(&Method::GET, ""), Route::NotFound);
    }
}
