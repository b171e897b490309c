fn main() {
    // tauri.conf.json and Cargo.toml sit at the repository root while the shell's source (and its
    // capabilities/) live in src-tauri/, so point tauri-build at them.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build failed");
}
