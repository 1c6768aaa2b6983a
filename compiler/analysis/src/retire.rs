//! Dropping large results away from the edit that replaced them. An edit
//! replaces the file's syntax tree and its frame; freeing the old ones
//! walks every node, and salsa does it when the next edit starts a new
//! revision, on the way to that edit's diagnostics. Handed to [`retire`],
//! they are freed on a thread of their own instead.

use std::sync::OnceLock;
use std::sync::mpsc::{Sender, channel};

/// Something to free on the retiring thread.
type Garbage = Box<dyn Send>;

/// The stack of the retiring thread: freeing a syntax tree recurses as
/// deeply as the tree nests (up to `min_syntax::DEPTH_LIMIT`), and only the
/// pages touched take memory.
const STACK_BYTES: usize = 256 << 20;

/// The retiring thread's queue, started on first use; `None` if the thread
/// could not be started, and then values are dropped where they are.
static QUEUE: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();

/// Drops `value` on the retiring thread, or here if there is none.
pub fn retire<T: Send + 'static>(value: T) {
    match QUEUE.get_or_init(start) {
        // Should the thread be gone, the value comes back and is dropped here.
        Some(queue) => drop(queue.send(Box::new(value))),
        None => drop(value),
    }
}

/// Starts the retiring thread.
fn start() -> Option<Sender<Garbage>> {
    let (sender, receiver) = channel::<Garbage>();
    let thread = std::thread::Builder::new().name("min-analysis-retire".into()).stack_size(STACK_BYTES);
    thread.spawn(move || receiver.into_iter().for_each(drop)).ok().map(|_| sender)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    #[test]
    fn a_retired_value_is_dropped_on_another_thread() {
        struct Noted(Arc<Mutex<Option<std::thread::ThreadId>>>);
        impl Drop for Noted {
            fn drop(&mut self) {
                *self.0.lock().expect("lock") = Some(std::thread::current().id());
            }
        }
        let dropped_on = Arc::new(Mutex::new(None));
        retire(Noted(dropped_on.clone()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while dropped_on.lock().expect("lock").is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let thread = dropped_on.lock().expect("lock").expect("dropped");
        assert_ne!(thread, std::thread::current().id());
    }
}
