//! A stateful Auth0 Users API emulator, embedded in-process or served on a port.
