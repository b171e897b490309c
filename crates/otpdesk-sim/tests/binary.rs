//! The `otpdesk-sim` binary prints one "listening" line once bound, for scripts to wait on.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

#[test]
fn binary_announces_its_address_and_serves() {
    let mut child = common::sim_binary()
        .args([
            "--port",
            "0",
            "--otp-delay-secs",
            "5",
            "--cancel-confirm-delay-secs",
            "30",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("otpdesk-sim listening on ")
        .unwrap_or_default()
        .to_string();
    let reply = url.strip_prefix("http://").map(|addr| {
        let mut s = TcpStream::connect(addr).expect("connects");
        s.write_all(b"GET /_sim/config HTTP/1.0\r\nHost: sim\r\n\r\n")
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    });
    // SIGTERM (Ctrl+Break on Windows) stops it cleanly.
    common::stop_binary(&mut child);
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{line}"
    );
    let reply = reply.unwrap_or_default();
    assert!(
        reply.starts_with("HTTP/1.0 200")
            && reply.contains("\"otp_delay_ms\":5000")
            && reply.contains("\"cancel_confirm_delay_secs\":30"),
        "{reply}"
    );
}
