//! The webview's lifecycle, for an all-day footprint: once the main window has been hidden for a
//! while (10 minutes; `OTPDESK_WEBVIEW_IDLE_SECS`), its webview is destroyed and the memory it
//! held is given back, while the engine, tray and notifications go on in Rust. The window comes
//! back (tray, notification click, second launch) through [`recreate_main_window`], and the UI
//! puts itself back in the state it saved here ([`SavedView`], `save_view` / `saved_view`).

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager, RunEvent, Runtime};

/// Seconds the window stays hidden before its webview is destroyed; `0` keeps it for good.
pub const IDLE_ENV: &str = "OTPDESK_WEBVIEW_IDLE_SECS";
/// Ten minutes: long enough that hiding and showing the window during work costs nothing.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(600);

/// How long the window must be hidden before its webview is destroyed (`None`: never), from
/// the value of [`IDLE_ENV`].
pub fn idle_after(env: Option<&str>) -> Option<Duration> {
    match env.map(str::trim) {
        None | Some("") => Some(DEFAULT_IDLE),
        Some(v) => match v.parse::<f64>() {
            Ok(0.0) => None,
            Ok(s) if s > 0.0 && s.is_finite() => Some(Duration::from_secs_f64(s)),
            _ => {
                tracing::warn!("{IDLE_ENV}={v:?} is not a number of seconds; using the default");
                Some(DEFAULT_IDLE)
            }
        },
    }
}

/// How often the watcher looks at the window: a quarter of the idle time, between 0.25 s and
/// 15 s (a destroyed webview is noticed at most that late; a look costs one message to the
/// event loop).
pub fn tick(idle: Duration) -> Duration {
    (idle / 4).clamp(Duration::from_millis(250), Duration::from_secs(15))
}

/// Counts how long the window has been hidden, from what the watcher sees at each tick.
#[derive(Debug)]
pub struct IdleClock {
    after: Duration,
    hidden_since: Option<Instant>,
}

impl IdleClock {
    pub fn new(after: Duration) -> IdleClock {
        IdleClock {
            after,
            hidden_since: None,
        }
    }

    /// `visible`: the window's state now (`None`: there is no window). `true`: destroy the
    /// webview now (the window has been hidden for the whole idle time).
    pub fn observe(&mut self, visible: Option<bool>, now: Instant) -> bool {
        match visible {
            Some(false) => {
                let since = *self.hidden_since.get_or_insert(now);
                if now.duration_since(since) >= self.after {
                    self.hidden_since = None;
                    return true;
                }
                false
            }
            // Shown (or minimised: still on the taskbar), or already gone.
            Some(true) | None => {
                self.hidden_since = None;
                false
            }
        }
    }
}

/// What the app keeps about the webview: one recreation at a time, a close under way (and a
/// show asked for meanwhile), how many times it was closed.
#[derive(Default)]
pub struct WebviewLifecycle {
    recreating: AtomicBool,
    /// Destroyed, but its `Destroyed` event has not come yet (the window is still listed).
    closing: AtomicBool,
    /// Shown while closing: rebuilt once the old one is gone.
    reopen: AtomicBool,
    closed: AtomicU32,
}

impl WebviewLifecycle {
    /// How many times the webview was destroyed since the app started.
    pub fn closed_count(&self) -> u32 {
        self.closed.load(Ordering::Relaxed)
    }
}

/// Start watching the main window: called once from `setup`.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    app.manage(WebviewLifecycle::default());
    let Some(after) = idle_after(std::env::var(IDLE_ENV).ok().as_deref()) else {
        tracing::info!("the webview is kept while the window is hidden ({IDLE_ENV}=0)");
        return;
    };
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("webview-idle".into())
        .spawn(move || watch(app, after));
    if let Err(e) = spawned {
        tracing::warn!("no webview idle watcher: {e}");
    }
}

