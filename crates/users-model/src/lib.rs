//! Types of the Auth0 Management API v2 Users resource and the rules the server applies to them
//! (merge, validation, linking), written once as pure functions: no I/O, no async, no clock.
