//! How the server masks a method's email address and phone number in its answers.
//!
//! Derived from the recordings (`go-auth0__TestUserManager_AuthenticationMethods__01`, `__09`):
//! `chuck334@example.com` → `chuc****@exam*******`, `foo@example.com` → `****@exam*******`,
//! `+44207183875044` → `XXXXXXXXXXX5044`. The general rule is **unconfirmed** beyond those
//! samples: the local part keeps its first 4 characters when it is longer than 4, followed by
//! `****`; the domain keeps its first 4 characters and stars the rest one for one; a phone number
//! keeps its last 4 characters and has every other one replaced by `X`.

use crate::AuthenticationMethod;

/// `chuck334@example.com` → `chuc****@exam*******`.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let mut out = String::with_capacity(email.len() + 4);
    if local.chars().count() > 4 {
        out.extend(local.chars().take(4));
    }
    out.push_str("****@");
    out.extend(domain.chars().take(4));
    out.extend(domain.chars().skip(4).map(|_| '*'));
    out
}

/// `+44207183875044` → `XXXXXXXXXXX5044`.
pub fn mask_phone(phone: &str) -> String {
    let len = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < len { 'X' } else { c })
        .collect()
}

impl AuthenticationMethod {
    /// The method as list and get answers show it: email and phone number masked; a TOTP
    /// secret is never shown.
    pub fn masked(&self) -> AuthenticationMethod {
        let mut out = self.clone();
        match &mut out {
            AuthenticationMethod::Email(m) | AuthenticationMethod::EmailVerification(m) => {
                m.email = m.email.as_deref().map(mask_email);
            }
            AuthenticationMethod::Phone(m) => {
                m.phone_number = m.phone_number.as_deref().map(mask_phone);
            }
            AuthenticationMethod::Totp(m) => m.totp_secret = None,
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_masks() {
        assert_eq!(mask_email("chuck334@example.com"), "chuc****@exam*******");
        assert_eq!(mask_email("foo@example.com"), "****@exam*******");
        assert_eq!(mask_phone("+44207183875044"), "XXXXXXXXXXX5044");
    }

    #[test]
    fn short_and_odd_values_do_not_panic() {
        assert_eq!(mask_phone("+1"), "+1");
        assert_eq!(mask_email("no-at-sign"), "no-a****@");
        assert_eq!(mask_email("josé@exämple.de"), "****@exäm******");
    }
}
