// Whether a writer holds a run open now: lets read-only tools tell a running run from one whose
// process died (status.json still says "running"). Nothing is created or changed.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension RunStore {
    /// True while some process (this one included) holds the writer lock of the run at `url`
    /// (FORMAT.md §1: `flock(LOCK_EX)` on `.lock`). A missing `.lock` means no writer ever
    /// opened it, so none holds it. The probe takes a shared lock without blocking and drops
    /// it at once; it opens `.lock` read-only and never creates it.
    public static func writerHoldsLock(at url: URL) -> Bool {
        let path = url.appendingPathComponent(".lock").path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }
}
