//! What the fuzz targets share: an allocator that bounds memory.
//!
//! libFuzzer's `-malloc_limit_mb` only works through a sanitizer's malloc hooks, and these
//! targets are built without a sanitizer (stable Rust). So each target installs
//! [`BoundedAllocator`]: an allocation larger than one limit, or one that would take the bytes
//! alive past another, fails, and the process aborts ("memory allocation of N bytes failed"),
//! which libFuzzer reports as a crash with the input saved. `-rss_limit_mb` still bounds the
//! whole process, C code included.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const MIB: usize = 1024 * 1024;

pub struct BoundedAllocator {
    max_single: usize,
    max_live: usize,
    live: AtomicUsize,
}

impl BoundedAllocator {
    pub const fn new(max_single: usize, max_live: usize) -> Self {
        BoundedAllocator { max_single, max_live, live: AtomicUsize::new(0) }
    }

    /// Reserves `size` more live bytes, or says no.
    fn reserve(&self, size: usize) -> bool {
        if size > self.max_single {
            return false;
        }
        let before = self.live.fetch_add(size, Ordering::Relaxed);
        if before + size > self.max_live {
            self.live.fetch_sub(size, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// A reallocation grows one allocation: its new size is what the single limit checks.
    fn reserve_growth(&self, old_size: usize, new_size: usize) -> bool {
        new_size <= self.max_single && self.reserve(new_size - old_size)
    }

    fn release(&self, size: usize) {
        self.live.fetch_sub(size, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only the bookkeeping is added, and a
// refused allocation returns null as `GlobalAlloc` allows.
unsafe impl GlobalAlloc for BoundedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !self.reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let ptr = System.alloc(layout);
        if ptr.is_null() {
            self.release(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !self.reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let ptr = System.alloc_zeroed(layout);
        if ptr.is_null() {
            self.release(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        self.release(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_size = layout.size();
        if new_size > old_size && !self.reserve_growth(old_size, new_size) {
            return std::ptr::null_mut();
        }
        let new_ptr = System.realloc(ptr, layout, new_size);
        if new_ptr.is_null() {
            if new_size > old_size {
                self.release(new_size - old_size);
            }
        } else if new_size < old_size {
            self.release(old_size - new_size);
        }
        new_ptr
    }
}
