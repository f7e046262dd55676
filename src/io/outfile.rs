//! Writing a result file without ever leaving half of one behind.
//!
//! A regular file is replaced atomically (a sibling temp file, then a
//! rename), so a reader polling for it never sees a partial answer. A path
//! that exists and is not a regular file (`/dev/stdout`, `/dev/null`, a FIFO
//! a script reads) is written in place: renaming over it would replace the
//! device or pipe with a plain file, for every other program on the machine.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` as described above; a symlink is followed.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve(path)?;
    if is_special(&target) {
        return fs::OpenOptions::new()
            .write(true)
            .open(&target)?
            .write_all(bytes);
    }
    let tmp = sibling_tmp(&target);
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, &target).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Whether `path` exists and is neither a regular file nor a directory:
/// a device, a FIFO or a socket, which must never be renamed over.
pub fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Where a write to `path` lands: the symlink's target, so the link stays.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path),
        _ => Ok(path.to_path_buf()),
    }
}

/// The temp file sits next to the target so the rename stays on one file
/// system; the pid keeps two writers from sharing it.
pub fn sibling_tmp(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp-wacall", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn a_regular_file_is_replaced_whole_and_no_temp_is_left() {
        let d = dir();
        let p = d.path().join("answer.sdp");
        fs::write(&p, "old and longer content").unwrap();
        write(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the answer remains");
    }

    #[test]
    fn a_fifo_stays_a_fifo_and_its_reader_gets_the_bytes() {
        let d = dir();
        let p = d.path().join("answer.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let p = p.clone();
            std::thread::spawn(move || fs::read_to_string(p).unwrap())
        };
        write(&p, b"v=0\r\n").unwrap();
        assert_eq!(reader.join().unwrap(), "v=0\r\n");
        assert!(fs::metadata(&p).unwrap().file_type().is_fifo());
    }

    #[test]
    fn devices_are_special_files_and_dirs_are_not() {
        let d = dir();
        let p = d.path().join("plain");
        fs::write(&p, "x").unwrap();
        assert!(is_special(Path::new("/dev/null")));
        assert!(!is_special(&p));
        assert!(!is_special(d.path()));
        assert!(!is_special(&d.path().join("missing")));
    }

    #[test]
    fn a_symlink_keeps_pointing_at_its_target() {
        let d = dir();
        let target = d.path().join("real.sdp");
        let link = d.path().join("link.sdp");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
    }
}