/// The watcher's loop: a plain thread (asking the window's state waits for the event loop).
fn watch<R: Runtime>(app: AppHandle<R>, after: Duration) {
    let mut clock = IdleClock::new(after);
    loop {
        std::thread::sleep(tick(after));
        let window = crate::window::main_window(&app);
        let visible = window.as_ref().map(|w| w.is_visible().unwrap_or(true));
        if clock.observe(visible, Instant::now()) {
            close_webview(&app, after);
        }
    }
}

/// Destroy the hidden window and its webview, then give the memory back. The check and the
/// destroy run on the event loop's thread, like [`crate::window::show_main_window`], so a show
/// either comes first (the window stays) or finds the close under way (and rebuilds after it).
fn close_webview<R: Runtime>(app: &AppHandle<R>, hidden: Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        let closed = match crate::window::main_window(&handle) {
            Some(w) if !w.is_visible().unwrap_or(true) => {
                let state = handle.try_state::<WebviewLifecycle>();
                if let Some(s) = &state {
                    s.closing.store(true, Ordering::SeqCst);
                }
                match w.destroy() {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!("could not close the hidden window: {e}");
                        if let Some(s) = &state {
                            s.closing.store(false, Ordering::SeqCst);
                        }
                        false
                    }
                }
            }
            // Shown again since the last look, or already gone.
            _ => false,
        };
        let _ = tx.send(closed);
    });
    if queued.is_err() || !rx.recv_timeout(Duration::from_secs(30)).unwrap_or(false) {
        return;
    }
    if let Some(state) = app.try_state::<WebviewLifecycle>() {
        state.closed.fetch_add(1, Ordering::Relaxed);
    }
    tracing::info!(
        "the window was hidden for {} s: its webview is closed until the window is opened again",
        hidden.as_secs()
    );
    // WebKit tears its web process down asynchronously; what it freed in this process is
    // returned to the OS once it is done.
    std::thread::sleep(Duration::from_secs(2));
    let released = release_memory();
    tracing::debug!("{} MiB of mapped files released", released >> 20);
    let left = webkit_children();
    if left.is_empty() {
        tracing::info!("no WebKit process is left");
    } else {
        for p in &left {
            tracing::info!(
                "WebKit process left: {} (pid {}, PSS {} KiB)",
                p.name,
                p.pid,
                p.pss_kib
            );
        }
    }
}

/// Keep the webview's GPU compositing (Linux): `OTPDESK_WEBVIEW_GPU=1`.
pub const GPU_ENV: &str = "OTPDESK_WEBVIEW_GPU";

