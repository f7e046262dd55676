//! A child process a test started, killed when the test ends without
//! having waited for it, so a failed test leaves nothing running.

#![allow(dead_code)]

use std::process::{Child, Output};

/// A server process (`wacall serve`, `listen`, the Realtime stand-in).
pub struct Running(Option<Child>);

impl Running {
    pub fn new(child: Child) -> Running {
        Running(Some(child))
    }

    pub fn wait_with_output(mut self) -> std::io::Result<Output> {
        self.0.take().expect("waited once").wait_with_output()
    }
}

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0.as_ref().expect("not waited for")
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        self.0.as_mut().expect("not waited for")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
