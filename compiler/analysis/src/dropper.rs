//! Dropping large results on a thread of their own.
//!
//! salsa frees a query's previous result when the next revision starts,
//! that is inside the call that sets a file's new text. Freeing a checked
//! 5,000-line module (its syntax tree, core IR and name table) takes
//! milliseconds that the edit would otherwise wait for; a [`DropElsewhere`]
//! hands its value to a background thread instead.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

/// Anything that can be dropped on another thread.
type Garbage = Box<dyn Send>;

/// The sender to the dropping thread, started on first use; `None` when the
/// thread could not be started (values are then dropped where they are).
fn dropper() -> Option<&'static Mutex<Sender<Garbage>>> {
    static DROPPER: OnceLock<Option<Mutex<Sender<Garbage>>>> = OnceLock::new();
    DROPPER
        .get_or_init(|| {
            let (sender, receiver) = channel::<Garbage>();
            std::thread::Builder::new()
                .name("min-analysis-drop".to_string())
                .spawn(move || {
                    for garbage in receiver {
                        drop(garbage);
                    }
                })
                .ok()
                .map(|_| Mutex::new(sender))
        })
        .as_ref()
}

/// A value dropped on a background thread rather than by its owner. It
/// dereferences to the value and compares as the value does.
#[derive(Debug)]
pub struct DropElsewhere<T: Send + 'static>(Option<Box<T>>);

impl<T: Send + 'static> DropElsewhere<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> DropElsewhere<T> {
        DropElsewhere(Some(Box::new(value)))
    }
}

impl<T: Send + 'static> std::ops::Deref for DropElsewhere<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0.as_deref().expect("the value is taken only when dropped")
    }
}

impl<T: Send + PartialEq + 'static> PartialEq for DropElsewhere<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Send + Eq + 'static> Eq for DropElsewhere<T> {}

impl<T: Send + 'static> Drop for DropElsewhere<T> {
    fn drop(&mut self) {
        let Some(value) = self.0.take() else { return };
        let Some(sender) = dropper() else { return };
        // A poisoned lock or a stopped thread: drop the value here instead.
        let sent = match sender.lock() {
            Ok(sender) => sender.send(value as Garbage).map_err(|error| error.0),
            Err(_) => Err(value as Garbage),
        };
        drop(sent);
    }
}

#[cfg(test)]
mod tests {
    use super::DropElsewhere;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn the_value_is_dropped_on_another_thread() {
        let shared = Arc::new(());
        let wrapped = DropElsewhere::new(shared.clone());
        assert_eq!(Arc::strong_count(&*wrapped), 2);
        drop(wrapped);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&shared) > 1 {
            assert!(Instant::now() < deadline, "the background thread never dropped the value");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