/// Before anything starts (Linux, WebKitGTK): the webview draws without GPU compositing, unless
/// [`GPU_ENV`] asks for it or `WEBKIT_DISABLE_COMPOSITING_MODE` is already set. Lists and forms
/// need no GPU layers, and each composited layer (every scrolling list is one) costs a texture:
/// measured under Xvfb, the web process takes 118 MiB instead of 218 (scripts/bench-app.sh).
/// WebKit reads this documented variable when it sets up its settings; changing the policy on
/// a webview already loading leaves it blank (tried), so it is set for the process.
/// Not under WebDriver (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver): WebKitWebDriver's
/// screenshot of a page drawn this way may never answer (the e2e's first screenshot hung), so
/// the e2e runs with WebKit's default drawing; the bench and webview-idle.sh check this one.
/// Call first in `run`, while the process has one thread.
pub fn prepare_webview_env() {
    #[cfg(target_os = "linux")]
    if compositing_off(
        std::env::var_os(GPU_ENV).as_deref(),
        std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some(),
        std::env::var_os("TAURI_WEBVIEW_AUTOMATION").as_deref(),
    ) {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// Whether [`prepare_webview_env`] turns GPU compositing off, from [`GPU_ENV`], whether
/// `WEBKIT_DISABLE_COMPOSITING_MODE` is set already, and `TAURI_WEBVIEW_AUTOMATION`.
pub fn compositing_off(
    gpu: Option<&std::ffi::OsStr>,
    already_set: bool,
    automation: Option<&std::ffi::OsStr>,
) -> bool {
    gpu.is_none_or(|v| v != "1") && !already_set && automation.is_none_or(|v| v != "true")
}

/// Give back to the OS what the closed webview leaves in this process (Linux): the heap glibc
/// keeps after frees (`malloc_trim`), and the pages of code and read-only data (GTK, WebKit,
/// the GL driver, this program) the window had faulted in. Those are clean copies of files:
/// they are unmapped from this process (`MADV_DONTNEED`; `MADV_PAGEOUT` would only do it for
/// files the user owns) and stay in the page cache, which the kernel reclaims first, as when a
/// process exits; the pages used again (the engine's at once, the window's when it comes back)
/// are mapped back from the cache on first use. Mappings holding private copies (relocated
/// data) are left alone. Returns the bytes unmapped.
pub fn release_memory() -> usize {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas; it takes their locks itself.
    unsafe {
        libc::malloc_trim(0);
    }
    #[cfg(target_os = "linux")]
    {
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return 0;
        };
        let mut released = 0;
        for (start, end) in clean_file_mappings(&smaps) {
            // SAFETY: a whole read-only private mapping of a file without a private (anonymous)
            // page: its contents equal the file's, and the kernel maps them back on access.
            let done = unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED)
            };
            if done == 0 {
                released += end - start;
            }
        }
        released
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// From a `/proc/<pid>/smaps` text, the resident mappings (start, end) that are read-only,
/// private copies of regular files with no private (anonymous) page: code and constants of the
/// program and its libraries. Not the heap, anonymous or shared memory, devices, deleted files,
/// nor relocated data (read-only now but written at load: its pages are anonymous).
pub fn clean_file_mappings(smaps: &str) -> Vec<(usize, usize)> {
    struct Candidate {
        range: (usize, usize),
        ok: bool,
        rss: u64,
        anonymous: u64,
    }
    let mut out = Vec::new();
    let mut current: Option<Candidate> = None;
    let mut flush = |c: Option<Candidate>| {
        if let Some(c) = c.filter(|c| c.ok && c.rss > 0 && c.anonymous == 0) {
            out.push(c.range);
        }
    };
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-').and_then(|(a, b)| {
            Some((
                usize::from_str_radix(a, 16).ok()?,
                usize::from_str_radix(b, 16).ok()?,
            ))
        }) {
            flush(current.take());
            let perms = fields.next().unwrap_or("");
            let inode = fields.nth(2).unwrap_or("0");
            let path = fields.next().unwrap_or("");
            let ok = perms.len() == 4
                && !perms.contains('w')
                && perms.ends_with('p')
                && inode != "0"
                && path.starts_with('/')
                && !path.starts_with("/dev/")
                && !path.starts_with("/memfd:")
                && !path.starts_with("/SYSV")
                && !line.ends_with("(deleted)")
                && end > start;
            current = Some(Candidate {
                range: (start, end),
                ok,
                rss: 0,
                anonymous: 0,
            });
        } else if let Some(c) = current.as_mut() {
            let kb = || fields.clone().next().and_then(|v| v.parse::<u64>().ok());
            match first {
                "Rss:" => c.rss = kb().unwrap_or(0),
                "Anonymous:" => c.anonymous = kb().unwrap_or(u64::MAX),
                _ => {}
            }
        }
    }
    flush(current);
    out
}

/// One child process of the app (WebKit's web or network process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildProcess {
    pub pid: u32,
    pub name: String,
    pub pss_kib: u64,
}

/// The app's WebKit child processes now (Linux; empty elsewhere).
pub fn webkit_children() -> Vec<ChildProcess> {
    #[cfg(target_os = "linux")]
    {
        children_of(std::process::id())
            .into_iter()
            .filter(|p| p.name.starts_with("WebKit"))
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

/// Child processes of `parent`, from `/proc`.
#[cfg(target_os = "linux")]
pub fn children_of(parent: u32) -> Vec<ChildProcess> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid …": comm may hold spaces and parentheses.
            let (head, rest) = stat.rsplit_once(')')?;
            let name = head.split_once('(')?.1.to_string();
            let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent).then(|| ChildProcess {
                pid,
                name,
                pss_kib: pss_kib(pid).unwrap_or(0),
            })
        })
        .collect()
}

