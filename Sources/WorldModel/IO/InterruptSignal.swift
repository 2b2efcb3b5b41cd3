import CInterrupt

/// What SIGINT (Ctrl-C) and SIGTERM do to a wm process: never leave a temporary file or a half-written output.
///
/// Every `AtomicFileWriter` remembers its temporary file here until it commits. With
/// ``removeTemporaryFilesOnSignal()`` a signal unlinks those files, prints one line and ends the process by the
/// signal, so each destination keeps its earlier file (or stays absent). A command with a last good output to
/// keep (training) calls ``stopAtNextStep()`` instead: the first signal only sets ``requested``, the command
/// polls it and stops cleanly; a second signal ends the process as above.
///
/// ```swift
/// InterruptSignal.stopAtNextStep()
/// while !InterruptSignal.requested { trainer.step() }
/// try fields.save(to: out)
/// ```
public enum InterruptSignal {
    /// Signals end the process after removing the temporary files of unfinished writes.
    public static func removeTemporaryFilesOnSignal() {
        _ = wm_interrupt_install(0)
    }

    /// The first signal sets ``requested``; a second one ends the process after removing temporary files.
    public static func stopAtNextStep() {
        _ = wm_interrupt_install(1)
    }

    /// Whether a signal asked a graceful command to stop.
    public static var requested: Bool { wm_interrupt_requested() != 0 }

    /// Remembers a file to unlink if a signal ends the process; returns its slot (negative when not tracked).
    public static func remember(temporaryFile path: String) -> Int32 {
        wm_interrupt_remember(path)
    }

    /// Forgets a slot from ``remember(temporaryFile:)``.
    public static func forget(_ slot: Int32) {
        wm_interrupt_forget(slot)
    }
}
