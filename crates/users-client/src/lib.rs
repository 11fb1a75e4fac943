//! An Auth0 Management API v2 users client with a pluggable transport.
