import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DirectoryListingTests {
    /// Names of every length up to NAME_MAX, so some `dirent` records are short and some end the kernel's
    /// buffer: each name comes back whole, once, without `.` and `..`.
    @Test func listsEveryNameWhole() throws {
        let folder = "/tmp/wm-listing-\(getpid())"
        #expect(mkdir(folder, 0o755) == 0)
        var expected: [String] = []
        for length in stride(from: 1, through: 255, by: 3) {
            let name = String(repeating: "n", count: length - 1) + String(length % 10)
            let descriptor = open(folder + "/" + name, O_WRONLY | O_CREAT, 0o644)
            #expect(descriptor >= 0)
            close(descriptor)
            expected.append(name)
        }
        defer {
            for name in expected { unlink(folder + "/" + name) }
            rmdir(folder)
        }
        let names = try #require(directoryEntries(folder))
        #expect(names.sorted() == expected.sorted())
    }

    @Test func aMissingFolderIsNil() {
        #expect(directoryEntries("/tmp/wm-no-such-folder-\(getpid())") == nil)
    }
}