/// A process's proportional set size (`Pss:` of `/proc/<pid>/smaps_rollup`).
#[cfg(target_os = "linux")]
pub fn pss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Build the main window again (it was destroyed while hidden), on a thread of its own:
/// building waits for the event loop, which may be the caller (a tray click), and on Windows
/// building from an event handler deadlocks. A second call while one is under way does nothing.
pub fn recreate_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<WebviewLifecycle>() else {
        tracing::warn!("the window is gone and cannot be rebuilt before the app has started");
        return;
    };
    if state
        .recreating
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return;
    }
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("window-rebuild".into())
        .spawn(move || {
            let started = Instant::now();
            match crate::window::main_window(&app)
                .map(Ok)
                .unwrap_or_else(|| crate::window::create_main_window(&app))
            {
                Ok(w) => {
                    let _ = w.show();
                    let _ = w.unminimize();
                    let _ = w.set_focus();
                    tracing::info!(
                        "the window is back ({} ms to build)",
                        started.elapsed().as_millis()
                    );
                }
                Err(e) => tracing::error!("could not open the window again: {e}"),
            }
            if let Some(state) = app.try_state::<WebviewLifecycle>() {
                state.recreating.store(false, Ordering::Release);
            }
        });
    if let Err(e) = spawned {
        tracing::error!("could not open the window again: {e}");
        state.recreating.store(false, Ordering::Release);
    }
}

/// Called on the event loop's thread by [`crate::window::show_main_window`]: `true` when the
/// window is being closed right now; it is then rebuilt as soon as it is gone.
pub fn reopen_once_closed<R: Runtime>(app: &AppHandle<R>) -> bool {
    match app.try_state::<WebviewLifecycle>() {
        Some(s) if s.closing.load(Ordering::SeqCst) => {
            s.reopen.store(true, Ordering::SeqCst);
            true
        }
        _ => false,
    }
}

/// Run events: the app keeps running when its last window is gone (the webview was closed to
/// save memory); an explicit `app.exit(code)` (tray Quit) still quits. A window asked for while
/// the old one was closing is built once the old one is gone.
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: &RunEvent) {
    match event {
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } if label == crate::window::MAIN => {
            if let Some(s) = app.try_state::<WebviewLifecycle>() {
                s.closing.store(false, Ordering::SeqCst);
                if s.reopen.swap(false, Ordering::SeqCst) {
                    recreate_main_window(app);
                }
            }
        }
        _ => {}
    }
}

/// Longest text kept in a saved field: the view is the UI's, not storage.
const MAX_FIELD: usize = 200;

