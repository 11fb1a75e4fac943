//! The emulator's RSA signing key.
//!
//! This is a fixed, PUBLIC emulator key, generated once for this project and committed on
//! purpose: it is not a secret and protects nothing. A fixed key lets tokens survive restarts
//! (with `--state`) and lets tests craft their own tokens (for example a `link_with` ID token
//! with a wrong issuer). Never use it for anything but the emulator.

/// The PEM (PKCS#8) private key the emulator signs its RS256 tokens with. Public on purpose.
pub const EMULATOR_PRIVATE_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCUIuAg3N4UeoVH\n\
ReXv6RiUi1NAc1ePXrHkWZN0Y346lg4sNv4M83/GJs+13YE/OWSrpv8tYo6ETwjr\n\
EnoiXQ/GPRTyLvvatoQbcy5OE6CxzJCTPURXMgIsgXNbAShqwcsEKIy06HnVOlmd\n\
qRsyj1Knz/HkJH0/wcPSQ5q4oJrVFE7PFfnXb6ts+EblwvCVXilynw6MYqt3Z02b\n\
w+VXEQDwbQihNRA3nFUV5cUI33TVo8a3OoUILER2WoSZ8MsPYuK9KRsAp9Xfsr2j\n\
0RH0ZrZyOSNc7DEBiwVRRTd2P4YsnOtWjzRGIRMgMo0uro23v76X0N/78ORZP/2G\n\
FGz80bQRAgMBAAECggEAAzRg8F0O0dcXsIPG1mKOxVHhRmzoWUHla8jzS2qGlcpe\n\
up6i7tFKs5Tt2+OTkvRRJPR7IzZ1Wk/iY8F10m38dB+opxeUm7XklDpw5z/98zK3\n\
cvP5mUBL8z4GqpKTFwIju+6LorM/xXjabPJ2U+jtUxOIylRuwDUXISKUw4c36kGa\n\
hJwS8nLp85MIjOIzCTiJt6i8HTe3Da296bw5UFyE7TJM2CJyehxsems5yeFdFtYT\n\
BcO3ywLiJRC7jQ3pWYg4mSofC2CdxVp9n9nxjFctjRz5njYju3zI6sqrJ6M62bRY\n\
OqUYRaY8uGWqzMi7VWgGIgoxLm0/4D64Uj6QQfF0RQKBgQDPaGBT4MpG4oO8A6Xz\n\
cSzy5TKiIl9cxVioIZa2Po+Stnsp2dF1m1qBrIiPPuMnZ1HE5ajK2JlAJVr+Jr18\n\
ARSk3zSxnVHD7piU6m0fduGbeJ0oS8KiMuZjRHoJLPwF6aLgOlA26H36Z0PpiTKK\n\
+kAaMhajym7L0RDnjZ7klHu6xQKBgQC215fMmdBuVrmtbozGWnwR0QJ4nGwT/CwP\n\
+KO3xSiVmKglZIVOCgPf/U12l/xl87r81kQHEPs4sLihnmh1TSFkZMyal86pn8yn\n\
guRNzmsrFVJbi/4BiPxn+84IzueYG8If4KU0wYjY9Sv/KG98MTkflAeRiQ0Ige/g\n\
CEeT9nMY3QKBgEwB8zMp8NbzUdWH/LvvIMrOxbR3Jj1oMOpEjOeym4jniNE4erM/\n\
wHY/FThxkmsxSN0AUNAtelPwnJ0A83XLK5aUGcpxXbKQ8Ke6FU1vkpQYKnfG88ff\n\
IWEFijdsndtI2KCVninRH8GxMEkYN0aJGQ7Ahl115Q6aSjihRLZ9164FAoGBAJyo\n\
rE+JmqRveje2+Lca4CMDyfI9U/zrm3UzvFLAgr1qRueC8RSkUB2ikrSCFKfl5Nit\n\
XSwQyK8R+5++chHPPEUgeI4cc92yJU+BPsvLiNcpNZ9qmwAFtv4BKc8yOAyD/BgE\n\
CojhKbd6mW/N3XezVRZRZwqzOo+HhVeWwH1uM7+hAoGBAJhhoPU9dEhbE70csuss\n\
D0bwXnRiu9ZtUiah3W9gil76Oac5etbzr93tjl191fCXQLDDjkXWv38cWICwzSfU\n\
L/Ua4SKaqDONnOJm6M6NvlSUlCHNhqo5xZ26GotJvOSF4vrUalqF+BB7u6kgolHM\n\
ejiqBa3OSJBPRI82ceeohpGS\n\
-----END PRIVATE KEY-----\n\
";

/// The key id (`kid`) in token headers and the JWKS.
pub const EMULATOR_KEY_ID: &str = "users-emulator-key-1";

/// The RSA modulus of the emulator key, base64url without padding (JWKS `n`).
pub const EMULATOR_KEY_N: &str = "lCLgINzeFHqFR0Xl7-kYlItTQHNXj16x5FmTdGN-OpYOLDb-DPN_xibPtd2BPzlkq6b_LWKOhE8I6xJ6Il0Pxj0U8i772raEG3MuThOgscyQkz1EVzICLIFzWwEoasHLBCiMtOh51TpZnakbMo9Sp8_x5CR9P8HD0kOauKCa1RROzxX512-rbPhG5cLwlV4pcp8OjGKrd2dNm8PlVxEA8G0IoTUQN5xVFeXFCN901aPGtzqFCCxEdlqEmfDLD2LivSkbAKfV37K9o9ER9Ga2cjkjXOwxAYsFUUU3dj-GLJzrVo80RiETIDKNLq6Nt7--l9Df-_DkWT_9hhRs_NG0EQ";

/// The RSA public exponent of the emulator key, base64url (JWKS `e`).
pub const EMULATOR_KEY_E: &str = "AQAB";

/// The JSON Web Key Set served at `/.well-known/jwks.json`.
pub(crate) fn jwks() -> serde_json::Value {
    serde_json::json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": EMULATOR_KEY_ID,
            "n": EMULATOR_KEY_N,
            "e": EMULATOR_KEY_E,
        }]
    })
}
