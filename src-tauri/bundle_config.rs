//! Tests of the installer configuration: `tauri.conf.json` and the per-OS files Tauri merges into it
//! (`tauri.{windows,macos,linux}.conf.json`). Each OS's merged configuration is read the way the Tauri
//! CLI reads it (JSON merge patch) and parsed into Tauri's own `Config` type, which refuses unknown
//! fields, then the choices that matter for shipping are asserted: one identifier (the same as
//! `otpdesk_core::APP_IDENTIFIER`), the version from Cargo only, per-user NSIS in English and
//! Indonesian, the macOS minimum and entitlements, Linux packages, icons and the updater.
//! Run: `cargo test -p otpdesk --lib bundle_config`.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tauri::utils::config::{
    parse::read_from, BundleTarget, Config, NSISInstallerMode, Updater, WebviewInstallMode,
};
use tauri::utils::platform::Target;

/// The updater public key while no release key exists; the updater code reads it as "not configured".
const PUBKEY_PLACEHOLDER: &str = "OTPDESK_UPDATER_PUBKEY_NOT_CONFIGURED";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn raw(file: &str) -> Value {
    let path = root().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The configuration Tauri builds with on `target`: tauri.conf.json merged with the OS's file.
fn merged(target: Target) -> (Config, Vec<PathBuf>) {
    let (value, files) = read_from(target, &root()).expect("read tauri.conf.json");
    let config: Config =
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{target:?} config: {e}"));
    (config, files)
}

fn targets(config: &Config) -> BTreeSet<String> {
    match &config.bundle.targets {
        BundleTarget::List(list) => list.iter().map(|t| t.to_string()).collect(),
        BundleTarget::One(t) => [t.to_string()].into(),
        BundleTarget::All => ["all".to_string()].into(),
    }
}

fn exists(relative: &Path) -> bool {
    root().join(relative).is_file()
}

#[test]
fn identifier_is_the_core_constant() {
    assert_eq!(
        raw("tauri.conf.json")["identifier"],
        otpdesk_core::APP_IDENTIFIER
    );
    // What the built app carries, and what the keyring and the CLI's data folder use.
    let context = crate::context::<tauri::test::MockRuntime>();
    assert_eq!(context.config().identifier, otpdesk_core::APP_IDENTIFIER);
    assert_eq!(
        otpdesk_secrets::DEFAULT_SERVICE,
        otpdesk_core::APP_IDENTIFIER
    );
    // The CLI warns that an identifier ending in `.app` clashes with macOS bundles.
    assert!(!otpdesk_core::APP_IDENTIFIER.ends_with(".app"));
    for os in ["windows", "macos", "linux"] {
        let file = format!("tauri.{os}.conf.json");
        assert!(
            raw(&file).get("identifier").is_none(),
            "{file} must not override the identifier"
        );
    }
}

#[test]
fn version_comes_from_cargo_only() {
    for file in [
        "tauri.conf.json",
        "tauri.windows.conf.json",
        "tauri.macos.conf.json",
        "tauri.linux.conf.json",
    ] {
        assert!(
            raw(file).get("version").is_none(),
            "{file} sets a version: Cargo.toml is the only one"
        );
    }
    let context = crate::context::<tauri::test::MockRuntime>();
    assert_eq!(
        context.package_info().version.to_string(),
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn build_hooks_run_in_the_ui_folder() {
    let build = &raw("tauri.conf.json")["build"];
    for hook in ["beforeBuildCommand", "beforeDevCommand"] {
        assert_eq!(build[hook]["cwd"], "ui", "{hook}");
        assert!(
            build[hook]["script"]
                .as_str()
                .unwrap()
                .starts_with("npm run "),
            "{hook}"
        );
    }
    let (config, _) = merged(Target::Linux);
    assert_eq!(config.build.frontend_dist.unwrap().to_string(), "ui/dist");
}

#[test]
fn metadata_and_updater_apply_everywhere() {
    for target in [Target::Windows, Target::MacOS, Target::Linux] {
        let (config, files) = merged(target);
        assert_eq!(
            files.len(),
            2,
            "{target:?}: tauri.conf.json plus the OS's own file"
        );
        let bundle = &config.bundle;
        assert!(bundle.active);
        assert_eq!(bundle.publisher.as_deref(), Some("OTPDesk"));
        assert!(bundle.copyright.as_deref().unwrap().contains("OTPDesk"));
        assert_eq!(
            bundle.homepage.as_deref(),
            Some("https://github.com/otpdesk/otpdesk")
        );
        assert_eq!(bundle.license.as_deref(), Some("Proprietary"));
        let long = bundle.long_description.as_deref().unwrap();
        assert!(long.lines().count() > 3, "long description: several lines");
        assert!(
            long.lines().all(|l| l.len() <= 80),
            "long description: lines of 80 at most (Debian)"
        );
        assert_eq!(
            bundle.create_updater_artifacts,
            Updater::Bool(true),
            "{target:?}: signed updates"
        );
        let updater = &config.plugins.0["updater"];
        assert_eq!(
            updater["pubkey"], PUBKEY_PLACEHOLDER,
            "the real key comes from the release workflow"
        );
        assert_eq!(
            updater["endpoints"],
            serde_json::json!([
                "https://github.com/otpdesk/otpdesk/releases/latest/download/latest.json"
            ])
        );
        for icon in &bundle.icon {
            assert!(exists(Path::new(icon)), "{icon} is missing");
        }
    }
}

#[test]
fn windows_is_a_per_user_nsis_installer_in_english_and_indonesian() {
    let (config, _) = merged(Target::Windows);
    assert_eq!(targets(&config), ["nsis".to_string()].into());
    let windows = &config.bundle.windows;
    assert_eq!(
        windows.webview_install_mode,
        WebviewInstallMode::EmbedBootstrapper { silent: true }
    );
    let nsis = windows.nsis.as_ref().expect("nsis settings");
    assert_eq!(nsis.install_mode, NSISInstallerMode::CurrentUser);
    assert_eq!(
        nsis.languages.as_deref(),
        Some(&["English".to_string(), "Indonesian".to_string()][..])
    );
    // Tauri ships no Indonesian texts for its installer: ours must be given and exist.
    let files = nsis
        .custom_language_files
        .as_ref()
        .expect("custom language files");
    let indonesian = files.get("Indonesian").expect("Indonesian.nsh");
    assert!(exists(indonesian), "{}", indonesian.display());
    let text = std::fs::read_to_string(root().join(indonesian)).unwrap();
    assert!(text
        .lines()
        .filter(|l| l.starts_with("LangString "))
        .all(|l| l.contains("${LANG_INDONESIAN}")));
    // The Windows icon, in the list Tauri picks the .ico from.
    assert!(config.bundle.icon.iter().any(|i| i.ends_with(".ico")));
}

#[test]
fn macos_is_a_dmg_for_10_15_with_hardened_runtime_entitlements() {
    let (config, _) = merged(Target::MacOS);
    assert_eq!(
        targets(&config),
        ["app".to_string(), "dmg".to_string()].into()
    );
    let macos = &config.bundle.macos;
    assert_eq!(macos.minimum_system_version.as_deref(), Some("10.15"));
    assert!(macos.hardened_runtime);
    let entitlements = macos.entitlements.as_deref().expect("entitlements");
    let text = std::fs::read_to_string(root().join(entitlements)).unwrap();
    for key in [
        "com.apple.security.network.client",
        "com.apple.security.cs.allow-jit",
    ] {
        assert!(text.contains(&format!("<key>{key}</key>")), "{key}");
    }
    assert!(
        !text.contains("com.apple.security.app-sandbox"),
        "no sandbox: the keyring and notifications need none"
    );
    assert!(config.bundle.icon.iter().any(|i| i.ends_with(".icns")));
}

#[test]
fn linux_is_deb_and_rpm_with_icons_and_a_desktop_entry() {
    let (config, _) = merged(Target::Linux);
    let t = targets(&config);
    assert!(t.contains("deb") && t.contains("rpm"), "{t:?}");
    assert!(
        t.contains("appimage"),
        "AppImage for the release workflow (it needs the internet)"
    );
    let linux = &config.bundle.linux;
    // Tauri adds webkit2gtk, gtk3 and the appindicator itself; ours are what the keyring links.
    assert!(linux
        .deb
        .depends
        .as_ref()
        .unwrap()
        .iter()
        .any(|d| d == "libdbus-1-3"));
    assert!(linux
        .rpm
        .depends
        .as_ref()
        .unwrap()
        .iter()
        .any(|d| d.starts_with("libdbus-1.so.3")));
    let template = linux
        .deb
        .desktop_template
        .as_deref()
        .expect("desktop entry template");
    assert_eq!(linux.rpm.desktop_template.as_deref(), Some(template));
    let entry = std::fs::read_to_string(root().join(template)).unwrap();
    for line in [
        "Exec={{exec}}",
        "Icon={{icon}}",
        "Categories={{categories}}",
        "Comment[id]=",
    ] {
        assert!(entry.contains(line), "desktop entry lacks {line}");
    }
    // hicolor sizes: the bundler files each PNG under its real size.
    let mut sizes = BTreeSet::new();
    for icon in config.bundle.icon.iter().filter(|i| i.ends_with(".png")) {
        let name = Path::new(icon).file_stem().unwrap().to_str().unwrap();
        let (w, h) = name.split_once('x').expect("icons named WxH");
        assert_eq!(w, h);
        let bytes = std::fs::read(root().join(icon)).unwrap();
        // PNG header: width and height are big-endian u32 at bytes 16..24.
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        assert_eq!(width.to_string(), w, "{icon} is {width} pixels wide");
        sizes.insert(width);
    }
    for size in [32, 64, 128, 512] {
        assert!(sizes.contains(&size), "no {size}x{size} icon");
    }
}
