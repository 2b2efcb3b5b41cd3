import Testing
#if canImport(Glibc)
import Glibc
#endif

#if Viewer
/// The scenes of the package, found from this file's path.
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

func scenePath(_ name: String) -> String { packageRoot + "/scenes/" + name }

/// dm_control's stacker (fetched into /tmp by tools/fetch-dm-control.sh, never copied here); tests that need it are
/// disabled when it is absent.
let stackerPath = "/tmp/dmc/dm_control/suite/stacker.xml"
let stackerPresent = access(stackerPath, R_OK) == 0
#else
@Suite struct TraitTests {
    @Test(.disabled("WMViewer is built only with the Viewer trait: xvfb-run -a swift test --traits Viewer --filter WMViewerTests"))
    func viewerNeedsTheTrait() {}
}
#endif
