//! The README's examples work from the root of a clone exactly as written, with `ashyq` on the
//! PATH, and leave the clone as they found it (no new file, tracked or ignored).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The shell block that follows the line starting with `marker`.
fn block_after(readme: &str, marker: &str) -> String {
    let start = readme.find(marker).unwrap_or_else(|| panic!("README lacks {marker:?}"));
    let rest = &readme[start..];
    let open = rest.find("```sh\n").unwrap() + "```sh\n".len();
    let close = rest[open..].find("```").unwrap();
    rest[open..open + close].to_owned()
}

/// Files git does not track, ignored ones included, outside `target/`.
fn untracked(repo: &Path) -> Option<Vec<String>> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all", "--ignored"])
        .current_dir(repo)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut files: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("??") || l.starts_with("!!"))
        .map(|l| l[3..].to_owned())
        .filter(|f| !f.starts_with("target/"))
        .collect();
    files.sort();
    Some(files)
}

#[test]
fn the_readme_examples_run_as_written_and_leave_nothing_behind() {
    let repo = repo();
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let script = block_after(&readme, "Examples, from the root of a fresh clone");
    assert!(script.contains("ashyq outcome examples/"), "{script}");
    assert!(!script.contains("../shared"), "the clone has no ../shared:\n{script}");
    let Some(before) = untracked(&repo) else {
        assert!(std::env::var_os("CI").is_none(), "git is needed in CI");
        eprintln!("skipped: {} is not a git checkout", repo.display());
        return;
    };
    let bin = Path::new(env!("CARGO_BIN_EXE_ashyq")).parent().unwrap().to_owned();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = Command::new("sh")
        .args(["-e", "-c", &script])
        .current_dir(&repo)
        .env("PATH", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README's examples fail:\n{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1990573/23"), "{stdout}");
    assert!(stdout.contains("takes every seat"), "{stdout}");
    assert!(
        stdout.contains("option,votes,seats\nA,100000,4\nB,80000,3\nC,30000,1\nD,20000,0"),
        "{stdout}"
    );
    assert_eq!(untracked(&repo).unwrap(), before, "the examples left files in the clone");
}