/// What the UI shows, saved by the UI as it changes and read back when a recreated window
/// starts, so it opens where the user left it. Kept in memory only, never secrets (no key
/// fields). Strings are the UI's own values; it checks them when it restores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SavedView {
    /// The screen shown ("main", "history", …).
    pub screen: String,
    pub catalog: CatalogView,
    /// The History screen's filters, while it was open.
    pub history: Option<HistoryView>,
    /// The Email screen's form, while it was open.
    pub email: Option<EmailView>,
    /// The top-up amounts being typed, while the Top up screen was open.
    pub topup: Option<TopupView>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct CatalogView {
    /// The source tab ("all", "fav", "special", a source id).
    pub tab: String,
    /// The service search text.
    pub search: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct HistoryView {
    /// "list", "profit" or "ledger".
    pub tab: String,
    pub text: String,
    pub provider: String,
    /// Orders, deposits or all ("type" in the UI's filter).
    pub kind: String,
    pub status: String,
    /// Inclusive local days, YYYY-MM-DD; "" = open.
    pub from: String,
    pub to: String,
    /// The period button ("all", "today", …).
    pub period: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct EmailView {
    pub site: String,
    /// The site's domains were shown (they are asked for again).
    pub loaded: bool,
    pub subject: String,
    pub regex: String,
    pub qty: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct TopupView {
    /// Rupiah amount as typed.
    pub qris: String,
    /// USDT amount as typed.
    pub usdt: String,
}

fn clip(s: &mut String) {
    if s.chars().count() > MAX_FIELD {
        *s = s.chars().take(MAX_FIELD).collect();
    }
}

impl SavedView {
    /// Every text field cut to [`MAX_FIELD`] characters.
    pub fn clipped(mut self) -> SavedView {
        clip(&mut self.screen);
        clip(&mut self.catalog.tab);
        clip(&mut self.catalog.search);
        if let Some(h) = &mut self.history {
            for s in [
                &mut h.tab,
                &mut h.text,
                &mut h.provider,
                &mut h.kind,
                &mut h.status,
                &mut h.from,
                &mut h.to,
                &mut h.period,
            ] {
                clip(s);
            }
        }
        if let Some(e) = &mut self.email {
            for s in [&mut e.site, &mut e.subject, &mut e.regex] {
                clip(s);
            }
        }
        if let Some(t) = &mut self.topup {
            clip(&mut t.qris);
            clip(&mut t.usdt);
        }
        self
    }
}

/// The view the UI saved last (in memory: a new process starts on its first screen).
#[derive(Default)]
pub struct ViewMemory(Mutex<Option<SavedView>>);

impl ViewMemory {
    pub fn save(&self, view: SavedView) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(view.clipped());
    }

    pub fn get(&self) -> Option<SavedView> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_time_from_the_environment() {
        assert_eq!(idle_after(None), Some(DEFAULT_IDLE));
        assert_eq!(idle_after(Some("")), Some(DEFAULT_IDLE));
        assert_eq!(idle_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(idle_after(Some("0.5")), Some(Duration::from_millis(500)));
        assert_eq!(idle_after(Some("0")), None);
        assert_eq!(idle_after(Some("soon")), Some(DEFAULT_IDLE));
        assert_eq!(idle_after(Some("-4")), Some(DEFAULT_IDLE));
    }

    #[test]
    fn gpu_compositing_is_off_unless_asked_for_or_under_webdriver() {
        use std::ffi::OsStr;
        let os = |s: &'static str| Some(OsStr::new(s));
        assert!(compositing_off(None, false, None));
        assert!(compositing_off(os("0"), false, os("false")));
        assert!(!compositing_off(os("1"), false, None));
        assert!(!compositing_off(None, true, None));
        assert!(!compositing_off(None, false, os("true")));
    }

    #[test]
    fn ticks_are_a_quarter_of_the_idle_time_within_bounds() {
        assert_eq!(tick(Duration::from_secs(3)), Duration::from_millis(750));
        assert_eq!(tick(DEFAULT_IDLE), Duration::from_secs(15));
        assert_eq!(tick(Duration::from_millis(100)), Duration::from_millis(250));
    }

    #[test]
    fn only_a_window_hidden_for_the_whole_idle_time_is_closed() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let mut clock = IdleClock::new(Duration::from_secs(10));
        assert!(!clock.observe(Some(true), s(0)));
        assert!(!clock.observe(Some(false), s(1)), "hidden from 1 s");
        assert!(!clock.observe(Some(false), s(10)));
        assert!(clock.observe(Some(false), s(11)), "10 s hidden");
        // Counting starts again after a close, and a show resets it.
        assert!(!clock.observe(Some(false), s(12)));
        assert!(!clock.observe(Some(true), s(20)));
        assert!(!clock.observe(Some(false), s(21)));
        assert!(!clock.observe(Some(false), s(30)));
        assert!(clock.observe(Some(false), s(31)));
        // No window: nothing to close, and nothing counted.
        assert!(!clock.observe(None, s(100)));
        assert!(!clock.observe(Some(false), s(101)));
        assert!(!clock.observe(Some(false), s(110)));
    }

    #[test]
    fn a_saved_view_is_kept_clipped() {
        let memory = ViewMemory::default();
        assert_eq!(memory.get(), None);
        let view = SavedView {
            screen: "history".into(),
            catalog: CatalogView {
                tab: "fav".into(),
                search: "x".repeat(500),
            },
            history: Some(HistoryView {
                text: "wa".into(),
                status: "done".into(),
                ..HistoryView::default()
            }),
            ..SavedView::default()
        };
        memory.save(view.clone());
        let got = memory.get().unwrap();
        assert_eq!(got.catalog.search.len(), MAX_FIELD);
        assert_eq!(got.history, view.history);
        assert_eq!(got.screen, "history");
    }

    #[test]
    fn the_view_reads_as_the_ui_sends_it() {
        let v: SavedView = serde_json::from_str(
            r#"{"screen":"history","catalog":{"tab":"all","search":""},
                "history":{"tab":"list","text":"wa","provider":"all","kind":"order",
                           "status":"done","from":"","to":"","period":"all"},
                "email":null,"topup":null}"#,
        )
        .unwrap();
        assert_eq!(v.screen, "history");
        assert_eq!(v.history.unwrap().kind, "order");
        assert_eq!(v.email, None);
    }

    #[test]
    fn only_clean_read_only_file_mappings_are_released() {
        let smaps = "\
55d0c0000000-55d0c1000000 r-xp 00001000 fd:01 1234 /usr/bin/otpdesk-app
Rss:                8000 kB
Anonymous:             0 kB
55d0c1000000-55d0c1100000 r--p 00101000 fd:01 1234 /usr/bin/otpdesk-app
Rss:                 200 kB
Anonymous:           200 kB
55d0c1100000-55d0c1200000 rw-p 00201000 fd:01 1234 /usr/bin/otpdesk-app
Rss:                 100 kB
Anonymous:            40 kB
55d0c2000000-55d0c2400000 rw-p 00000000 00:00 0 [heap]
Rss:                4000 kB
Anonymous:          4000 kB
7f0000000000-7f0000100000 r--p 00000000 fd:01 99 /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
Rss:                1000 kB
Anonymous:             0 kB
7f0000100000-7f0000200000 rw-s 00000000 00:01 77 /memfd:WebKitSharedMemory (deleted)
Rss:                1000 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 rw-s 00000000 00:06 5 /dev/dri/card0
Rss:                   0 kB
Anonymous:             0 kB
7f0000300000-7f0000400000 r--s 00000000 00:01 8 /SYSV00000000
Rss:                  64 kB
Anonymous:             0 kB
7f0000400000-7f0000500000 r--p 00000000 fd:01 42 /usr/lib/old.so (deleted)
Rss:                  64 kB
Anonymous:             0 kB
7f0000500000-7f0000600000 r--p 00000000 fd:01 43 /usr/lib/cold.so
Rss:                   0 kB
Anonymous:             0 kB
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]
Rss:                  60 kB
Anonymous:            60 kB
";
        assert_eq!(
            clean_file_mappings(smaps),
            [
                (0x55d0c0000000, 0x55d0c1000000),
                (0x7f0000000000, 0x7f0000100000)
            ]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn released_pages_come_back_on_use() {
        // This test program's own code and libraries: advised out, and it runs on.
        let file_pss = || {
            let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap();
            rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss_File:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .expect("Pss_File in smaps_rollup")
        };
        let before = file_pss();
        let released = release_memory();
        let after = file_pss();
        assert!(released > 0);
        assert!(
            after < before,
            "file pages resident: {before} kB, then {after} kB"
        );
        assert_eq!(idle_after(Some("3")), Some(Duration::from_secs(3)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn children_are_found_with_their_memory() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let found = children_of(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        let me = found
            .iter()
            .find(|p| p.pid == child.id())
            .expect("the child");
        assert_eq!(me.name, "sleep");
        assert!(me.pss_kib > 0);
    }
}
