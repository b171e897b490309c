//! Against the real OS keyring. On Linux this needs a Secret Service on the session bus:
//! `scripts/test.sh` runs the tests inside `dbus-run-session` with an unlocked gnome-keyring.
//! Each run uses its own service name, so a developer's real OTPDesk keys are never touched.

use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_secrets::{KeyFor, SecretName, SecretStore};

fn store() -> SecretStore {
    SecretStore::new(format!("com.otpdesk.test.{}", uuid::Uuid::new_v4()))
}

#[test]
fn keys_round_trip_through_the_real_keyring_and_clear() {
    let store = store();
    let name = SecretName::api_key(ProviderId::Otpzap);
    assert!(!store
        .is_set(name)
        .expect("a Secret Service must be reachable (run scripts/test.sh)"));

    let key = ApiKey::new("otpzap-live-7f3a9c2e").unwrap();
    store.set(name, &key).unwrap();
    assert!(store.is_set(name).unwrap());
    assert_eq!(
        store.get(name).unwrap().unwrap().expose(),
        "otpzap-live-7f3a9c2e"
    );

    // Another provider's slot and the webhook secret slot are separate entries.
    assert!(!store
        .is_set(SecretName::api_key(ProviderId::Numberotp))
        .unwrap());
    assert!(!store
        .is_set(SecretName::webhook_secret(ProviderId::Otpzap))
        .unwrap());

    // A second handle (as a restarted app would have) reads the same entry.
    let again = SecretStore::new(store.service());
    assert!(again.is_set(name).unwrap());

    store.clear(name).unwrap();
    assert!(!store.is_set(name).unwrap());
    store.clear(name).unwrap();
}

#[test]
fn replacing_a_key_keeps_only_the_new_one() {
    let store = store();
    let name = SecretName::webhook_secret(ProviderId::Ooppay);
    store
        .set(name, &ApiKey::new("first-secret-0000000").unwrap())
        .unwrap();
    store
        .set(name, &ApiKey::new("second-secret-111111").unwrap())
        .unwrap();
    assert_eq!(
        store.get(name).unwrap().unwrap().expose(),
        "second-secret-111111"
    );
    store.clear(name).unwrap();
}

#[test]
fn an_api_key_is_handed_out_only_for_the_origin_it_is_bound_to() {
    let store = store();
    let p = ProviderId::Numberotp;
    let name = SecretName::api_key(p);
    let key = ApiKey::new("numberotp-live-3b9d0a71").unwrap();
    assert_eq!(
        store.api_key_for(p, "https://numberotp.com").unwrap(),
        KeyFor::Missing
    );

    store.set_api_key(p, &key, "https://numberotp.com").unwrap();
    assert_eq!(
        store.api_key_origin(p).unwrap().as_deref(),
        Some("https://numberotp.com")
    );
    assert_eq!(
        store.api_key_for(p, "https://numberotp.com").unwrap(),
        KeyFor::Bound(key.clone())
    );
    // NumberOTP's documented host and the host its API answers on are one pair.
    assert_eq!(
        store.api_key_for(p, "https://api.numberotp.com").unwrap(),
        KeyFor::Bound(key.clone())
    );
    // Another origin gets no key, only where it is bound.
    assert_eq!(
        store.api_key_for(p, "https://evil.example").unwrap(),
        KeyFor::OtherOrigin {
            bound_to: "https://numberotp.com".into()
        }
    );
    // The origin is its own entry: the key's entry holds the key and nothing else.
    assert_eq!(store.get(name).unwrap().unwrap().expose(), key.expose());

    // A key saved without an origin (older versions, the CLI) is unbound until bound.
    store.set(name, &key).unwrap();
    assert_eq!(store.api_key_origin(p).unwrap(), None);
    assert_eq!(
        store.api_key_for(p, "https://evil.example").unwrap(),
        KeyFor::Unbound(key.clone())
    );
    store.bind_api_key(p, "http://127.0.0.1:9000").unwrap();
    assert!(matches!(
        store.api_key_for(p, "http://127.0.0.1:9000").unwrap(),
        KeyFor::Bound(_)
    ));

    // Clearing the key clears its origin too.
    store.clear(name).unwrap();
    assert_eq!(store.api_key_origin(p).unwrap(), None);
    assert_eq!(
        store.api_key_for(p, "http://127.0.0.1:9000").unwrap(),
        KeyFor::Missing
    );
    // Other providers never shared the origin.
    assert_eq!(store.api_key_origin(ProviderId::Otpzap).unwrap(), None);
}

/// The team's connection string (it holds the database password) is kept in the keyring only.
#[test]
fn the_team_connection_string_round_trips_and_is_forgotten_on_leave() {
    let s = store();
    s.clear_team_store().unwrap();
    assert_eq!(s.team_store().unwrap(), None);
    let conn = "host=db.example port=5432 user=op_ani password=s3cret dbname=shop";
    s.set_team_store(conn).unwrap();
    assert_eq!(s.team_store().unwrap().as_deref(), Some(conn));
    assert!(s.set_team_store("  ").is_err());
    s.clear_team_store().unwrap();
    assert_eq!(s.team_store().unwrap(), None);
    s.clear_team_store().unwrap();
}
