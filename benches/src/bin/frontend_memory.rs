//! Peak heap memory of checking the generated 50,000-line program, counted
//! by a tracking allocator (not sampled from the OS, so it is repeatable).

use mimalloc::MiMalloc;
use min_analysis::Workspace;
use min_benches::generated_program;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Tracking;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's layout to mimalloc unchanged.
        let pointer = unsafe { MiMalloc.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the pointer came from `alloc` above with this layout.
        unsafe { MiMalloc.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(50_000);
    let text = generated_program(lines);
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let mut workspace = Workspace::new();
    let file = workspace.add_file("generated.min", text);
    let errors = workspace.diagnostics(file).len();
    assert_eq!(errors, 0, "the generated program checks cleanly");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    println!("lines: {lines}");
    println!("peak heap while checking: {:.1} MiB", peak as f64 / (1024.0 * 1024.0));
}
