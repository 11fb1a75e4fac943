//! Every served operation, end to end: each group's module drives its operations through the
//! client against the emulator (in-process, and served on 127.0.0.1:0 through the reqwest and
//! hyper backends), and the test then checks that every operation listed in
//! `users_model::operation::all()` was answered with its success status at least once. Adding an
//! operation to a group's list without an end-to-end call here fails this test.

mod access;
mod blocks;
#[path = "../emulated/mod.rs"]
mod emulated;
mod env;
mod mfa;
mod sessions;
mod users;

use env::{BACKENDS, Env};
use users_model::operation;

#[tokio::test]
async fn every_served_operation_succeeds_end_to_end_on_every_backend() {
    for backend in BACKENDS {
        let env = Env::start(backend).await;
        users::exercise(&env).await;
        blocks::exercise(&env).await;
        mfa::exercise(&env).await;
        access::exercise(&env).await;
        sessions::exercise(&env).await;

        let answered = env.log.answered();
        let mut missing = Vec::new();
        for op in operation::all() {
            let hit = answered.iter().any(|(method, path, status)| {
                let segments: Vec<&str> = path.split('/').collect();
                *status == op.success
                    && operation::find(method, &segments)
                        .is_some_and(|(found, _)| found.id == op.id)
            });
            if !hit {
                missing.push(format!("{} {} ({})", op.method, op.path, op.id));
            }
        }
        assert!(
            missing.is_empty(),
            "{backend:?}: never answered with their success status end to end: {missing:#?}"
        );
    }
}
